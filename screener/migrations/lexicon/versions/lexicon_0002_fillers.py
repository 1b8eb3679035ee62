"""Terms may be marked ``fillers``: they also fire with a filler character between their
characters (代的孕).

Revision ID: lexicon_0002
Revises: lexicon_0001

Stores made before Alembic are stamped lexicon_0001; a store from a branch that added the column
in place already has it, so it is added only when missing.
"""

import sqlalchemy as sa
from alembic import op

revision = "lexicon_0002"
down_revision = "lexicon_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("lexicon_events")}
    if "fillers" not in columns:
        op.add_column("lexicon_events", sa.Column("fillers", sa.Boolean, nullable=False,
                                                  server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("lexicon_events") as batch:
        batch.drop_column("fillers")
