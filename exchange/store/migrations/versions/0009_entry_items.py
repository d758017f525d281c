"""Every channel entry names its item by kind and id: entries.alert_id becomes item_id (64
characters, for kinds whose ids are not UUIDs), existing rows keep their ids.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_entries_origin_alert", table_name="entries")
    with op.batch_alter_table("entries") as batch:
        batch.alter_column(
            "alert_id",
            new_column_name="item_id",
            existing_type=sa.String(36),
            type_=sa.String(64),
            existing_nullable=False,
        )
    op.create_index("ix_entries_origin_item", "entries", ["origin", "item_id"])


def downgrade() -> None:
    op.drop_index("ix_entries_origin_item", table_name="entries")
    with op.batch_alter_table("entries") as batch:
        batch.alter_column(
            "item_id",
            new_column_name="alert_id",
            existing_type=sa.String(64),
            type_=sa.String(36),
            existing_nullable=False,
        )
    op.create_index("ix_entries_origin_alert", "entries", ["origin", "alert_id"])
