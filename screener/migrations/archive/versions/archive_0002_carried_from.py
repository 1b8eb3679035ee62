"""Reports carried forward by an incremental re-screening name the report they repeat.

Revision ID: archive_0002
Revises: archive_0001

Archives made before Alembic are stamped archive_0001 whatever release made them; the releases
with incremental re-screening already have the column, so it is added only when missing.
"""

import sqlalchemy as sa
from alembic import op

revision = "archive_0002"
down_revision = "archive_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("rs_reports")}
    if "carried_from" not in columns:
        op.add_column("rs_reports", sa.Column("carried_from", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rs_reports") as batch:
        batch.drop_column("carried_from")
