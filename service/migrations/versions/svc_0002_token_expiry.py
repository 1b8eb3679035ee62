"""Tokens may expire (schema version 2).

Revision ID: svc_0002
Revises: svc_0001

Before Alembic, step 1 created the tables as the code then defined them, so a database whose
step 1 ran on a later release already has the column: it is added only when missing.
"""

import sqlalchemy as sa
from alembic import op

revision = "svc_0002"
down_revision = "svc_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("svc_tokens")}
    if "expires_at" not in columns:
        op.add_column("svc_tokens", sa.Column("expires_at", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("svc_tokens") as batch:
        batch.drop_column("expires_at")
