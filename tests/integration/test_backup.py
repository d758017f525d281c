"""Backups (issue 13 item 5): `exchange backup` copies a running SQLite node's database while
alerts keep arriving; `exchange restore` refuses a damaged or altered backup and a running node,
changing nothing, and after a real restore and restart delivery resumes in both directions with
nothing lost and nothing doubled. On PostgreSQL, backup refuses with the pg_dump command.
Real nodes, in-process (tests/inproc.py)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from exchange.app import backup as app_backup
from exchange.audit import verify_chain
from exchange.store import repo
from exchange.store.db import Database
from exchange.store.models import AuditEvent, Channel
from tests.audit_tamper import rewrite_audit
from tests.inproc import InprocNode, InprocRegion, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]


async def publish(node: InprocNode, summary: str) -> str:
    out = await node.cli(
        "alerts",
        "publish",
        "--json",
        "--category",
        "escape",
        "--risk",
        "high",
        "--handling",
        "H1",
        "--summary",
        summary,
        "--region",
        "Karaganda",
    )
    return str(json.loads(out)["alert_id"])


def db_file(node: InprocNode) -> Path:
    return node.state_dir / "node.db"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def audit_events(path: Path, name: str) -> list[dict[str, object]]:
    db = Database(f"sqlite:///{path}")
    try:
        with db.read() as s:
            rows = s.scalars(select(AuditEvent).where(AuditEvent.event == name))
            return [json.loads(r.detail) for r in rows]
    finally:
        db.close()


def heads(path: Path) -> dict[tuple[str, str], tuple[int, int]]:
    db = Database(f"sqlite:///{path}")
    try:
        with db.read() as s:
            return {
                (c.origin, c.recipient): (c.head_seq, c.acked_seq)
                for c in s.scalars(select(Channel))
            }
    finally:
        db.close()


# exchange backup copies SQLite; PostgreSQL has its own test (the refusal with pg_dump).
SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
POSTGRESQL_ONLY = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


@SQLITE_ONLY
async def test_backup_while_alerts_arrive(
    make_inproc_region: Callable[..., InprocRegion], tmp_path: Path
) -> None:
    region = make_inproc_region(("kz", "kg"))
    await region.start()
    kz, kg = region["kz"], region["kg"]
    for i in range(3):
        await publish(kg, f"Transfer notice {i}")
    stop = asyncio.Event()

    async def keep_publishing() -> int:
        n = 0
        while not stop.is_set():
            await publish(kg, f"Arriving during the backup {n}")
            n += 1
        return n

    publisher = asyncio.create_task(keep_publishing())
    await asyncio.sleep(0.3)
    out = tmp_path / "kz.backup"
    proc = await kz.run("backup", "--out", str(out), "--json")
    stop.set()
    sent = await publisher
    assert proc.returncode == 0, proc.stderr
    taken = json.loads(proc.stdout)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert taken["sha256"] == digest(out) and taken["bytes"] == out.stat().st_size
    assert sent >= 1
    await region.wait_converged("kg")

    # a consistent copy: its audit chain verifies to its head, its channel heads to entries
    copy = tmp_path / "check.db"
    shutil.copyfile(out, copy)
    db = Database(f"sqlite:///{copy}")
    try:
        with db.read() as s:
            assert verify_chain(repo.audit_events(s), repo.audit_head(s)) == taken["audit_seq"]
            for ch in s.scalars(select(Channel)):
                app_backup._channel_check(s, ch, "kz", copy)
    finally:
        db.close()
    # no private key in it
    data = out.read_bytes()
    keys = list(kz.state_dir.glob("*.key"))
    assert keys and not any(k.read_bytes() in data for k in keys)

    # audited in the live database, with the file's digest and the head it holds
    [ev] = audit_events(db_file(kz), "node.backup")
    assert ev["sha256"] == taken["sha256"] and ev["audit_seq"] == taken["audit_seq"]
    code, _, err = await _cli(kz, "audit", "verify")
    assert code == 0, err

    # never overwrites
    before = digest(out)
    code, _, err = await _cli(kz, "backup", "--out", str(out))
    assert code == 1 and "already exists" in err and "Traceback" not in err
    assert digest(out) == before


async def _cli(node: InprocNode, *args: str) -> tuple[int, str, str]:
    proc = await node.run(*args)
    return proc.returncode, proc.stdout, proc.stderr


@SQLITE_ONLY
async def test_restore_refuses_bad_backups_and_a_running_node(
    make_inproc_region: Callable[..., InprocRegion], tmp_path: Path
) -> None:
    region = make_inproc_region(("kz", "kg"))
    await region.start()
    kz, kg = region["kz"], region["kg"]
    await publish(kz, "Escape from facility 2")
    await region.wait_converged("kz")
    good = tmp_path / "good.backup"
    code, _, err = await _cli(kz, "backup", "--out", str(good))
    assert code == 0, err

    code, _, err = await _cli(kz, "restore", "--from", str(good))
    assert code == 1 and "the node is running" in err and "Traceback" not in err

    await kz.stop()
    before = digest(db_file(kz))
    listing = sorted(p.name for p in kz.state_dir.iterdir())

    corrupt = tmp_path / "corrupt.backup"
    corrupt.write_bytes(good.read_bytes()[:4096] + b"\x00garbage" * 1000)
    garbage = tmp_path / "garbage.backup"
    garbage.write_bytes(b"not a database at all\n" * 100)
    edited = tmp_path / "edited.backup"
    shutil.copyfile(good, edited)
    db = Database(f"sqlite:///{edited}")
    try:
        with db.write() as s:  # an event edited in place, the chain not recomputed
            ev = s.get(AuditEvent, 2)
            assert ev is not None
            ev.detail = json.dumps({"edited": True})
    finally:
        db.close()
    unlinked = tmp_path / "unlinked.backup"
    shutil.copyfile(good, unlinked)
    db = Database(f"sqlite:///{unlinked}")
    try:
        rewrite_audit(db, drop=1)  # recomputed: the chain verifies, but the head check is ours
        with db.write() as s:
            ch = s.get(Channel, ("kz", "kg"))
            assert ch is not None
            ch.head_seq += 5  # a channel head beyond its entries
    finally:
        db.close()

    expect = {
        corrupt: "",
        garbage: "not a usable SQLite database",
        edited: "audit chain does not verify",
        unlinked: "records head",
    }
    for path, words in expect.items():
        code, _, err = await _cli(kz, "restore", "--from", str(path), "--json")
        assert code == 1, (path, err)
        assert words in json.loads(err)["error"], (path, err)
        assert digest(db_file(kz)) == before, path
        assert sorted(p.name for p in kz.state_dir.iterdir()) == listing, path
    await kz.start()
    assert kg.running


@SQLITE_ONLY
async def test_restore_then_resume_loses_and_doubles_nothing(
    make_inproc_region: Callable[..., InprocRegion], tmp_path: Path
) -> None:
    """kz is backed up while kg is down, with kz entries kg has not acknowledged yet; after
    the backup kg comes back, takes them, and publishes more. kz is restored to the backup:
    kg's entries after the backup head are resent to kz (a gap, rewound), and kz's entries
    that kg had not acknowledged in the backup are resent and acknowledged as replays."""
    region = make_inproc_region(("kz", "kg"))
    await region.start()
    kz, kg = region["kz"], region["kg"]
    for i in range(3):
        await publish(kz, f"kz before {i}")
        await publish(kg, f"kg before {i}")
    await region.wait_converged("kz")
    await region.wait_converged("kg")
    await kg.stop()
    for i in range(2):
        await publish(kz, f"kz unacknowledged {i}")
    out = tmp_path / "kz.backup"
    code, _, err = await _cli(kz, "backup", "--out", str(out))
    assert code == 0, err
    await kg.start()
    await region.wait_converged("kz")
    for i in range(4):
        await publish(kg, f"kg after the backup {i}")
    await region.wait_converged("kg")
    kz_alerts = await kz.versions("kz")
    kg_alerts = await kg.versions("kg")
    assert len(kz_alerts) == 5 and len(kg_alerts) == 7

    await kz.stop()
    code, out_text, err = await _cli(kz, "restore", "--from", str(out), "--json")
    assert code == 0, err
    report = json.loads(out_text)
    plans = {(c["peer"], c["direction"]): c for c in report["channels"]}
    assert plans["kg", "incoming"]["head_seq"] == 3
    assert "peer kg will resend from seq 4" in plans["kg", "incoming"]["after_restart"]
    assert plans["kg", "outgoing"]["head_seq"] == 5
    assert plans["kg", "outgoing"]["acked_seq"] == 3
    assert report["kept"] and Path(report["kept"]).exists()
    assert heads(db_file(kz))["kg", "kz"] == (3, 0)

    await kz.start()
    assert await kz.versions("kz") == kz_alerts  # ours, as at the backup
    await wait_until(
        _same(kz, "kg", kg_alerts), 30, "kz to get back kg's alerts after the backup", 0.1
    )
    # new alerts both ways after the restore still flow, exactly once
    await publish(kz, "kz after the restore")
    await publish(kg, "kg after the restore")
    await region.wait_converged("kz")
    await region.wait_converged("kg")
    assert len(await kg.versions("kz")) == 6 and len(await kz.versions("kg")) == 8
    status = await kz.status()
    [peer] = [p for p in status.peers if p.country == "kg"]
    assert peer.received_head == 8 and peer.sent_head == 6
    await wait_until(_depth_zero(kz), 10, "kz to record kg's acknowledgements", 0.1)
    code, _, err = await _cli(kz, "audit", "verify")
    assert code == 0, err
    assert len(audit_events(db_file(kz), "node.restored")) == 1


def _same(
    node: InprocNode, origin: str, want: dict[str, tuple[int, bool]]
) -> Callable[..., object]:
    async def check() -> bool:
        return await node.versions(origin) == want

    return check


def _depth_zero(node: InprocNode) -> Callable[..., object]:
    async def check() -> bool:
        status = await node.status()
        return all(p.outbox_depth == 0 for p in status.peers)

    return check


@POSTGRESQL_ONLY
async def test_backup_refuses_on_postgresql_with_the_pg_dump_command(
    make_inproc_region: Callable[..., InprocRegion], backend: str, tmp_path: Path
) -> None:
    region = make_inproc_region(("kz",))
    await region.start(pair=False)
    kz = region["kz"]
    out = tmp_path / "kz.backup"
    code, _, err = await _cli(kz, "backup", "--out", str(out))
    assert code == 1 and "Traceback" not in err
    assert "PostgreSQL" in err and "pg_dump --format=custom" in err
    assert not out.exists()
    code, _, err = await _cli(kz, "restore", "--from", str(out))
    assert code == 1 and "pg_restore" in err


@SQLITE_ONLY
async def test_restore_older_than_what_a_peer_received_is_shown_not_looped(
    make_inproc_region: Callable[..., InprocRegion], tmp_path: Path
) -> None:
    """kz publishes after its backup and kg receives it; kz is restored: kg holds entries of
    kz's channel that kz no longer has, and kz's new entries at those seqs contradict them. kz
    cannot repair that channel: it must say so on the link (status) and back off, never
    resend the refused entry in a tight loop, and kg keeps what it had, unchanged."""
    region = make_inproc_region(("kz", "kg"))
    await region.start()
    kz, kg = region["kz"], region["kg"]
    for i in range(3):
        await publish(kz, f"kz before {i}")
    await region.wait_converged("kz")
    out = tmp_path / "kz.backup"
    code, _, err = await _cli(kz, "backup", "--out", str(out))
    assert code == 0, err
    for i in range(2):
        await publish(kz, f"kz after the backup {i}")
    await region.wait_converged("kz")
    held = await kg.versions("kz")
    await kz.stop()
    code, _, err = await _cli(kz, "restore", "--from", str(out))
    assert code == 0, err
    await kz.start()
    for i in range(3):
        await publish(kz, f"kz after the restore {i}")

    async def diverged() -> bool:
        [p] = [p for p in (await kz.status()).peers if p.country == "kg"]
        return "entries this node does not have" in p.last_error

    await wait_until(diverged, 20, "kz to show its channel to kg as diverged", 0.1)
    await asyncio.sleep(1.0)
    assert await kg.versions("kz") == held
    rewinds = kz.log_path.read_text().count("holds our channel only up to seq")
    assert rewinds <= 3, rewinds
