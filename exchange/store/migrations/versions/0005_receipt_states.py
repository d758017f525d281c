"""What became of received content: entry kind, state and note; purged versions; quarantine;
alert heads by id (an id is held under one origin only).

Existing received entries whose content was refused (no alert version was stored for them)
lose their payload here: only the channel position is kept.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entries") as t:
        t.add_column(sa.Column("item_kind", sa.String(16), nullable=False, server_default="alert"))
        t.add_column(sa.Column("state", sa.String(16), nullable=False, server_default="stored"))
        t.add_column(sa.Column("note", sa.String(300), nullable=False, server_default=""))
    with op.batch_alter_table("entries") as t:  # existing rows got "", new rows name theirs
        t.alter_column("note", server_default=None)
    with op.batch_alter_table("alert_versions") as t:
        t.add_column(sa.Column("purged", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index("ix_alert_heads_alert_id", "alert_heads", ["alert_id"])
    op.create_table(
        "quarantine",
        sa.Column("origin", sa.String(2), primary_key=True),
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("alert_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
    )
    versions = (
        "select 1 from alert_versions v where v.origin = entries.origin "
        "and v.alert_id = entries.alert_id and v.version = entries.version"
    )
    op.execute(
        "update entries set item_kind = 'withdrawal' where exists "
        f"({versions} and v.withdrawn = {_true()})"
    )
    # An entry of ours always has its version (publish writes both at once), so only received
    # entries whose content was refused match here.
    op.execute(
        "update entries set envelope = :empty, state = 'refused', "
        "note = 'content refused (kept no payload since migration 0005)' "
        f"where not exists ({versions})".replace(":empty", _empty_bytes())
    )


def _true() -> str:
    return "true" if op.get_bind().dialect.name == "postgresql" else "1"


def _empty_bytes() -> str:
    return "''::bytea" if op.get_bind().dialect.name == "postgresql" else "x''"


def downgrade() -> None:
    op.drop_table("quarantine")
    op.drop_index("ix_alert_heads_alert_id", table_name="alert_heads")
    with op.batch_alter_table("alert_versions") as t:
        t.drop_column("purged")
    with op.batch_alter_table("entries") as t:
        t.drop_column("note")
        t.drop_column("state")
        t.drop_column("item_kind")
