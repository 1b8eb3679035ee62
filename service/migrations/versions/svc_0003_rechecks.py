"""Published posts a re-screening newly flagged, to review again (schema version 3).

Revision ID: svc_0003
Revises: svc_0002

Created only when missing, for the same reason as svc_0002: before Alembic, step 1 of a later
release already made it.
"""

import sqlalchemy as sa
from alembic import op

revision = "svc_0003"
down_revision = "svc_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("svc_rechecks"):
        return
    op.create_table(
        "svc_rechecks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("post_key", sa.String(200), nullable=False),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("svc_accounts.id"), nullable=False),
        sa.Column("draft_id", sa.Integer, sa.ForeignKey("svc_drafts.id"), nullable=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("published_at", sa.String(32), nullable=False),
        sa.Column("route", sa.String(20), nullable=False),
        sa.Column("verdict", sa.String(10), nullable=False),
        sa.Column("lexicon_version", sa.String(100), nullable=False),
        sa.Column("model_version", sa.String(100), nullable=False),
        sa.Column("findings", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("resolved_at", sa.String(32), nullable=True),
        sa.Column("resolved_by", sa.String(200), nullable=True),
        sa.Column("decision", sa.String(20), nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.UniqueConstraint("post_key", "lexicon_version", "model_version",
                            name="svc_rechecks_post_version"),
    )
    op.create_index("ix_svc_rechecks_account_id", "svc_rechecks", ["account_id"])
    op.create_index("svc_rechecks_open", "svc_rechecks", ["resolved_at", "route", "account_id"])


def downgrade() -> None:
    op.drop_table("svc_rechecks")
