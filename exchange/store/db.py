"""Engine creation and migrations.

SQLite runs in WAL mode with one writer at a time (a process-local lock: one node process owns
its SQLite file). PostgreSQL relies on row locks (`FOR UPDATE`) taken by the repositories.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from exchange.errors import ConfigError

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATE_LOCK = "select pg_advisory_xact_lock(hashtextextended(current_schema() || :name, 0))"


def aware(at: datetime) -> datetime:
    """A time read back from the store, with its UTC offset (SQLite keeps UTC wall-clock time
    without it; PostgreSQL returns it aware)."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


class Database:
    """An engine, a session factory and the write discipline for one node."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 30}
        else:
            # The node's 4 database threads plus a little headroom: PostgreSQL's connection limit
            # (100 by default) is shared with every other node and client of the server.
            kwargs.update(pool_size=5, max_overflow=3, pool_pre_ping=True)
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.Lock() if self.is_sqlite else None

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on any error."""
        if self._write_lock is not None:
            with self._write_lock, self._sessions.begin() as session:
                yield session
        else:
            with self._sessions.begin() as session:
                yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read transaction that sees one snapshot across all its statements (SQLite's WAL
        readers do; PostgreSQL's default READ COMMITTED would let a second statement see what
        committed after the first, e.g. audit events newer than the head read just before)."""
        with self._sessions() as session:
            if not self.is_sqlite:
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield session

    def migrate(self) -> None:
        """Apply Alembic migrations up to head (run at every start)."""
        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self.engine.begin() as conn:
                if not self.is_sqlite:  # replicas starting at once: one migrates, others wait
                    conn.execute(text(MIGRATE_LOCK), {"name": ":migrate"})
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except OperationalError as exc:
            raise ConfigError(
                f"cannot open the database: {str(exc.orig).strip().splitlines()[0]}",
                hint="check database_url in the node config and that the database is running",
            ) from None

    def table_names(self) -> list[str]:
        return inspect(self.engine).get_table_names()

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # 64 KiB pages: a 1 MiB document chunk is 16 overflow pages instead of 256, which about
    # doubles SQLite's write rate for content (bench/documents.py); the alert ingest is the
    # same (bench/ingest.py). It takes effect only on a new database, before its first table
    # (and before WAL mode); on an existing one it is a no-op.
    cur.execute("PRAGMA page_size=65536")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()
