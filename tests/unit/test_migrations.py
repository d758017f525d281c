"""The Alembic migrations create exactly the tables the models describe, on both databases."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, String, Table

from exchange.store.db import Database
from exchange.store.models import Base

TABLES = {
    "peers",
    "channels",
    "entries",
    "alert_versions",
    "alert_heads",
    "audit_events",
    "audit_head",
    "subject_tokens",
    "trust_items",
    "key_log",
    "key_log_freezes",
    "quarantine",
    "key_checkpoints",
    "audit_witness",
    "idempotency_keys",
    "alarm_acks",
    "document_versions",
    "document_text",
    "blobs",
    "blob_chunks",
    "users",
    "user_tokens",
    "record_cases",
    "record_attachments",
    "audit_cuts",
    "shared_versions",
}
# SQLite's FTS5 index over document_text (migration 0010): a virtual table and its shadow
# tables, which no model describes.
FTS = {
    "document_fts",
    "document_fts_data",
    "document_fts_idx",
    "document_fts_content",
    "document_fts_docsize",
    "document_fts_config",
}


def schema_diff(db: Database, metadata: MetaData) -> list[Any]:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        return [d for d in compare_metadata(ctx, metadata) if not _fts(d)]


def _fts(diff: Any) -> bool:
    """The full-text indexes (SQLite's FTS5 tables, PostgreSQL's GIN expression index)."""
    return bool(
        (diff[0] == "remove_table" and diff[1].name in FTS)
        or (diff[0] == "remove_index" and diff[1].name == "ix_document_text_fts")
    )


def test_migration_matches_models(database: Database) -> None:
    assert schema_diff(database, Base.metadata) == []


def test_migration_creates_every_model_table(database: Database) -> None:
    assert set(Base.metadata.tables) == TABLES
    assert set(database.table_names()) - FTS == TABLES | {"alembic_version"}


def test_migrate_twice_is_harmless(database: Database) -> None:
    database.migrate()
    assert schema_diff(database, Base.metadata) == []


def test_schema_comparison_detects_drift(database: Database) -> None:
    """The comparison above can fail: a model change without a migration is reported."""
    drifted = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(drifted)
    peers = drifted.tables["peers"]
    peers.append_column(Column("region", String(20), nullable=False))
    Table("documents", drifted, Column("id", Integer, primary_key=True))

    diff = schema_diff(database, drifted)

    kinds = {(d[0], d[3].name if d[0] == "add_column" else d[1].name) for d in diff}
    assert ("add_column", "region") in kinds
    assert ("add_table", "documents") in kinds
