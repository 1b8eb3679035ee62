"""The archive: posts, their reports per version, and run summaries (as first released).

Revision ID: archive_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "archive_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rs_posts",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("images", sa.Text, nullable=False),
        sa.Column("published_at", sa.String(32), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("imported_at", sa.String(32), nullable=False),
    )
    op.create_index("rs_posts_published", "rs_posts", ["published_at"])
    op.create_index("rs_posts_account", "rs_posts", ["account"])
    op.create_table(
        "rs_reports",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("post_id", sa.String(200), nullable=False),
        sa.Column("version", sa.String(200), nullable=False),
        sa.Column("lexicon_version", sa.String(100), nullable=False),
        sa.Column("model_version", sa.String(100), nullable=False),
        sa.Column("verdict", sa.String(10), nullable=False),
        sa.Column("report", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("post_id", "version", name="rs_reports_post_version"),
    )
    op.create_index("rs_reports_version", "rs_reports", ["version"])
    op.create_table(
        "rs_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version", sa.String(200), nullable=False),
        sa.Column("filters", sa.Text, nullable=False),
        sa.Column("started_at", sa.String(32), nullable=False),
        sa.Column("finished_at", sa.String(32), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("summary", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("rs_runs")
    op.drop_table("rs_reports")
    op.drop_table("rs_posts")
