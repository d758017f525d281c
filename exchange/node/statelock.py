"""One process per node: an exclusive lock on the state dir, held for the life of `serve`.

Two processes on one state dir would write one database and take each other's operator
socket (and the one that exits first deletes the other's socket and node.json), so the second
start is refused before it touches anything. The lock is an flock on `node.lock`: the kernel
drops it when the process dies, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from exchange.errors import ConfigError

LOCK_FILE = "node.lock"


class AlreadyRunning(ConfigError):
    pass


def hold(state_dir: Path) -> IO[str]:
    """Take the state dir's lock and write our pid in it; keep the returned file open."""
    path = state_dir / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    f = os.fdopen(fd, "r+")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.seek(0)
        pid = f.read(20).strip()
        f.close()
        who = f"pid {pid}" if pid.isdigit() else "another process"
        raise AlreadyRunning(
            f"this node is already running ({who}) on {state_dir}",
            hint="stop it first (exchange status shows it), or give this node its own state_dir",
        ) from None
    f.seek(0)
    f.truncate()
    f.write(f"{os.getpid()}\n")
    f.flush()
    return f


def hold_sqlite(db_url: str, state_dir: Path) -> IO[str] | None:
    """SQLite is one process per database: a second node on the same database file (another
    state dir, same `database_url`) is refused like a second start on one state dir. None
    for PostgreSQL, where replicas share one database."""
    prefix = "sqlite:///"
    if not db_url.startswith(prefix):
        return None
    path = Path(db_url[len(prefix) :])
    if path.parent.resolve() == state_dir.resolve() and path.name == "node.db":
        return None  # the state dir's own lock covers it
    lock = path.with_name(path.name + ".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    f = os.fdopen(fd, "r+")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.close()
        raise AlreadyRunning(
            f"another node process already uses the SQLite database {path}",
            hint="SQLite serves one process: give each node its own database, or use "
            "PostgreSQL for several processes of one country",
        ) from None
    return f
