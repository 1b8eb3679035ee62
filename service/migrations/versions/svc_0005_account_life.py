"""The account's life under the rule (schema version 5): applications with their files and
the 党政联席会's decision, the units' priority orders, password keepers and changes, violation
records, the closing result, a password-change interval per account.

Revision ID: svc_0005
Revises: svc_0004

Accounts registered before this revision keep their status: they were active, and stay so.
Each step is made only when missing, like svc_0002 to svc_0004: a database adopted from the
steps before Alembic may be stamped at an older revision than its tables show.
"""

import sqlalchemy as sa
from alembic import op

revision = "svc_0005"
down_revision = "svc_0004"
branch_labels = None
depends_on = None


def _add_column(table: str, column: sa.Column) -> None:
    inspector = sa.inspect(op.get_bind())
    if inspector.has_table(table) and column.name not in {
            c["name"] for c in inspector.get_columns(table)}:
        op.add_column(table, column)


def upgrade() -> None:
    _add_column("svc_accounts", sa.Column("password_interval_days", sa.Integer, nullable=True))
    _add_column("svc_account_events", sa.Column("note", sa.Text, nullable=True))
    if sa.inspect(op.get_bind()).has_table("svc_violations"):
        return
    op.create_table(
        "svc_priority_orders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("svc_units.id"), nullable=False),
        sa.Column("accounts", sa.Text, nullable=False),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.Column("set_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_svc_priority_orders_unit_id", "svc_priority_orders", ["unit_id"])
    op.create_table(
        "svc_applications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("svc_accounts.id"), nullable=False,
                  unique=True),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("operating_plan", sa.Text, nullable=False),
        sa.Column("justification", sa.Text, nullable=False),
        sa.Column("priority_order_id", sa.Integer, sa.ForeignKey("svc_priority_orders.id"),
                  nullable=True),
        sa.Column("applied_by", sa.String(200), nullable=False),
        sa.Column("applied_at", sa.String(32), nullable=False),
        sa.Column("decision", sa.String(20), nullable=True),
        sa.Column("decided_on", sa.String(10), nullable=True),
        sa.Column("party_signatory", sa.String(200), nullable=True),
        sa.Column("admin_signatory", sa.String(200), nullable=True),
        sa.Column("decision_note", sa.Text, nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_at", sa.String(32), nullable=True),
    )
    op.create_table(
        "svc_documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("svc_accounts.id"), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("media_type", sa.String(50), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("uploaded_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_svc_documents_account_id", "svc_documents", ["account_id"])
    op.create_table(
        "svc_password_keepers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("svc_accounts.id"), nullable=False),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("svc_people.id"), nullable=False),
        sa.Column("effective_on", sa.String(10), nullable=False),
        sa.Column("ended_on", sa.String(10), nullable=True),
        sa.Column("reported_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_svc_password_keepers_account_id", "svc_password_keepers",
                    ["account_id"])
    op.create_table(
        "svc_password_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("svc_accounts.id"), nullable=False),
        sa.Column("changed_on", sa.String(10), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_svc_password_changes_account_id", "svc_password_changes",
                    ["account_id"])
    op.create_table(
        "svc_violations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("svc_accounts.id"), nullable=False),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("svc_units.id"), nullable=False),
        sa.Column("draft_id", sa.Integer, sa.ForeignKey("svc_drafts.id"), nullable=True),
        sa.Column("recheck_id", sa.Integer, sa.ForeignKey("svc_rechecks.id"), nullable=True,
                  unique=True),
        sa.Column("post_key", sa.String(200), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("published_on", sa.String(10), nullable=False),
        sa.Column("article", sa.String(100), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("people", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("criticized", sa.Integer, nullable=False),
        sa.Column("suspended_until", sa.String(10), nullable=True),
        sa.Column("referred", sa.Integer, nullable=False),
        sa.Column("action_on", sa.String(10), nullable=True),
        sa.Column("action_note", sa.Text, nullable=True),
        sa.Column("action_by", sa.String(200), nullable=True),
        sa.Column("action_at", sa.String(32), nullable=True),
    )
    op.create_index("ix_svc_violations_account_id", "svc_violations", ["account_id"])
    op.create_index("ix_svc_violations_unit_id", "svc_violations", ["unit_id"])


def downgrade() -> None:
    for table in ("svc_violations", "svc_password_changes", "svc_password_keepers",
                  "svc_documents", "svc_applications", "svc_priority_orders"):
        op.drop_table(table)
    with op.batch_alter_table("svc_account_events") as batch:
        batch.drop_column("note")
    with op.batch_alter_table("svc_accounts") as batch:
        batch.drop_column("password_interval_days")
