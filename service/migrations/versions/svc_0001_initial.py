"""The service's tables as schema version 1 made them (before token expiry and rechecks).

Revision ID: svc_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "svc_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "svc_units",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "svc_people",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("svc_units.id"), nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "svc_accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("svc_units.id"), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("opened_on", sa.String(10), nullable=False),
        sa.Column("closing_on", sa.String(10), nullable=True),
        sa.Column("closed_on", sa.String(10), nullable=True),
        sa.Column("name_findings", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "svc_assignments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("svc_accounts.id"), nullable=False),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("svc_people.id"), nullable=False),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("effective_on", sa.String(10), nullable=False),
        sa.Column("reported_at", sa.String(32), nullable=False),
        sa.Column("ended_on", sa.String(10), nullable=True),
        sa.Column("end_reported_at", sa.String(32), nullable=True),
    )
    op.create_index("ix_svc_assignments_account_id", "svc_assignments", ["account_id"])
    op.create_index("ix_svc_assignments_person_id", "svc_assignments", ["person_id"])
    op.create_table(
        "svc_account_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("svc_accounts.id"), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("effective_on", sa.String(10), nullable=False),
        sa.Column("reported_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_svc_account_events_account_id", "svc_account_events", ["account_id"])
    op.create_table(
        "svc_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("svc_people.id"), nullable=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("svc_units.id"), nullable=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("revoked_at", sa.String(32), nullable=True),
    )
    op.create_table(
        "svc_drafts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("svc_accounts.id"), nullable=False),
        sa.Column("submitted_by", sa.Integer, sa.ForeignKey("svc_people.id"), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("images", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("route", sa.String(20), nullable=False),
        sa.Column("verdict", sa.String(10), nullable=False),
        sa.Column("report_id", sa.Integer, nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("published_at", sa.String(32), nullable=True),
        sa.Column("published_by", sa.Integer, sa.ForeignKey("svc_people.id"), nullable=True),
    )
    op.create_index("ix_svc_drafts_account_id", "svc_drafts", ["account_id"])
    op.create_index("ix_svc_drafts_status", "svc_drafts", ["status"])
    op.create_index("svc_drafts_queue", "svc_drafts", ["status", "route", "account_id"])
    op.create_table(
        "svc_reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("draft_id", sa.Integer, sa.ForeignKey("svc_drafts.id"), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("verdict", sa.String(10), nullable=False),
        sa.Column("lexicon_version", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("report", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_svc_reports_draft_id", "svc_reports", ["draft_id"])
    op.create_table(
        "svc_signoffs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("draft_id", sa.Integer, sa.ForeignKey("svc_drafts.id"), nullable=False),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("svc_reports.id"), nullable=False),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("svc_people.id"), nullable=True),
        sa.Column("token_id", sa.Integer, sa.ForeignKey("svc_tokens.id"), nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("finding_comments", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("lexicon_version", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_svc_signoffs_draft_id", "svc_signoffs", ["draft_id"])
    op.create_table(
        "svc_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    for table in ("svc_audit", "svc_signoffs", "svc_reports", "svc_drafts", "svc_tokens",
                  "svc_account_events", "svc_assignments", "svc_accounts", "svc_people",
                  "svc_units"):
        op.drop_table(table)
