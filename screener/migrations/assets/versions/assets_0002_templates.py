"""The asset bank: shape templates of the assets, for verifying flat graphics.

Revision ID: assets_0002
Revises: assets_0001

One row per asset registered from now on: its picture in grey, longest side 256, and where the
picture its hashes were computed from lies in it. Assets registered before have none and are
verified by ORB alone until added again.
"""

import sqlalchemy as sa
from alembic import op

revision = "assets_0002"
down_revision = "assets_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "image_asset_templates",
        sa.Column("asset_id", sa.Integer, sa.ForeignKey("image_assets.id"), primary_key=True),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("pixels", sa.LargeBinary, nullable=False),
        sa.Column("hash_x0", sa.Float, nullable=False),
        sa.Column("hash_y0", sa.Float, nullable=False),
        sa.Column("hash_x1", sa.Float, nullable=False),
        sa.Column("hash_y1", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("image_asset_templates")
