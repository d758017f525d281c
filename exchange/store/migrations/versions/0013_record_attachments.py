"""Record attachments travel as content (chunked, resumable, verified): one row per
attachment of an answered request, on both sides.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_attachments",
        sa.Column("direction", sa.String(3), primary_key=True),
        sa.Column("peer", sa.String(2), primary_key=True),
        sa.Column("request_id", sa.String(36), primary_key=True),
        sa.Column("idx", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("digest", sa.String(64), nullable=False, index=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("manifest", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("record_attachments")
