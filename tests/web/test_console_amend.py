"""A publisher amends and withdraws one of the node's own alerts from its page: CSRF checked,
other roles refused (403, audited by the node), a peer's alert refused, a form sent twice makes
one version, and every refusal leaves the alert as it was."""

from __future__ import annotations

import json
import re
from typing import Any

import grpc
import httpx
import pytest

from exchange._proto.v1 import operator_pb2
from tests.inproc import InprocNode, InprocRegion, audit_of
from tests.integration.test_records import j
from tests.web.people import csrf_of
from tests.web.test_console import client_for, received_at, region, sign_in  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]
KEY_RE = re.compile(r'name="key" value="([0-9a-f]+a)"')


def details(node: InprocNode, event: str) -> list[dict[str, Any]]:
    return [json.loads(e.detail) for e in audit_of(node, event)]


async def versions(node: InprocNode, token: str, origin: str, aid: str) -> list[tuple[int, bool]]:
    req = operator_pb2.GetAlertRequest(alert_id=aid, origin=origin)
    got = await node.call("GetAlert", req, (("x-exchange-token", token),))
    return [(v.alert.version, v.withdrawn) for v in got.versions]


async def publish(c: httpx.AsyncClient) -> str:
    form = await c.get("/publish")
    draft = {"category": "escape", "risk": "high", "handling": "H1",
             "summary": "Escape from the colony during transfer"}  # fmt: skip
    r = await c.post("/publish", data={"csrf": csrf_of(form.text), "action": "send", **draft})
    assert r.status_code == 303, r.text[-1000:]
    return str(r.headers["location"]).rsplit("/", 1)[1]


async def test_publisher_amends_and_withdraws_own_alert(region: InprocRegion) -> None:  # noqa: F811
    kz = region["kz"]
    token: str = region.kz_admin  # type: ignore[attr-defined]
    async with client_for(kz) as pavel:
        await sign_in(pavel, "pavel")
        aid = await publish(pavel)
        page = await pavel.get(f"/alerts/kz/{aid}")
        assert "Amend this alert" in page.text and "Withdraw this alert" in page.text
        csrf = csrf_of(page.text)
        key = KEY_RE.search(page.text)
        assert key
        # an officer sees no such form, and a POST of it is refused and audited
        async with client_for(kz) as timur:
            await sign_in(timur, "timur")
            view = await timur.get(f"/alerts/kz/{aid}")
            assert "Amend this alert" not in view.text
            t_csrf = csrf_of(view.text)
            r = await timur.post(f"/alerts/{aid}/amend", data={"csrf": t_csrf, "risk": "low"})
            assert r.status_code == 403
            r = await timur.post(f"/alerts/{aid}/withdraw",
                                 data={"csrf": t_csrf, "confirm": "on"})  # fmt: skip
            assert r.status_code == 403
        refused = {(e["user"], e["method"]) for e in details(kz, "user.refused")}
        assert {("timur", "AmendAlert"), ("timur", "WithdrawAlert")} <= refused
        # a forged form, an empty one and a bad risk are refused
        r = await pavel.post(f"/alerts/{aid}/amend", data={"csrf": "forged", "risk": "low"})
        assert r.status_code == 403 and "Nothing was done" in r.text
        assert (await pavel.post(f"/alerts/{aid}/amend", data={"csrf": csrf})).status_code == 400
        r = await pavel.post(f"/alerts/{aid}/amend", data={"csrf": csrf, "risk": "huge"})
        assert r.status_code == 400
        assert await versions(kz, token, "kz", aid) == [(1, False)]
        # a summary the guard flags needs a reason
        r = await pavel.post(f"/alerts/{aid}/amend",
                             data={"csrf": csrf, "summary": "Call +7 701 123 4567"})  # fmt: skip
        assert r.status_code == 400
        assert await versions(kz, token, "kz", aid) == [(1, False)]
        # the amendment, sent twice with the page's key: one new version
        form = {"csrf": csrf, "key": key.group(1), "risk": "critical",
                "summary": "Escape during transfer; seen near the border"}  # fmt: skip
        for _ in range(2):
            r = await pavel.post(f"/alerts/{aid}/amend", data=form)
            assert r.status_code == 303 and r.headers["location"] == f"/alerts/kz/{aid}"
        assert await versions(kz, token, "kz", aid) == [(1, False), (2, False)]
        page = await pavel.get(f"/alerts/kz/{aid}")
        assert "seen near the border" in page.text and "Critical" in page.text
        amended = details(kz, "alert.amended")
        assert amended and amended[-1]["by"]["name"] == "pavel"
        # withdrawal: only when confirmed
        r = await pavel.post(f"/alerts/{aid}/withdraw", data={"csrf": csrf, "reason": "Caught"})
        assert r.status_code == 400
        assert await versions(kz, token, "kz", aid) == [(1, False), (2, False)]
        r = await pavel.post(f"/alerts/{aid}/withdraw",
                             data={"csrf": csrf, "reason": "Caught", "confirm": "on"})  # fmt: skip
        assert r.status_code == 303
        got = await versions(kz, token, "kz", aid)
        assert got[-1][1] is True and len(got) == 3
        page = await pavel.get(f"/alerts/kz/{aid}")
        assert "This alert was withdrawn" in page.text and "Amend this alert" not in page.text
        assert details(kz, "alert.withdrawn")[-1]["by"]["name"] == "pavel"


async def test_a_peers_alert_cannot_be_amended_or_withdrawn(region: InprocRegion) -> None:  # noqa: F811
    kz, kg = region["kz"], region["kg"]
    token: str = region.kz_admin  # type: ignore[attr-defined]
    out = await j(kg, "alerts", "publish", "--category", "transfer-notice", "--risk", "high",
                  "--handling", "H1", "--summary", "Transfer next week")  # fmt: skip
    aid = out["alert_id"]
    await received_at(kz, token, "kg", aid)
    async with client_for(kz) as pavel:
        await sign_in(pavel, "pavel")
        page = await pavel.get(f"/alerts/kg/{aid}")
        assert page.status_code == 200 and "Amend this alert" not in page.text
        csrf = csrf_of(page.text)
        r = await pavel.post(f"/alerts/{aid}/amend", data={"csrf": csrf, "risk": "low"})
        assert r.status_code == 404, r.status_code
        r = await pavel.post(f"/alerts/{aid}/withdraw", data={"csrf": csrf, "confirm": "on"})
        assert r.status_code == 404, r.status_code
        r = await pavel.post("/alerts/..%2F..%2Fx/amend", data={"csrf": csrf, "risk": "low"})
        assert r.status_code == 404
    assert await versions(kz, token, "kg", aid) == [(1, False)]
    with pytest.raises(grpc.aio.AioRpcError) as none:  # and no own alert of that id was made
        await versions(kz, token, "kz", aid)
    assert none.value.code() == grpc.StatusCode.NOT_FOUND
