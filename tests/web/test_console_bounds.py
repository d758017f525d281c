"""What a client can make the console hold is bounded: a flood of anonymous sessions never
signs anyone out, one user's sign-ins never push out another's, and a body is counted as it
arrives (a chunked one has no content-length to check) and refused past its page's bound."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from exchange.web import app as web_app
from exchange.web import sessions as sessions_mod
from exchange.web.sessions import Sessions
from exchange.web.settings import WebSettings
from tests.inproc import InprocRegion, audit_of
from tests.web.test_console import client_for, region, sign_in  # noqa: F401

FLOOD = 20_000


async def anonymous_get(app: Any, path: str = "/signin") -> int:
    """One cookie-less GET straight through the ASGI app (a fresh client each time)."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
             "root_path": "", "headers": [(b"host", b"127.0.0.1:8080")],
             "client": ("203.0.113.9", 40000), "server": ("127.0.0.1", 8080)}  # fmt: skip
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])

    await app(scope, receive, send)
    return status


@pytest.mark.integration
@pytest.mark.asyncio
@pytest.mark.timeout(300)
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # the node is not involved
async def test_anonymous_flood_signs_nobody_out(region: InprocRegion) -> None:  # noqa: F811
    kz = region["kz"]
    app = web_app.build(kz.config(), WebSettings())
    held: Sessions = app.state.console.sessions
    async with client_for(kz, app=app) as timur:
        assert (await sign_in(timur, "timur")).status_code == 303
        assert (await timur.get("/inbox")).status_code == 200
        started = time.monotonic()
        for _ in range(FLOOD):
            assert await anonymous_get(app) == 200
        took = time.monotonic() - started
        assert held.anonymous == sessions_mod.MAX_ANONYMOUS  # bounded, the oldest went
        r = await timur.get("/inbox")
        assert r.status_code == 200, "the flood signed timur out"
        assert "Inbox" in r.text
    print(f"{FLOOD} anonymous GETs in {took:.1f}s")


@pytest.mark.integration
@pytest.mark.asyncio
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_chunked_body_past_the_bound_is_refused(region: InprocRegion) -> None:  # noqa: F811
    kz = region["kz"]
    app = web_app.build(kz.config(), WebSettings())
    before = len(audit_of(kz, "user.signin_refused")) + len(audit_of(kz, "user.signin"))

    async def chunks() -> AsyncIterator[bytes]:
        yield b"csrf=x&name=timur&password="
        for _ in range(100):
            yield b"a" * 4096  # 400 KiB, over the 64 KiB a form may carry

    async with client_for(kz, app=app) as c:
        await c.get("/signin")
        r = await c.post("/signin", content=chunks(),
                         headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
        assert "content-length" not in r.request.headers  # chunked: nothing to check up front
        assert r.status_code == 413
        # nothing reached the node: no sign-in attempt was made or audited
        after = len(audit_of(kz, "user.signin_refused")) + len(audit_of(kz, "user.signin"))
        assert after == before
        # a form within the bound still works
        assert (await sign_in(c, "timur")).status_code == 303


def test_one_users_sign_ins_never_push_out_anothers() -> None:
    s = Sessions(idle=600, absolute=3600)
    olga = s.signed_in(s.new(), "olga", "approver", "t-olga")
    mine = [s.signed_in(s.new(), "timur", "officer", f"t{i}") for i in range(100)]
    assert s.get(olga.sid) is olga
    live = [x for x in mine if s.get(x.sid) is not None]
    assert live == mine[-sessions_mod.MAX_PER_USER :]  # timur's newest only
    assert s.anonymous == 0  # each anonymous session was dropped at its sign-in


def test_anonymous_sessions_evict_only_each_other(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sessions_mod, "MAX_ANONYMOUS", 50)
    s = Sessions(idle=600, absolute=3600)
    olga = s.signed_in(s.new(), "olga", "approver", "t-olga")
    first = s.new()
    for _ in range(500):
        s.new()
    assert s.anonymous == 50 and s.get(first.sid) is None
    assert s.get(olga.sid) is olga and s.get(olga.sid).signed_in  # type: ignore[union-attr]
    assert s.drop(olga.sid) is olga and s.get(olga.sid) is None


def test_body_limits_by_page() -> None:
    from exchange.web import console, pages_docs

    assert web_app.body_limit("/signin") == console.MAX_FORM
    assert web_app.body_limit("/records/abc/deny") == console.MAX_FORM
    assert web_app.body_limit("/documents/publish") > pages_docs.MAX_UPLOAD
    assert web_app.body_limit("/records/abc/approve") > 4 * (8 << 20)
