"""Initial schema: peers, channels, entries, alerts, audit.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "peers",
        sa.Column("country", sa.String(2), primary_key=True),
        sa.Column("address", sa.String(255), nullable=False),
        sa.Column("tls_fingerprint", sa.String(64), nullable=False, unique=True),
        sa.Column("tls_cert_pem", sa.LargeBinary(), nullable=False),
        sa.Column("sign_public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_key_id", sa.String(64), nullable=False),
        sa.Column("added_at", TS, nullable=False),
    )
    op.create_table(
        "channels",
        sa.Column("origin", sa.String(2), primary_key=True),
        sa.Column("recipient", sa.String(2), primary_key=True),
        sa.Column("head_seq", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.LargeBinary(), nullable=False),
        sa.Column("acked_seq", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "entries",
        sa.Column("origin", sa.String(2), primary_key=True),
        sa.Column("recipient", sa.String(2), primary_key=True),
        sa.Column("seq", sa.BigInteger(), primary_key=True),
        sa.Column("entry_hash", sa.LargeBinary(), nullable=False),
        sa.Column("envelope", sa.LargeBinary(), nullable=False),
        sa.Column("alert_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("stored_at", TS, nullable=False),
    )
    op.create_table(
        "alert_versions",
        sa.Column("origin", sa.String(2), primary_key=True),
        sa.Column("alert_id", sa.String(36), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", TS, nullable=False),
    )
    op.create_table(
        "alert_heads",
        sa.Column("origin", sa.String(2), primary_key=True),
        sa.Column("alert_id", sa.String(36), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("category", sa.Integer(), nullable=False),
        sa.Column("risk", sa.Integer(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_alert_heads_updated_at", "alert_heads", ["updated_at"])
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("peer", sa.String(2), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.LargeBinary(), nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_audit_events_event", "audit_events", ["event"])
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "audit_head",
        "audit_events",
        "alert_heads",
        "alert_versions",
        "entries",
        "channels",
        "peers",
    ):
        op.drop_table(table)
