"""Backup and restore of a SQLite node's database.

`backup` copies the database while the node runs, with SQLite's online backup API
(`sqlite3.Connection.backup`): the copy is taken inside one read transaction of the source, so
it is the database as it stood at one instant, whatever the node commits meanwhile (in WAL mode
readers never block the node's writers, and the copy never restarts). It is written 0600 to a
new file and never overwrites one. Private keys are not in the database (they are the state
dir's *.key files) and are never copied: they are backed up separately, offline.

The `node.backup` audit event (the file's sha256 and the audit head seq it holds) is written
directly into the node's database, as `exchange audit verify` reads it directly, rather than
through the node: a backup must work whether or not the node runs, and the Operator API has no
call to append an event. The write is a `BEGIN IMMEDIATE` transaction, so it holds SQLite's
write lock before it reads the chain head: it chains on the true head, and the node's writers
wait for it (busy_timeout) as for any other writer. (The node serialises its own writers in
memory too, but each reads the head inside its own transaction, so a writer of another process
can never fork the chain: at worst a node write that raced it within microseconds fails on the
event seq's primary key and is retried by its caller.)

`restore` works on a stopped node only (it holds the state dir's lock, as `serve` does, for
the whole run). It checks a copy of the backup before it replaces anything: the file opens as
SQLite and passes `PRAGMA quick_check`, its Alembic revision is one this code knows (older is
migrated, newer is refused), its audit chain verifies up to its head, and every channel's head
is its last stored entry. Then the old database is kept beside as
`node.db.before-restore-<stamp>` and the checked copy takes its place, with a `node.restored`
audit event.

PostgreSQL nodes are backed up and restored with pg_dump / pg_restore (deploy/POSTGRESQL.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.orm import Session

from exchange.app import audit as app_audit
from exchange.audit import AuditBroken, verify_chain
from exchange.clock import SystemClock
from exchange.config import NodeConfig
from exchange.errors import ConfigError
from exchange.node import statelock
from exchange.store import repo
from exchange.store.db import MIGRATIONS, Database
from exchange.store.models import Channel, Entry

BACKUP_STEP_PAGES = 64  # pages per backup step (64 KiB pages: 4 MiB), for the progress bar

Progress = Callable[[int, int], None]  # (pages copied, pages in all)


class BackupRefused(ConfigError):
    """A backup cannot be taken or used; the message says why, the hint what to do."""


@dataclass(frozen=True)
class BackupTaken:
    path: Path
    sha256: str
    size: int
    audit_seq: int  # the audit head the backup holds
    audit_event: int  # seq of the node.backup event in the live database


@dataclass(frozen=True)
class ChannelPlan:
    """One channel of the restored node and what happens on it after the restart."""

    peer: str
    direction: str  # "outgoing" (ours to the peer) or "incoming" (the peer's to us)
    head_seq: int
    acked_seq: int  # outgoing: what the peer had acknowledged at backup time
    action: str


@dataclass(frozen=True)
class Restored:
    source: Path
    sha256: str
    kept: Path | None  # the database replaced, kept beside
    revision: str
    audit_events: int
    channels: list[ChannelPlan]


def pg_dump_hint(cfg: NodeConfig) -> str:
    url = cfg.db_url.replace("postgresql+psycopg://", "postgresql://")
    return f"pg_dump --format=custom --file={cfg.country}.dump '{url}'"


def sqlite_path(cfg: NodeConfig, verb: str) -> Path:
    url = cfg.db_url
    if not url.startswith("sqlite"):
        if verb == "backup":
            raise BackupRefused(
                "this node's database is PostgreSQL: exchange backup copies SQLite only",
                hint=f"back it up online with: {pg_dump_hint(cfg)}  (see deploy/POSTGRESQL.md)",
            )
        raise BackupRefused(
            "this node's database is PostgreSQL: exchange restore restores SQLite only",
            hint="restore a pg_dump file with pg_restore, node stopped (see deploy/POSTGRESQL.md)",
        )
    return Path(url.split(":///", 1)[1])


# -- backup ------------------------------------------------------------------------------


def backup(cfg: NodeConfig, out: Path, progress: Progress | None = None) -> BackupTaken:
    """Copy the node's SQLite database to `out` (a new file, 0600) while the node may run, and
    audit it as `node.backup` in the live database."""
    db_path = sqlite_path(cfg, "backup")
    if not db_path.exists():
        raise ConfigError(
            f"no database at {db_path}", hint="run exchange init first, or check state_dir"
        )
    if out.exists() or out.is_symlink():
        raise BackupRefused(
            f"{out} already exists", hint="give a new file name: nothing is overwritten"
        )
    if not out.parent.is_dir():
        raise BackupRefused(f"no directory {out.parent}", hint="create it first")
    part = out.with_name(f".{out.name}.part-{os.getpid()}")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    try:
        _copy(db_path, part, progress)
        _fsync(part)
        digest, size = _sha256(part)
        audit_seq = _audit_head_seq(part)
        try:
            os.link(part, out)  # refuses to replace a file made meanwhile
        except FileExistsError:
            raise BackupRefused(
                f"{out} already exists", hint="give a new file name: nothing is overwritten"
            ) from None
    finally:
        part.unlink(missing_ok=True)
    seq = record_event(
        db_path, "node.backup", {"file": out.name, "sha256": digest, "audit_seq": audit_seq}
    )
    return BackupTaken(out, digest, size, audit_seq, seq)


def _copy(src_path: Path, dst_path: Path, progress: Progress | None) -> None:
    src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(dst_path)
    try:
        # One read transaction for the whole copy: the snapshot stays the same between steps,
        # so the node's commits meanwhile neither show in the copy nor restart it.
        src.isolation_level = None
        src.execute("BEGIN")
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()

        def step(_status: int, remaining: int, total: int) -> None:
            if progress is not None:
                progress(total - remaining, total)

        src.backup(dst, pages=BACKUP_STEP_PAGES, progress=step)
        src.execute("COMMIT")
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside
    finally:
        dst.close()
        src.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _audit_head_seq(path: Path) -> int:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT seq FROM audit_head WHERE id = 1").fetchone()
    except sqlite3.Error:
        return 0
    finally:
        con.close()
    return int(row[0]) if row else 0


def record_event(db_path: Path, name: str, detail: dict[str, Any]) -> int:
    """Append one audit event to a SQLite node database from outside the node: BEGIN
    IMMEDIATE takes the write lock before the chain head is read (see the module docstring)."""
    engine = create_engine(
        f"sqlite:///{db_path}", connect_args={"timeout": 30, "isolation_level": None}
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA busy_timeout=30000")

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        with Session(engine) as s, s.begin():
            return repo.append_audit(s, SystemClock().now(), name, detail)
    finally:
        engine.dispose()


# -- restore -----------------------------------------------------------------------------


def known_revisions() -> tuple[list[str], str]:
    """Every Alembic revision this code knows, oldest first, and the newest."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(cfg)
    revs = [r.revision for r in script.walk_revisions()][::-1]
    head = script.get_current_head()
    assert head is not None
    return revs, head


@contextlib.contextmanager
def node_stopped(cfg: NodeConfig) -> Iterator[IO[str]]:
    """The state dir's lock, held as `serve` holds it: refuses when the node runs."""
    try:
        lock = statelock.hold(cfg.state_dir)
    except statelock.AlreadyRunning as exc:
        raise BackupRefused(
            f"the node is running: {exc.message}",
            hint="stop it first (exchange restore replaces the database of a stopped node)",
        ) from None
    try:
        yield lock
    finally:
        lock.close()


def restore(cfg: NodeConfig, source: Path, *, stamp: str | None = None) -> Restored:
    """Check `source` and make it the node's database (the node must be stopped)."""
    db_path = sqlite_path(cfg, "restore")
    if not source.is_file():
        raise BackupRefused(
            f"no backup file at {source}", hint="give the file exchange backup wrote"
        )
    with node_stopped(cfg):
        stamp = stamp or SystemClock().now().strftime("%Y%m%dT%H%M%SZ")
        staging = db_path.with_name(f"{db_path.name}.restoring-{os.getpid()}")
        digest, _ = _sha256(source)
        try:
            shutil.copyfile(source, staging)
            os.chmod(staging, 0o600)
            revision = _check_sqlite(staging, source)
            events, channels = _check_state(staging, cfg.country, source)
            kept = _swap(db_path, staging, stamp)
        finally:
            for p in _with_sidecars(staging):
                p.unlink(missing_ok=True)
        record_event(
            db_path,
            "node.restored",
            {"sha256": digest, "audit_seq": events, "kept": kept.name if kept else ""},
        )
    return Restored(source, digest, kept, revision, events, channels)


def _check_sqlite(path: Path, shown: Path) -> str:
    """The file is a sound SQLite database of a revision this code knows; return it."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = con.execute("PRAGMA quick_check").fetchone()
            rows = con.execute("SELECT version_num FROM alembic_version").fetchall()
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise BackupRefused(
            f"{shown} is not a usable SQLite database ({exc})",
            hint="nothing was changed; give another backup",
        ) from None
    if not ok or ok[0] != "ok":
        raise BackupRefused(
            f"{shown} is damaged (SQLite's check: {ok[0] if ok else 'no answer'})",
            hint="nothing was changed; give another backup",
        )
    revs, head = known_revisions()
    if len(rows) != 1 or rows[0][0] not in revs:
        found = rows[0][0] if len(rows) == 1 else "none"
        raise BackupRefused(
            f"{shown} has database revision {found}, which this code does not know (newest "
            f"known: {head})",
            hint="nothing was changed; restore it with the exchange version that wrote it",
        )
    return str(rows[0][0])


def _check_state(path: Path, me: str, shown: Path) -> tuple[int, list[ChannelPlan]]:
    """Migrate the staging copy to this code's revision, then verify its audit chain and
    channel heads; return the audit event count and what each channel will do."""
    db = Database(f"sqlite:///{path}")
    try:
        db.migrate()
        with db.read() as s:
            try:
                events = verify_chain(
                    repo.audit_events(s), repo.audit_head(s), app_audit.start_of(s)
                )
            except AuditBroken as exc:
                raise BackupRefused(
                    f"{shown}: its audit chain does not verify: {exc.message}",
                    hint="nothing was changed; the backup was altered or damaged: use another",
                ) from None
            plans = [_channel_check(s, ch, me, shown) for ch in s.scalars(select(Channel))]
    finally:
        db.close()
    plans.sort(key=lambda p: (p.peer, p.direction))
    return events, plans


def _channel_check(s: Session, ch: Channel, me: str, shown: Path) -> ChannelPlan:
    last = s.execute(
        select(Entry.seq, Entry.entry_hash)
        .where(Entry.origin == ch.origin, Entry.recipient == ch.recipient)
        .order_by(Entry.seq.desc())
        .limit(1)
    ).first()
    count = s.scalar(
        select(func.count())
        .select_from(Entry)
        .where(Entry.origin == ch.origin, Entry.recipient == ch.recipient)
    )
    seq, digest = (int(last[0]), bytes(last[1])) if last else (0, None)
    name = f"{ch.origin} -> {ch.recipient}"
    if ch.head_seq != seq or (digest is not None and bytes(ch.head_hash) != digest):
        raise BackupRefused(
            f"{shown}: channel {name} records head {ch.head_seq} but its last entry is {seq}",
            hint="nothing was changed; the backup is inconsistent: use another",
        )
    if count != seq:
        raise BackupRefused(
            f"{shown}: channel {name} holds {count} entries up to seq {seq}: some are missing",
            hint="nothing was changed; the backup is inconsistent: use another",
        )
    if ch.origin == me:
        action = (
            f"we resend from seq {ch.acked_seq + 1} what {ch.recipient} had not acknowledged "
            f"when the backup was taken (replays are acknowledged unchanged); if "
            f"{ch.recipient} received our entries after seq {ch.head_seq} (sent after the "
            f"backup), those are lost here and the channel has diverged: {ch.recipient} "
            f"refuses our new entries from seq {ch.head_seq + 1} as a fork (FAILED_PRECONDITION "
            f"with its head), and exchange status shows the link failed"
        )
        return ChannelPlan(ch.recipient, "outgoing", ch.head_seq, ch.acked_seq, action)
    action = f"peer {ch.origin} will resend from seq {ch.head_seq + 1}"
    return ChannelPlan(ch.origin, "incoming", ch.head_seq, 0, action)


def _with_sidecars(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _swap(db_path: Path, staging: Path, stamp: str) -> Path | None:
    """Keep the current database (and its WAL) beside, then move the checked copy in."""
    kept: Path | None = None
    if db_path.exists():
        kept = db_path.with_name(f"{db_path.name}.before-restore-{stamp}")
        if kept.exists():
            raise BackupRefused(f"{kept} already exists", hint="wait a second and run it again")
        for old, new in zip(_with_sidecars(db_path), _with_sidecars(kept), strict=True):
            if old.exists():
                os.replace(old, new)
    os.replace(staging, db_path)
    return kept
