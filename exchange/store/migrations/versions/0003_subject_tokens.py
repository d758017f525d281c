"""Index of received subject tokens, for local hit / no-hit matching.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subject_tokens",
        sa.Column("value", sa.LargeBinary(), primary_key=True),
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("epoch", sa.BigInteger(), primary_key=True),  # uint32 on the wire
        sa.Column("origin", sa.String(2), primary_key=True),
        sa.Column("alert_id", sa.String(36), primary_key=True),
    )
    op.create_index("ix_subject_tokens_alert", "subject_tokens", ["origin", "alert_id"])


def downgrade() -> None:
    op.drop_index("ix_subject_tokens_alert", table_name="subject_tokens")
    op.drop_table("subject_tokens")
