"""The lexicon store: the change log and the term events (as first released).

Revision ID: lexicon_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "lexicon_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lexicon_changes",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("chain", sa.String(64), nullable=False),
        sa.Column("basis", sa.String(64), nullable=False),
        sa.Column("content", sa.String(12), nullable=False),
    )
    op.create_table(
        "lexicon_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("seq", sa.Integer, sa.ForeignKey("lexicon_changes.seq"), nullable=False),
        sa.Column("term", sa.String(200), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("article", sa.String(100), nullable=False),
        sa.Column("boundary", sa.Boolean, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
    )
    op.create_index("ix_lexicon_events_seq", "lexicon_events", ["seq"])
    op.create_index("ix_lexicon_events_term", "lexicon_events", ["term"])


def downgrade() -> None:
    op.drop_table("lexicon_events")
    op.drop_table("lexicon_changes")
