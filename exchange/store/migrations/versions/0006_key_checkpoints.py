"""Signed key log checkpoints: the latest one held of each country, and the two checkpoints
that prove a split view, kept with its freeze.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "key_checkpoints",
        sa.Column("country", sa.String(2), primary_key=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("envelope", sa.LargeBinary(), nullable=False),
    )
    with op.batch_alter_table("key_log_freezes") as batch:
        batch.add_column(sa.Column("evidence_a", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("evidence_b", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("key_log_freezes") as batch:
        batch.drop_column("evidence_b")
        batch.drop_column("evidence_a")
    op.drop_table("key_checkpoints")
