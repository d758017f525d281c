"""Leases: work that one replica of a node at a time may do, claimed in PostgreSQL.

A lease is a session-level advisory lock (`pg_try_advisory_lock`) taken on one dedicated
connection the replica holds for its life. PostgreSQL drops every lock of a connection when
it closes: a replica killed with SIGKILL loses its leases as soon as the kernel closes its
socket, and a replica whose host vanished loses them once the server's TCP keepalive (set
short on this connection) gives up. The key is a hash of the schema and the lease name, so
nodes in other schemas of one database never collide. SQLite has one process per database
(exchange.node.statelock): there every lease is granted at once.
"""

from __future__ import annotations

import contextlib
import threading

import psycopg
from sqlalchemy.engine import make_url

_TRY = "select pg_try_advisory_lock(hashtextextended(current_schema() || ':' || %s, 0))"
_UNLOCK = "select pg_advisory_unlock(hashtextextended(current_schema() || ':' || %s, 0))"
# The server gives up on a silent client after about idle + interval * count seconds.
_KEEPALIVE = (
    "set tcp_keepalives_idle = 5",
    "set tcp_keepalives_interval = 2",
    "set tcp_keepalives_count = 3",
)


class LeaseLost(Exception):
    """The lease connection broke: every lease it held is gone."""


class LocalLeases:
    """SQLite: one process owns the database, so it holds every lease."""

    def try_take(self, name: str) -> bool:
        return True

    def release(self, name: str) -> None:
        pass

    def check(self) -> None:
        pass

    def close(self) -> None:
        pass


class PgLeases:
    """Advisory locks on one autocommit connection; every method runs in a worker thread."""

    def __init__(self, url: str, label: str = "exchange leases") -> None:
        u = make_url(url).set(drivername="postgresql")
        self._dsn = u.render_as_string(hide_password=False)
        self.label = label[:63]  # application_name: which replica holds what, in pg_stat_activity
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None
        self._lock = threading.Lock()  # one statement at a time on the connection

    def _connection(self) -> psycopg.Connection[tuple[object, ...]]:
        if self._conn is None or self._conn.closed:
            conn = psycopg.connect(
                self._dsn, autocommit=True, connect_timeout=5, application_name=self.label
            )
            for stmt in _KEEPALIVE:
                conn.execute(stmt)
            self._conn = conn
        return self._conn

    def try_take(self, name: str) -> bool:
        """Take the lease if no other connection holds it (held ones return True again)."""
        with self._lock:
            try:
                row = self._connection().execute(_TRY, (name,)).fetchone()
            except psycopg.Error as exc:
                self._drop()
                raise LeaseLost(type(exc).__name__) from None
        return bool(row and row[0])

    def release(self, name: str) -> None:
        with self._lock:
            if self._conn is None or self._conn.closed:
                return
            try:
                # A lock taken twice by one connection needs two unlocks: unlock until False.
                while (row := self._conn.execute(_UNLOCK, (name,)).fetchone()) and row[0]:
                    pass
            except psycopg.Error:
                self._drop()

    def check(self) -> None:
        """Raise LeaseLost if the connection (hence every lease on it) is gone."""
        with self._lock:
            if self._conn is None:
                return
            try:
                self._conn.execute("select 1")
            except psycopg.Error as exc:
                self._drop()
                raise LeaseLost(type(exc).__name__) from None

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                self._conn.close()
        self._conn = None

    def close(self) -> None:
        with self._lock:
            self._drop()


Leases = LocalLeases | PgLeases


def for_url(url: str, label: str = "exchange leases") -> Leases:
    return LocalLeases() if url.startswith("sqlite") else PgLeases(url, label)
