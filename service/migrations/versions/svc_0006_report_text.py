"""What each report screened, for the reviewer's page (schema version 5).

Revision ID: svc_0006
Revises: svc_0005

``svc_reports`` keeps the title and body of the revision it screened (the draft page shows
what changed since the previous revision, with that revision's sign-off comments beside it),
and, for the queue's filters and one-line summaries, the categories of its findings
(``,illegal,commercial,``) and how many there are.

Filled for the reports already stored: the categories and counts from each report's JSON; the
text only for each draft's current report (the draft row holds that revision's text; the text
of earlier revisions was not kept, and stays empty).
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "svc_0006"
down_revision = "svc_0005"
branch_labels = None
depends_on = None

NEW = {"title": sa.Text, "body": sa.Text, "categories": sa.Text, "findings": sa.Integer}


def upgrade() -> None:
    bind = op.get_bind()
    if not sa.inspect(bind).has_table("svc_reports"):
        return  # a database of an early release without drafts: nothing to extend
    existing = {c["name"] for c in sa.inspect(bind).get_columns("svc_reports")}
    for name, kind in NEW.items():
        if name not in existing:
            op.add_column("svc_reports", sa.Column(name, kind, nullable=True))
    reports = sa.table("svc_reports", sa.column("id", sa.Integer), sa.column("report", sa.Text),
                       sa.column("draft_id", sa.Integer), sa.column("title", sa.Text),
                       sa.column("body", sa.Text), sa.column("categories", sa.Text),
                       sa.column("findings", sa.Integer))
    drafts = sa.table("svc_drafts", sa.column("id", sa.Integer),
                      sa.column("report_id", sa.Integer), sa.column("title", sa.Text),
                      sa.column("body", sa.Text))
    for row in bind.execute(sa.select(reports.c.id, reports.c.report)
                            .where(reports.c.categories.is_(None))).all():
        findings = json.loads(row.report).get("findings", [])
        bind.execute(sa.update(reports).where(reports.c.id == row.id).values(
            categories=category_list(f["category"] for f in findings),
            findings=len(findings)))
    for draft in bind.execute(sa.select(drafts.c.report_id, drafts.c.title, drafts.c.body)
                              .where(drafts.c.report_id.is_not(None))).all():
        bind.execute(sa.update(reports).where(reports.c.id == draft.report_id,
                                              reports.c.title.is_(None))
                     .values(title=draft.title, body=draft.body))


def category_list(categories) -> str:
    """``,a,b,``: each category once, sorted (as ``service.db.category_list``, frozen here)."""
    found = sorted(set(categories))
    return "," + ",".join(found) + "," if found else ","


def downgrade() -> None:
    with op.batch_alter_table("svc_reports") as batch:
        for name in NEW:
            batch.drop_column(name)
