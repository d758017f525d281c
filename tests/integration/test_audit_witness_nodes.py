"""The audit log cannot be rewritten unseen: kz's signed audit heads reach kg and tj, which keep
them; an attacker with write access to kz's database who edits an event and recomputes the whole
chain still passes `audit verify`, but not `audit verify --with-peers`. A peer's forged, foreign,
oversized or garbage checkpoints are refused, audited and not stored. Real nodes, in-process
(tests/inproc.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import grpc
import pytest
from sqlalchemy import select

from exchange._proto.v1 import audit_pb2, exchange_pb2_grpc
from exchange.audit_checkpoint import sign_audit_checkpoint
from exchange.localregion import LocalNode
from exchange.store.db import Database
from exchange.store.models import AuditWitnessRow
from tests.audit_tamper import rewrite_audit
from tests.inproc import InprocNode, InprocRegion, aio_channel_from, audit_of, raw_call, wait_until
from tests.integration.wire import signer_of

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]


def held_of(node: LocalNode, country: str) -> list[tuple[int, bytes]]:
    db = Database(node.config().db_url)
    try:
        with db.read() as s:
            q = select(AuditWitnessRow.seq, AuditWitnessRow.envelope).where(
                AuditWitnessRow.country == country
            )
            return [(seq, bytes(e)) for seq, e in s.execute(q)]
    finally:
        db.close()


async def run_cli(node: InprocNode, *args: str) -> tuple[int, str, str]:
    proc = await node.run(*args)
    return proc.returncode, proc.stdout, proc.stderr


async def test_rewritten_audit_log_passes_alone_but_not_against_peers(
    make_inproc_region: Callable[..., InprocRegion],
) -> None:
    region = make_inproc_region(("kz", "kg", "tj"), sync={"audit_checkpoint_seconds": 1.0})
    await region.start()
    kz, kg, tj = region["kz"], region["kg"], region["tj"]

    async def _cond1() -> bool:
        return bool(held_of(kg, "kz") and held_of(tj, "kz"))

    await wait_until(_cond1, 30, "kz's audit head at kg and tj")

    code, out, err = await run_cli(kz, "audit", "verify", "--with-peers", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["intact"] and report["offline"] == []
    assert {p["peer"] for p in report["peers"] if p["checked"]} == {"kg", "tj"}
    witnessed = min(seq for seq, _ in held_of(kg, "kz"))

    assert await kz.stop() == 0
    db = Database(kz.config().db_url)
    try:
        rewrite_audit(db, alter=witnessed - 1)  # edit an event the peers' heads cover
    finally:
        db.close()
    await kz.start()

    code, out, err = await run_cli(kz, "audit", "verify")
    assert code == 0, err  # the old weakness: the recomputed chain verifies on its own
    assert "audit log intact" in out

    code, out, err = await run_cli(kz, "audit", "verify", "--with-peers")
    assert code == 1
    assert "Traceback" not in err
    assert f"rewritten at or before event {witnessed}" in err
    assert "holds a signed head that does not match" in err
    assert "kg" in err and "MISMATCH" in out

    code, out, _ = await run_cli(kz, "audit", "verify", "--with-peers", "--json")
    assert code == 1
    report = json.loads(out)
    assert not report["intact"] and report["first_mismatch"] == witnessed
    assert all(witnessed in p["mismatches"] for p in report["peers"])

    # An offline peer is reported, not passed silently.
    await tj.stop()
    code, out, err = await run_cli(kz, "audit", "verify", "--with-peers", "--json")
    assert json.loads(out)["offline"] == ["tj"]


async def test_untampered_log_with_an_offline_peer_exits_3(
    make_inproc_region: Callable[..., InprocRegion],
) -> None:
    region = make_inproc_region(("kz", "kg", "tj"), sync={"audit_checkpoint_seconds": 1.0})
    await region.start()
    kz, kg, tj = region["kz"], region["kg"], region["tj"]

    async def _cond2() -> bool:
        return bool(held_of(kg, "kz") and held_of(tj, "kz"))

    await wait_until(_cond2, 30, "kz's audit head at kg and tj")
    await tj.stop()
    code, out, err = await run_cli(kz, "audit", "verify", "--with-peers")
    assert code == 3, err
    assert "tj" in err and "offline" in err
    assert "matches the signed heads of 1 peer(s)" in out


async def _witness_call(sender: LocalNode, target: LocalNode, body: bytes) -> grpc.StatusCode:
    async with aio_channel_from(sender, target) as ch:
        try:
            await raw_call(ch, "/exchange.v1.Exchange/WitnessAudit", "unary", body)
        except grpc.RpcError as err:
            return err.code()
    return grpc.StatusCode.OK


async def test_bad_checkpoints_refused_audited_not_stored(
    make_inproc_region: Callable[..., InprocRegion],
) -> None:
    region = make_inproc_region(("kz", "kg", "tj"))
    await region.start()
    kg, tj = region["kg"], region["tj"]

    async def _cond3() -> bool:
        return bool(held_of(tj, "kg"))

    await wait_until(_cond3, 30, "kg's first audit head at tj")
    before = held_of(tj, "kg")
    key = signer_of(kg)

    def req(env: object) -> bytes:
        return audit_pb2.AuditWitnessRequest(checkpoint=env).SerializeToString()  # type: ignore[arg-type]

    as_tj = sign_audit_checkpoint(key, "tj", 10**6, bytes(32), datetime.now(UTC))
    forged = sign_audit_checkpoint(key, "kg", 10**6, bytes(32), datetime.now(UTC))
    forged.signatures[0].sig = bytes(64)
    cases = {
        "NotPermitted": (req(as_tj), grpc.StatusCode.PERMISSION_DENIED),
        "SignatureError": (req(forged), grpc.StatusCode.INVALID_ARGUMENT),
        "TooLarge": (b"\x0a" + b"\xff" * 3000, grpc.StatusCode.RESOURCE_EXHAUSTED),
        "MalformedInput": (b"\xff\xff\xff garbage", grpc.StatusCode.INVALID_ARGUMENT),
    }
    for kind, (body, status) in cases.items():
        assert await _witness_call(kg, tj, body) == status, kind
        assert await _witness_call(kg, tj, body) == status, kind  # again: audited once
    refused = audit_of(tj, "audit.witness_refused")
    by_kind = [json.loads(e.detail)["kind"] for e in refused if e.peer == "kg"]
    assert sorted(by_kind) == sorted(cases)
    assert held_of(tj, "kg") == before
    assert held_of(tj, "tj") == []

    # What tj holds of kg goes only to kg: the answer is about the caller.
    async with aio_channel_from(kg, tj) as ch:
        reply = await exchange_pb2_grpc.ExchangeStub(ch).WitnessAudit(
            audit_pb2.AuditWitnessRequest(want=10), timeout=10
        )
    assert [e.SerializeToString(deterministic=True) for e in reply.held] == [
        env for _, env in sorted(before, reverse=True)
    ]
