"""Everyday use (issue 9, items 12 and 13): retries that do not double, ids a person can type,
peers that move or leave, alarms that can be acknowledged, writers that speak JSON.

One region (kz, kg, tj) of in-process nodes (tests/inproc.py) per database, shared by the tests
of this module in order; the CLI runs in-process, except where the terminal matters."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import pytest_asyncio

from exchange._proto.v1 import operator_pb2
from tests.conftest import PgSchemas, require_pg
from tests.inproc import InprocNode, InprocRegion, eventually
from tests.integration.wire import make_alert

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=["sqlite", "postgresql"])
async def region(request: pytest.FixtureRequest) -> AsyncIterator[InprocRegion]:
    schemas = None
    if request.param == "postgresql":
        require_pg()
        schemas = PgSchemas()
    root = Path(tempfile.mkdtemp(prefix="ex-"))
    r = InprocRegion(root, ("kz", "kg", "tj"), schemas.url if schemas else None)
    try:
        await r.start()
        yield r
    finally:
        await r.stop()
        shutil.rmtree(root, ignore_errors=True)
        if schemas:
            schemas.drop_all()


def publish_req(key: str, summary: str = "Transfer between facilities") -> Any:
    alert = make_alert("kz", summary)
    alert.ClearField("alert_id")
    alert.ClearField("version")
    alert.ClearField("origin")
    alert.ClearField("issued_at")
    return operator_pb2.PublishAlertRequest(alert=alert, idempotency_key=key)


async def test_publish_retried_with_its_key_returns_the_first_alert(region: InprocRegion) -> None:
    kz = region["kz"]
    key = str(uuid.uuid4())
    before = len(await kz.alerts("kz"))
    first = await kz.call("PublishAlert", publish_req(key))
    again = await kz.call("PublishAlert", publish_req(key))
    assert again.alert.alert_id == first.alert.alert_id and again.alert.version == 1
    assert again.replayed and not first.replayed
    assert again.recipients == first.recipients == 2
    assert len(await kz.alerts("kz")) == before + 1

    with pytest.raises(grpc.RpcError) as info:
        await kz.call("PublishAlert", publish_req(key, "Another transfer"))
    assert info.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert "different request" in (info.value.details() or "")
    assert len(await kz.alerts("kz")) == before + 1


async def test_amend_and_withdraw_retried_with_their_key_happen_once(region: InprocRegion) -> None:
    kz = region["kz"]
    aid = (await kz.call("PublishAlert", publish_req(str(uuid.uuid4())))).alert.alert_id
    amend = operator_pb2.AmendAlertRequest(
        alert_id=aid, fields=["summary"], idempotency_key=str(uuid.uuid4())
    )
    amend.changes.summary = "Transfer moved to next week"
    assert (await kz.call("AmendAlert", amend)).alert.version == 2
    assert (await kz.call("AmendAlert", amend)).alert.version == 2
    w = operator_pb2.WithdrawAlertRequest(alert_id=aid, reason="done", idempotency_key="k" * 20)
    assert (await kz.call("WithdrawAlert", w)).alert.version == 3
    again = await kz.call("WithdrawAlert", w)
    assert again.alert.version == 3 and again.replayed
    assert (await kz.versions("kz"))[aid] == (3, True)


async def test_alert_ids_by_prefix(region: InprocRegion) -> None:
    kz, kg = region["kz"], region["kg"]
    aid = json.loads(
        await kz.cli(
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
            "Escape from the colony",
        )
    )["alert_id"]
    assert len(aid) == 36  # --json gives ids whole
    other = (await kz.call("PublishAlert", publish_req(""))).alert.alert_id
    if other[:8] == aid[:8]:  # UUIDv7 ids begin with the time: close ones share 8 characters
        both = await kz.run("alerts", "amend", aid[:8], "--risk", "critical")
        assert both.returncode == 1 and aid in both.stderr and other in both.stderr
    out = json.loads(await kz.cli("alerts", "amend", aid[:23], "--risk", "critical", "--json"))
    assert out["alert_id"] == aid and out["version"] == 2
    await eventually(lambda: kg.versions("kz"), lambda v: v.get(aid) == (2, False), 30, "kg v2")
    shown = json.loads(await kg.cli("alerts", "show", aid[:23].upper(), "--json"))
    assert [v["version"] for v in shown] == [1, 2]
    short = await kg.run("alerts", "show", aid[:5])
    assert short.returncode != 0 and "first 8 characters" in short.stderr
    table = await kz.process_cli("alerts", "list", env={"COLUMNS": "60"})  # a real process:
    assert table.returncode == 0 and aid in table.stdout  # a narrow terminal does not cut the id


async def test_audit_trail_of_one_alert(region: InprocRegion) -> None:
    """Publish, each peer's acknowledgement (once per version), receipt and every read."""
    kz, kg = region["kz"], region["kg"]
    aid = (await kz.call("PublishAlert", publish_req(str(uuid.uuid4())))).alert.alert_id

    async def trail(node: InprocNode) -> list[tuple[str, str]]:
        events = json.loads(await node.cli("audit", "list", "--alert", aid[:23], "--json"))
        return [(e["event"], e["peer"]) for e in events]

    await eventually(lambda: trail(kz), lambda t: len(t) >= 3, 30, "kg and tj to acknowledge")
    delivered = [("alert.delivered", "kg"), ("alert.delivered", "tj")]
    assert sorted(await trail(kz)) == [*delivered, ("alert.published", "")]
    await kg.cli("alerts", "show", aid)
    assert [e for e, _ in await trail(kg)] == ["channel.received", "alert.read"]


async def test_status_check_fails_on_an_alarm_until_acknowledged(region: InprocRegion) -> None:
    kz, kg = region["kz"], region["kg"]
    assert (await kg.run("status", "--check")).returncode == 0
    await kz.cli(
        "alerts",
        "publish",
        "--category",
        "transfer-notice",
        "--risk",
        "medium",
        "--handling",
        "H1",
        "--summary",
        "Prisoner IIN 870412350123 transferred.",
        "--allow-pii",
        "court order",
    )
    await eventually(kg.status, lambda s: s.quarantined >= 1, 30, "kg to hold the alert")
    checked = await kg.run("status", "--check")
    assert checked.returncode == 2 and "ALARM" in checked.stdout
    alarm = json.loads(await kg.cli("alarms", "list", "--json"))[0]
    assert not alarm["acknowledged"]
    await kg.cli("alarms", "ack", alarm["id"][:8], "--reason", "reviewing with kz")
    checked = await kg.run("status", "--check")
    assert checked.returncode == 0, checked.stdout
    assert "acknowledged" in checked.stdout and "quarantine" in checked.stdout
    events = json.loads(await kg.cli("audit", "list", "--event", "alarm.acknowledged", "--json"))
    assert events[-1]["detail"]["id"] == alarm["id"]


async def test_peers_set_address_and_remove(region: InprocRegion) -> None:
    kz, kg, tj = region["kz"], region["kg"], region["tj"]
    bad = await kz.run("peers", "set-address", "kg", "kg-node.example")
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
    wrong = await kz.run("peers", "set-address", "kg", tj.address)  # tj's node, not kg's
    assert wrong.returncode != 0 and "not a node of 'kg'" in wrong.stderr
    moved = json.loads(await kz.cli("peers", "set-address", "kg", kg.address, "--json"))
    assert moved["address"] == kg.address
    events = json.loads(await kz.cli("audit", "list", "--event", "peer.address_changed", "--json"))
    assert events[-1]["detail"]["new"] == kg.address

    for other in ("kg", "tj"):
        removed = json.loads(await kz.cli("peers", "remove", other, "--json"))
        assert removed["country"] == other
    assert json.loads(await kz.cli("peers", "list", "--json")) == []
    gone = await kz.run("peers", "remove", "kg")
    assert gone.returncode != 0 and "not a peer" in gone.stderr
    assert json.loads(await kz.cli("audit", "list", "--event", "peer.removed", "--json"))

    # With no peer, publish says why it was queued for nobody.
    out = await kz.cli(
        "alerts",
        "publish",
        "--category",
        "escape",
        "--risk",
        "high",
        "--handling",
        "H1",
        "--summary",
        "Escape seen at night",
    )
    assert "queued for 0 peer(s) (no peers are configured" in out
    await kz.add_peer(kg)
    await kz.add_peer(tj)
    assert {p["country"] for p in json.loads(await kz.cli("peers", "list", "--json"))} == {
        "kg",
        "tj",
    }


async def test_operator_audit_events_name_the_os_user(region: InprocRegion) -> None:
    """The uid comes from the kernel (SO_PEERCRED on operator.who), not from the client."""
    kz = region["kz"]
    await kz.cli(
        "alerts",
        "publish",
        "--category",
        "escape",
        "--risk",
        "high",
        "--handling",
        "H1",
        "--summary",
        "Escape by tunnel",
    )
    event = json.loads(await kz.cli("audit", "list", "--event", "alert.published", "--json"))[-1]
    by = event["detail"]["by"]
    assert by["verified"] is True and by["uid"] == os.getuid()
    assert by["user"] == pwd.getpwuid(os.getuid()).pw_name and by["pid"] > 0
    assert (kz.state_dir / "operator.who").stat().st_mode & 0o077 == 0

    await kz.call("PublishAlert", publish_req(""))  # a client without a ticket
    event = json.loads(await kz.cli("audit", "list", "--event", "alert.published", "--json"))[-1]
    assert event["detail"]["by"] == {"uid": None, "verified": False}
    received = json.loads(await kz.cli("audit", "list", "--event", "alert.delivered", "--json"))
    assert received and all("by" not in e["detail"] for e in received)  # not an operator's act


async def test_errors_are_json_in_json_mode(region: InprocRegion) -> None:
    kz = region["kz"]
    missing = await kz.run("alerts", "show", "0" * 8, "--json")
    assert missing.returncode == 1
    err = json.loads(missing.stderr)
    assert "no alert" in err["error"] and "alerts list" in err["hint"]
    usage = await kz.run("alerts", "list", "--limit", "-1", "--json")
    assert usage.returncode == 2 and "error" in json.loads(usage.stderr)
