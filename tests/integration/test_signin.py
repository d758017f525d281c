"""Passwords and sign-in on the Operator socket (the web console's SignIn, WhoAmI, SignOut),
and the inbox's paged, filtered ListAlerts: refusals audited, nothing issued when refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
from sqlalchemy import func, select

from exchange._proto.v1 import alert_pb2, operator_pb2, user_ops_pb2
from exchange.store.db import Database
from exchange.store.models import User, UserToken
from tests.inproc import InprocNode, InprocRegion, audit_of

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]
PASSWORD = "correct horse battery"


def details(node: InprocNode, event: str) -> list[dict[str, Any]]:
    return [json.loads(e.detail) for e in audit_of(node, event)]


def tokens_held(node: InprocNode) -> int:
    db = Database(node.config().db_url)
    try:
        with db.read() as s:
            return int(s.execute(select(func.count()).select_from(UserToken)).scalar_one())
    finally:
        db.close()


async def people(node: InprocNode, tmp_path: Path) -> dict[str, str]:
    """admin + officer olga (password set); the admin's token file env."""
    await node.cli("users", "add", "admin", "--role", "administrator")
    out = tmp_path / "admin.token"
    await node.cli("users", "token", "admin", "--out", str(out))
    env = {"EXCHANGE_TOKEN_FILE": str(out)}
    await node.cli("users", "add", "olga", "--role", "officer", env=env)
    return env


async def sign_in(node: InprocNode, name: str, password: str, source: str = "127.0.0.9") -> Any:
    return await node.call(
        "SignIn", user_ops_pb2.SignInRequest(name=name, password=password, source=source)
    )


async def test_password_signin_whoami_signout(
    make_inproc_region: Callable[..., InprocRegion], tmp_path: Path
) -> None:
    region = make_inproc_region(("kz", "kg"))
    await region.start()
    kz = region["kz"]
    env = await people(kz, tmp_path)
    # too short: refused by the CLI, nothing stored
    proc = await kz.run("users", "password", "olga", "--stdin", env=env)
    assert proc.returncode != 0 and "at least 12" in proc.stderr
    proc = await kz.run_input("users", "password", "olga", "--stdin", env=env, input="short\n")
    assert proc.returncode != 0
    proc = await kz.run_input("users", "password", "olga", "--stdin", env=env, input=PASSWORD)
    assert proc.returncode == 0, proc.stderr
    assert PASSWORD not in proc.stdout + proc.stderr
    db = Database(kz.config().db_url)
    with db.read() as s:
        u = s.get(User, "olga")
        assert u is not None and u.password_hash and u.password_hash.startswith("$argon2id$")
        assert PASSWORD not in u.password_hash
    db.close()
    before = tokens_held(kz)
    got = await sign_in(kz, "olga", PASSWORD)
    assert got.name == "olga" and got.role == "officer" and got.token.startswith("exu_")
    assert tokens_held(kz) == before + 1
    meta = (("x-exchange-token", got.token),)
    who = await kz.call("WhoAmI", user_ops_pb2.WhoAmIRequest(), metadata=meta)
    assert (who.name, who.role) == ("olga", "officer")
    # a page the officer may not use: refused and audited as the call itself would be
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await kz.call("WhoAmI", user_ops_pb2.WhoAmIRequest(check_method="ApproveRecord"),
                      metadata=meta)  # fmt: skip
    assert info.value.code() == grpc.StatusCode.PERMISSION_DENIED
    refused = [e for e in details(kz, "user.refused") if e.get("method") == "ApproveRecord"]
    assert refused and refused[-1]["user"] == "olga"
    assert [e["user"] for e in details(kz, "user.signin")] == ["olga"]
    await kz.call("SignOut", user_ops_pb2.SignOutRequest(), metadata=meta)
    assert tokens_held(kz) == before
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await kz.call("Status", operator_pb2.StatusRequest(), metadata=meta)
    assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_signin_refusals_are_counted_audited_and_issue_nothing(
    make_inproc_region: Callable[..., InprocRegion], tmp_path: Path
) -> None:
    region = make_inproc_region(("kz", "kg"))
    await region.start()
    kz = region["kz"]
    env = await people(kz, tmp_path)
    await kz.run_input("users", "password", "olga", "--stdin", env=env, input=PASSWORD)
    before = tokens_held(kz)
    for name, pw in (("olga", "wrong password!!"), ("nobody", PASSWORD), ("admin", PASSWORD),
                     ("Robert'); drop", PASSWORD)):  # fmt: skip
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await sign_in(kz, name, pw)
        assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert tokens_held(kz) == before
    refused = details(kz, "user.signin_refused")
    assert [e["user"] for e in refused] == ["olga", "nobody", "admin", "(not a user name)"]
    assert PASSWORD not in str(refused)
    # per user: after 5 failures even the right password is refused, before any hash check
    for _ in range(4):
        with pytest.raises(grpc.aio.AioRpcError):
            await sign_in(kz, "olga", "wrong password!!", source=f"10.0.0.{_}")
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await sign_in(kz, "olga", PASSWORD, source="127.0.0.7")
    assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert details(kz, "user.signin_refused")[-1]["reason"] == "rate"
    assert tokens_held(kz) == before
    # a disabled user cannot sign in, and an API token signs in as its user
    out = tmp_path / "olga.token"
    await kz.cli("users", "token", "olga", "--out", str(out), env=env)
    tok = out.read_text().strip()
    got = await kz.call("SignIn", user_ops_pb2.SignInRequest(api_token=tok, source="x"))
    assert (got.name, got.role) == ("olga", "officer")
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await kz.call("SignIn", user_ops_pb2.SignInRequest(api_token="exu_forged", source="x"))
    assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_list_alerts_pages_and_filters(
    make_inproc_region: Callable[..., InprocRegion],
) -> None:
    region = make_inproc_region(("kz", "kg"))
    await region.start()
    kz = region["kz"]
    pub = ["alerts", "publish", "--category", "escape", "--handling", "H1"]
    for i, risk in enumerate(("low", "high", "critical", "medium", "high")):
        await kz.cli(*pub, "--risk", risk, "--summary", f"Escape number {i}")
    await kz.cli("alerts", "publish", "--category", "transfer-notice", "--risk", "low",
                 "--handling", "H2", "--summary", "Transfer to the east")  # fmt: skip

    async def page(**kw: Any) -> operator_pb2.ListAlertsResponse:
        return await kz.call("ListAlerts", operator_pb2.ListAlertsRequest(**kw))  # type: ignore[no-any-return]

    first = await page(limit=4)
    assert len(first.alerts) == 4 and first.more
    rest = await page(limit=4, offset=4)
    assert len(rest.alerts) == 2 and not rest.more
    ids = [a.alert.alert_id for a in (*first.alerts, *rest.alerts)]
    assert len(set(ids)) == 6
    high = await page(min_risk=alert_pb2.RISK_HIGH)
    assert sorted(a.alert.risk for a in high.alerts) == [3, 3, 4]
    h2 = await page(handling=alert_pb2.HANDLING_H2)
    assert [a.alert.summary for a in h2.alerts] == ["Transfer to the east"]
    esc = await page(category=alert_pb2.CATEGORY_ESCAPE, limit=2, offset=4)
    assert len(esc.alerts) == 1 and not esc.more
    assert not (await page(received_only=True)).alerts
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await page(origin="not-a-country")
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
