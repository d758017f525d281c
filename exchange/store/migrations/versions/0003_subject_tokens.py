"""Index of received subject tokens, for local hit / no-hit matching.

Append-only and compact (a 64-bit fingerprint per token, one integer index), so indexing costs
little on the receive path; a lookup confirms candidates against the alert's latest version.

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
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("tok", sa.BigInteger(), nullable=False),
        sa.Column("origin", sa.String(2), nullable=False),
        sa.Column("alert_id", sa.String(36), nullable=False),
    )
    op.create_index("ix_subject_tokens_tok", "subject_tokens", ["tok"])


def downgrade() -> None:
    op.drop_index("ix_subject_tokens_tok", table_name="subject_tokens")
    op.drop_table("subject_tokens")
