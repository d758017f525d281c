"""Concurrent publishes share write transactions (exchange.sync.groupcommit): every one is
stored and delivered once, a refused one refuses no other, and each audit event names the
user who asked for its alert, on both databases."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import grpc
import pytest

from exchange._proto.v1 import operator_pb2
from tests.inproc import InprocNode, InprocRegion, eventually
from tests.integration.wire import make_alert

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]


async def _token(kz: InprocNode, name: str, role: str, admin: dict[str, str] | None) -> str:
    await kz.cli("users", "add", name, "--role", role, env=admin)
    out = kz.state_dir.parent / f"{name}.token"
    await kz.cli("users", "token", name, "--out", str(out), env=admin)
    return out.read_text().strip()


def _req(summary: str, key: str = "") -> operator_pb2.PublishAlertRequest:
    return operator_pb2.PublishAlertRequest(alert=make_alert("kz", summary), idempotency_key=key)


async def _audit(kz: InprocNode, event: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(
        await kz.cli("audit", "list", "--event", event, "--last", "1000", "--json")
    )
    return rows


async def test_concurrent_publishes_all_land_once_named_by_their_user(
    make_inproc_region: Callable[..., InprocRegion],
) -> None:
    region = make_inproc_region(("kz", "kg"))
    await region.start()
    kz, kg = region["kz"], region["kg"]
    assert await _token(kz, "admin", "administrator", None)
    admin = {"EXCHANGE_TOKEN_FILE": str(kz.state_dir.parent / "admin.token")}
    tokens = {n: await _token(kz, n, "publisher", admin) for n in ("alice", "bob")}

    async def publish(name: str, i: int) -> tuple[str, str]:
        md = (("x-exchange-token", tokens[name]),)
        reply = await kz.call("PublishAlert", _req(f"Transfer {name} {i}"), metadata=md)
        return name, reply.alert.alert_id

    done = await asyncio.gather(*(publish(n, i) for i in range(20) for n in ("alice", "bob")))
    ids = {aid: name for name, aid in done}
    assert len(ids) == 40

    async def at_kg() -> set[str]:
        return {a.alert.alert_id for a in await kg.alerts("kz")}

    await eventually(at_kg, lambda got: set(ids) <= got, 30, "all 40 alerts at kg")
    md = (("x-exchange-token", tokens["alice"]),)
    listed = await kz.call(
        "ListAlerts", operator_pb2.ListAlertsRequest(origin="kz", limit=1000), metadata=md
    )
    held = [a.alert.alert_id for a in listed.alerts]
    assert Counter(held) == Counter(set(ids))  # each once, nothing more
    events = await _audit(kz, "alert.published")
    named = {e["detail"]["alert_id"]: e["detail"]["by"]["name"] for e in events}
    assert {a: named[a] for a in ids} == ids  # each event names its own caller
    mine = [e for e in events if e["detail"]["alert_id"] in ids]
    assert len({e["at"] for e in mine}) < len(mine)  # some shared one transaction's time


async def test_a_refused_publish_among_concurrent_ones_refuses_only_itself(
    make_inproc_region: Callable[..., InprocRegion],
) -> None:
    region = make_inproc_region(("kz", "kg"))
    await region.start()
    kz = region["kz"]
    key = str(uuid.uuid4())
    # the same key for two different requests, sent at once among ten ordinary publishes
    calls = [kz.call("PublishAlert", _req(f"Escape {i}")) for i in range(10)]
    calls += [kz.call("PublishAlert", _req("Release A", key))]
    calls += [kz.call("PublishAlert", _req("Release B", key))]
    results = await asyncio.gather(*calls, return_exceptions=True)
    ok = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(ok) == 11 and len(refused) == 1
    assert isinstance(refused[0], grpc.aio.AioRpcError)
    assert refused[0].code() in (grpc.StatusCode.ALREADY_EXISTS, grpc.StatusCode.INVALID_ARGUMENT)
    held = await kz.alerts("kz")
    assert len(held) == 11  # nothing stored for the refused one
    summaries = {a.alert.summary for a in held}
    assert len(summaries & {"Release A", "Release B"}) == 1
