"""People and roles (users, API token hashes) and liaison record requests, both directions.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "user_tokens",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("user", sa.String(64), nullable=False, index=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
    )
    op.create_table(
        "record_cases",
        sa.Column("direction", sa.String(3), primary_key=True),
        sa.Column("peer", sa.String(2), primary_key=True),
        sa.Column("request_id", sa.String(36), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("alert_origin", sa.String(2), nullable=False),
        sa.Column("alert_id", sa.String(36), nullable=False),
        sa.Column("hit_kind", sa.String(32), nullable=False),
        sa.Column("purpose", sa.String(1000), nullable=False),
        sa.Column("legal_basis", sa.String(500), nullable=False),
        sa.Column("urgent", sa.Boolean, nullable=False),
        sa.Column("officer", sa.String(64), nullable=False),
        sa.Column("requested_at", TZ, nullable=False),
        sa.Column("due_at", TZ, nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=False),
        sa.Column("decided_at", TZ, nullable=True),
        sa.Column("response_id", sa.String(36), nullable=False),
        sa.Column("handling", sa.Integer, nullable=False),
        sa.Column("restrictions", sa.String(1000), nullable=False),
        sa.Column("fields", sa.String(2000), nullable=False),
        sa.Column("attachments", sa.Integer, nullable=False),
        sa.Column("sealed", sa.LargeBinary, nullable=False),
        sa.Column("seal_key_id", sa.String(64), nullable=False),
        sa.Column("sign_key_id", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("record_cases")
    op.drop_table("user_tokens")
    op.drop_table("users")
