"""Idempotency keys of publish/amend/withdraw (a retry returns the first result), alarm
acknowledgements (an acknowledged alarm stays shown but no longer fails `status --check`), and
each channel's highest acknowledged seq (delivery is audited once per entry).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("operation", sa.String(16), nullable=False),
        sa.Column("request_digest", sa.String(64), nullable=False),
        sa.Column("alert_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])
    op.create_table(
        "alarm_acks",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )

    with op.batch_alter_table("channels") as batch:
        batch.add_column(
            sa.Column("delivered_seq", sa.BigInteger(), nullable=False, server_default="0")
        )
    op.execute("UPDATE channels SET delivered_seq = acked_seq")


def downgrade() -> None:
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("delivered_seq")
    op.drop_table("alarm_acks")
    op.drop_index("ix_idempotency_keys_created_at", "idempotency_keys")
    op.drop_table("idempotency_keys")
