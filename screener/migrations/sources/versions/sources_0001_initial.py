"""The bank of source texts: sources, their indexed passages and their history.

Revision ID: sources_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "sources_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "src_sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("origin", sa.String(200), nullable=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("license", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("chars", sa.Integer, nullable=False),
        sa.Column("published_at", sa.String(40), nullable=True),
        sa.Column("added_by", sa.Text, nullable=False),
        sa.Column("added_at", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_index("ix_src_sources_sha256", "src_sources", ["sha256"])
    op.create_index("ix_src_sources_origin", "src_sources", ["origin"], unique=True)
    op.create_table(
        "src_passages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("src_sources.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("scheme", sa.String(80), nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_src_passages_source_id", "src_passages", ["source_id"])
    op.create_table(
        "src_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("src_sources.id"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("by", sa.Text, nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("ix_src_events_source_id", "src_events", ["source_id"])


def downgrade() -> None:
    op.drop_table("src_events")
    op.drop_table("src_passages")
    op.drop_table("src_sources")
