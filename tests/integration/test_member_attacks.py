"""A certified member against its peers' nodes, end to end: in-process nodes on the real wire
(tests/inproc.py), the real CLI (in-process).

kg plays the hostile member: it signs with its own certified key and speaks the peer protocol
directly (tests/integration/wire.py). Each attack is refused and audited at the victim, nothing
of it is stored, and what the victim's operators see and do afterwards is unaffected.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import grpc
import pytest

from exchange._proto.v1 import alert_pb2, exchange_pb2, operator_pb2
from exchange.localregion import next_entry
from tests.inproc import (
    InprocNode,
    InprocRegion,
    aio_channel_from,
    counts,
    pull,
    push,
    wait_until,
)
from tests.integration.wire import make_alert, signer_of

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]


async def _publish(node: InprocNode, *args: str) -> str:
    out = await node.cli(
        "alerts",
        "publish",
        "--json",
        "--category",
        "transfer-notice",
        "--risk",
        "medium",
        "--handling",
        "H1",
        *args,
    )
    return str(json.loads(out)["alert_id"])


async def _show(node: InprocNode, alert_id: str, *extra: str) -> list[dict[str, object]]:
    return json.loads(await node.cli("alerts", "show", alert_id, "--json", *extra))  # type: ignore[no-any-return]


async def test_alert_id_squat_by_a_member_refused_and_amend_keeps_own_content(
    make_inproc_region: Callable[..., InprocRegion],
) -> None:
    """kg re-publishes kz's alert id with its own story. tj and kz refuse it (audited, not
    stored, raised in status); `alerts show` names (origin, id); kz's next amendment is built
    from kz's own version, so kg's story never goes out under kz's signature."""
    region = make_inproc_region(("kz", "kg", "tj"))
    await region.start()
    kz, kg, tj = region["kz"], region["kg"], region["tj"]
    aid = await _publish(kz, "--summary", "Transfer to unit 4 next week.")
    await region.wait_converged("kz")

    squat = make_alert("kg", "Attacker's story: release tomorrow.")
    squat.alert_id = aid
    for victim in (tj, kz):
        before = counts(victim)
        async with aio_channel_from(kg, victim) as ch:
            await push(ch, next_entry(signer_of(kg), "kg", victim, squat))  # the channel goes on
        after = counts(victim)
        assert after["versions"] == before["versions"], f"{victim.country} stored the squat"
        events = json.loads(
            await victim.cli("audit", "list", "--event", "alert.id_conflict", "--json")
        )
        assert [e["detail"]["alert_id"] for e in events] == [aid]
        assert any("already has" in a for a in (await victim.status()).alarms)

    shown = await _show(tj, aid)
    assert {v["origin"] for v in shown} == {"kz"}
    assert await _show(tj, aid, "--origin", "kz") == shown
    missing = await tj.cli("alerts", "show", aid, "--origin", "kg", check=False)
    assert "no alert" in missing and "Traceback" not in missing

    await kz.cli("alerts", "amend", aid, "--risk", "critical")
    await region.wait_converged("kz")
    [v1, v2] = await _show(tj, aid, "--origin", "kz")
    assert (v2["version"], v2["risk"], v2["summary"]) == (2, "critical", v1["summary"])
    same = await kz.cli("alerts", "amend", aid, "--risk", "critical", check=False)
    assert "changes nothing" in same and "Traceback" not in same
    assert len(await _show(kz, aid)) == 2


async def test_pull_after_seq_beyond_bigint_and_unknown_fields_on_publish_refused(
    make_inproc_region: Callable[..., InprocRegion],
) -> None:
    """A Pull beyond BIGINT is OUT_OF_RANGE (no SQL text back to the peer), audited; an
    Operator request whose alert carries fields the schema does not define is refused and
    publishes nothing."""
    region = make_inproc_region(("kz", "kg"))
    await region.start()
    kz, kg = region["kz"], region["kg"]
    before = counts(kz)
    async with aio_channel_from(kg, kz) as ch:
        with pytest.raises(grpc.RpcError) as info:
            await pull(ch, exchange_pb2.PullRequest(origin="kz", recipient="kg", after_seq=2**63))
    assert info.value.code() == grpc.StatusCode.OUT_OF_RANGE
    assert "SELECT" not in (info.value.details() or "").upper()
    assert counts(kz)["refusals"] == before["refusals"] + 1
    assert (await kz.status()).serving == "SERVING"

    draft = make_alert("kz", "Transfer to unit 4.")
    smuggled = alert_pb2.Alert.FromString(draft.SerializeToString() + b"\xfa\x06\x05Ivan.")
    assert smuggled.ByteSize() > draft.ByteSize()
    with pytest.raises(grpc.RpcError) as info:
        await kz.call("PublishAlert", operator_pb2.PublishAlertRequest(alert=smuggled))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "does not know" in (info.value.details() or "")
    assert await kz.alerts() == [] and counts(kz)["versions"] == before["versions"]


async def test_personal_data_published_with_override_is_held_at_every_receiver(
    make_inproc_region: Callable[..., InprocRegion],
) -> None:
    """The publisher's override does not bind its peers: the receiver's guard holds the alert
    in quarantine until its own operator releases it."""
    region = make_inproc_region(("kz", "kg"))
    await region.start()
    kz, kg = region["kz"], region["kg"]
    aid = await _publish(
        kz, "--summary", "Prisoner IIN 870412350123 transferred.", "--allow-pii", "court order"
    )

    async def held_one() -> bool:
        return (await kg.status()).quarantined == 1

    await wait_until(held_one, 30, "kg to hold the alert")
    assert await kg.alerts() == []
    assert any("quarantine" in a for a in (await kg.status()).alarms)
    held = json.loads(await kg.cli("quarantine", "list", "--json"))
    assert [(h["alert_id"], h["kind"]) for h in held] == [(aid, "alert")]
    assert "870412350123" not in json.dumps(held)  # the reason names kinds, never the text
    ref = held[0]["ref"]
    shown = json.loads(await kg.cli("quarantine", "show", ref, "--json"))
    assert shown["content"]["summary"] == "Prisoner IIN 870412350123 transferred."
    bad = await kg.cli("quarantine", "release", ref, "--reason", " ", check=False)
    assert "say why" in bad and "Traceback" not in bad
    await kg.cli("quarantine", "release", ref, "--reason", "IIN needed for the transfer")
    assert [r.alert.alert_id for r in await kg.alerts()] == [aid]
    assert (await kg.status()).quarantined == 0
    resp = await kg.call("GetAlert", operator_pb2.GetAlertRequest(alert_id=aid))
    assert resp.versions[0].alert.origin == "kz"


async def test_alert_id_squat_of_an_alert_held_in_quarantine_refused(
    make_inproc_region: Callable[..., InprocRegion],
) -> None:
    """kz's alert is held in tj's quarantine (its guard flags it). kg sends tj an alert with
    the same id, clean or flagged: refused like a squat of a stored alert (audited, raised in
    status), nothing of kg's stored or held; kz's held entry is intact and still releases."""
    region = make_inproc_region(("kz", "kg", "tj"))
    await region.start()
    kz, kg, tj = region["kz"], region["kg"], region["tj"]
    aid = await _publish(
        kz, "--summary", "Prisoner IIN 870412350123 transferred.", "--allow-pii", "court order"
    )

    async def held_one() -> bool:
        return (await tj.status()).quarantined == 1

    await wait_until(held_one, 30, "tj to hold kz's alert")
    [held] = json.loads(await tj.cli("quarantine", "list", "--json"))
    assert (held["alert_id"], held["origin"]) == (aid, "kz")

    for n, story in enumerate(
        ("Attacker's story: release tomorrow.", "Attacker's story: IIN 870412350124 released."),
        start=1,
    ):
        squat = make_alert("kg", story)
        squat.alert_id = aid
        before = counts(tj)
        async with aio_channel_from(kg, tj) as ch:
            await push(ch, next_entry(signer_of(kg), "kg", tj, squat))  # the channel goes on
        assert counts(tj)["versions"] == before["versions"], f"tj stored squat {n}"
        assert json.loads(await tj.cli("quarantine", "list", "--json")) == [held], n
        events = json.loads(await tj.cli("audit", "list", "--event", "alert.id_conflict", "--json"))
        assert [e["detail"]["alert_id"] for e in events] == [aid] * n
        assert {e["peer"] for e in events} == {"kg"}
    assert any("already has" in a for a in (await tj.status()).alarms)
    assert await tj.alerts() == []

    await tj.cli("quarantine", "release", held["ref"], "--reason", "IIN needed for the transfer")
    assert (await tj.status()).quarantined == 0
    shown = await _show(tj, aid)
    assert [(v["origin"], v["summary"]) for v in shown] == [
        ("kz", "Prisoner IIN 870412350123 transferred.")
    ]
    missing = await tj.cli("alerts", "show", aid, "--origin", "kg", check=False)
    assert "no alert" in missing and "Traceback" not in missing
