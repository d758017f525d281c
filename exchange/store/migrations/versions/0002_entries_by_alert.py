"""Index entries by (origin, alert_id): who was sent which alert (withdrawals follow it).

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_entries_origin_alert", "entries", ["origin", "alert_id"])


def downgrade() -> None:
    op.drop_index("ix_entries_origin_alert", table_name="entries")
