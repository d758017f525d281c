"""A blob's chunk rows are found by the blob's chunk_key, not its digest: a published upload,
staged under a temporary name, becomes content under its sha256 by renaming one blob row,
without rewriting every chunk row (SQLite rewrites a whole record, the chunk's data with it,
when any of its columns changes). Existing blobs keep their chunks under their digest.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("blobs") as batch:
        batch.add_column(sa.Column("chunk_key", sa.String(64), nullable=True))
    op.execute("UPDATE blobs SET chunk_key = digest")
    with op.batch_alter_table("blobs") as batch:
        batch.alter_column("chunk_key", existing_type=sa.String(64), nullable=False)


def downgrade() -> None:
    op.execute(
        "UPDATE blob_chunks SET digest = (SELECT b.digest FROM blobs b "
        "WHERE b.chunk_key = blob_chunks.digest) "
        "WHERE digest IN (SELECT chunk_key FROM blobs WHERE chunk_key <> digest)"
    )
    with op.batch_alter_table("blobs") as batch:
        batch.drop_column("chunk_key")
