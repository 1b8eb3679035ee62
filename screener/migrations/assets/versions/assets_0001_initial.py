"""The asset bank: assets, their hashes and their history (as first released).

Revision ID: assets_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "assets_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "image_assets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("license", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("added_by", sa.Text, nullable=False),
        sa.Column("added_at", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("points", sa.LargeBinary, nullable=False),
        sa.Column("descriptors", sa.LargeBinary, nullable=False),
        sa.Column("feat_width", sa.Integer, nullable=False),
        sa.Column("feat_height", sa.Integer, nullable=False),
    )
    op.create_index("ix_image_assets_sha256", "image_assets", ["sha256"])
    op.create_table(
        "image_asset_hashes",
        sa.Column("asset_id", sa.Integer, sa.ForeignKey("image_assets.id"), nullable=False),
        sa.Column("variant", sa.String(80), nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_image_asset_hashes_asset_id", "image_asset_hashes", ["asset_id"])
    op.create_table(
        "image_asset_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("asset_id", sa.Integer, sa.ForeignKey("image_assets.id"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("by", sa.Text, nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("image_asset_events")
    op.drop_table("image_asset_hashes")
    op.drop_table("image_assets")
