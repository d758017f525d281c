"""Shared versions: what replicas of one node on one PostgreSQL database hold in memory
(trust state, peers, policy) gets a counter here, bumped by the replica that changed it, so
the others reload it.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shared_versions",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("note", sa.String(128), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("shared_versions")
