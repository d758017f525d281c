"""Documents: versions with their signed manifests, searchable text, and content stored once
per sha256 in chunk rows (SQLite: an FTS5 index over the text; PostgreSQL: GIN full text).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "document_versions",
        sa.Column("origin", sa.String(2), primary_key=True),
        sa.Column("document_id", sa.String(36), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("manifest", sa.LargeBinary, nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("topic", sa.String(48), nullable=False),
        sa.Column("language", sa.String(35), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("chunk_size", sa.Integer, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("issued_at", TZ, nullable=False),
        sa.Column("stored_at", TZ, nullable=False),
        sa.Column("withdrawn", sa.Boolean, nullable=False),
        sa.Column("withdraw_reason", sa.String(500), nullable=False),
        sa.Column("note", sa.String(300), nullable=False),
        sa.Column("wanted", sa.Boolean, nullable=False),
    )
    op.create_index("ix_document_versions_content", "document_versions", ["content_sha256"])
    op.create_table(
        "document_text",
        sa.Column("origin", sa.String(2), primary_key=True),
        sa.Column("document_id", sa.String(36), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_table(
        "blobs",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("chunk_size", sa.Integer, nullable=False),
        sa.Column("chunks", sa.Integer, nullable=False),
        sa.Column("have", sa.Integer, nullable=False),
        sa.Column("complete", sa.Boolean, nullable=False),
        sa.Column("source", sa.String(2), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "blob_chunks",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("idx", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        # An external-content FTS5 index over document_text, kept in step by triggers.
        op.execute(
            "CREATE VIRTUAL TABLE document_fts USING fts5(body, content='document_text', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER document_text_ai AFTER INSERT ON document_text BEGIN "
            "INSERT INTO document_fts(rowid, body) VALUES (new.rowid, new.body); END"
        )
        op.execute(
            "CREATE TRIGGER document_text_ad AFTER DELETE ON document_text BEGIN "
            "INSERT INTO document_fts(document_fts, rowid, body) "
            "VALUES ('delete', old.rowid, old.body); END"
        )
    else:
        op.execute(
            "CREATE INDEX ix_document_text_fts ON document_text "
            "USING gin (to_tsvector('simple', body))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS document_text_ad")
        op.execute("DROP TRIGGER IF EXISTS document_text_ai")
        op.execute("DROP TABLE IF EXISTS document_fts")
    for table in ("blob_chunks", "blobs", "document_text", "document_versions"):
        op.drop_table(table)
