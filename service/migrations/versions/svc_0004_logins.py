"""People's log-ins and sessions; who wrote each revision; sign-offs by session (version 4).

Revision ID: svc_0004
Revises: svc_0003

``svc_reports.revised_by`` is filled for the drafts already stored: the first revision is the
submitter's, each later one the editor's named by its ``draft.edit`` audit row (an actor
``person:N/...``). A sign-off is made with a token or, from now on, a log-in session, so
``svc_signoffs.token_id`` may be empty and ``session_id`` names the session.

Each step is made only when missing: a database adopted from before Alembic is stamped at its
last ``svc_schema`` step and may be upgraded over tables it already has.
"""

import json
import re

import sqlalchemy as sa
from alembic import op

revision = "svc_0004"
down_revision = "svc_0003"
branch_labels = None
depends_on = None

_PERSON = re.compile(r"^person:(\d+)/")


def _columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "svc_users" not in existing:
        _create_logins()
    # (a database made by step 1 of an early release may lack the draft tables: nothing to do)
    if "svc_reports" in existing and "revised_by" not in _columns("svc_reports"):
        if op.get_bind().dialect.name == "sqlite":
            # SQLite adds a column with its reference in place; a batch copy of svc_reports
            # would have to drop the table sign-offs refer to.
            op.execute("ALTER TABLE svc_reports ADD COLUMN revised_by INTEGER "
                       "REFERENCES svc_people (id)")
        else:
            op.add_column("svc_reports", sa.Column("revised_by", sa.Integer,
                                                   sa.ForeignKey("svc_people.id"),
                                                   nullable=True))
        if {"svc_drafts", "svc_audit"} <= existing:
            _fill_revised_by(op.get_bind())
    if "svc_signoffs" in existing and "session_id" not in _columns("svc_signoffs"):
        with op.batch_alter_table("svc_signoffs") as batch:
            batch.alter_column("token_id", existing_type=sa.Integer, nullable=True)
            batch.add_column(sa.Column("session_id", sa.Integer,
                                       sa.ForeignKey("svc_sessions.id",
                                                     name="fk_svc_signoffs_session_id"),
                                       nullable=True))


def _create_logins() -> None:
    op.create_table(
        "svc_users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("svc_people.id"), nullable=False,
                  unique=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("roles", sa.Text, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.String(32), nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "svc_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("id_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("svc_users.id"), nullable=False),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("svc_people.id"), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("expires_at", sa.String(32), nullable=False),
        sa.Column("ended_at", sa.String(32), nullable=True),
        sa.Column("end_reason", sa.String(40), nullable=True),
    )
    op.create_index("ix_svc_sessions_user_id", "svc_sessions", ["user_id"])


def _fill_revised_by(conn) -> None:
    conn.execute(sa.text(
        "UPDATE svc_reports SET revised_by = (SELECT submitted_by FROM svc_drafts "
        "WHERE svc_drafts.id = svc_reports.draft_id) WHERE revision = 1"))
    edits = conn.execute(sa.text(
        "SELECT actor, subject, details FROM svc_audit WHERE action = 'draft.edit'"))
    for actor, subject, details in edits:
        found = _PERSON.match(actor)
        if not found or not subject.startswith("draft:"):
            continue
        conn.execute(sa.text("UPDATE svc_reports SET revised_by = :person WHERE draft_id = "
                             ":draft AND revision = :revision"),
                     {"person": int(found.group(1)), "draft": int(subject[6:]),
                      "revision": int(json.loads(details)["revision"])})


def downgrade() -> None:
    with op.batch_alter_table("svc_signoffs") as batch:
        batch.drop_column("session_id")
        batch.alter_column("token_id", existing_type=sa.Integer, nullable=False)
    with op.batch_alter_table("svc_reports") as batch:
        batch.drop_column("revised_by")
    op.drop_table("svc_sessions")
    op.drop_table("svc_users")
