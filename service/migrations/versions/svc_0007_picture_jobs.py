"""The picture stage in the background (schema version 7): a job per draft revision with
pictures, claimed by the workers of ``screener serve`` under a lease.

Revision ID: svc_0007
Revises: svc_0006
"""

import sqlalchemy as sa
from alembic import op

revision = "svc_0007"
down_revision = "svc_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("svc_picture_jobs"):
        return
    op.create_table(
        "svc_picture_jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("draft_id", sa.Integer, sa.ForeignKey("svc_drafts.id"), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("worker", sa.String(200), nullable=True),
        sa.Column("lease_until", sa.Float, nullable=True),
        sa.Column("report_id", sa.Integer, nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_svc_picture_jobs_draft_id", "svc_picture_jobs", ["draft_id"])
    op.create_index("svc_picture_jobs_open", "svc_picture_jobs", ["status", "id"])


def downgrade() -> None:
    op.drop_table("svc_picture_jobs")
