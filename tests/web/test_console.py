"""The web console's handlers against a real in-process node (httpx over ASGI, in the test's
loop): sign-in and sign-out, role refusals (403 and audited by the node), CSRF, headers, a
peer's markup shown as text, the person check's names kept out of URLs, logs and audit."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from exchange._proto.v1 import operator_pb2
from exchange.web import app as web_app
from exchange.web.settings import WebSettings
from tests.inproc import InprocNode, InprocRegion, audit_of, wait_until
from tests.integration.test_records import POLICIES, j
from tests.web.people import PASSWORD, add_people, csrf_of

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]
HOSTILE = '<script>alert("x")</script><b>bold</b> transfer next week'


def details(node: InprocNode, event: str) -> list[dict[str, Any]]:
    return [json.loads(e.detail) for e in audit_of(node, event)]


@pytest_asyncio.fixture
async def region(
    make_inproc_region: Callable[..., InprocRegion], tmp_path: Path
) -> AsyncIterator[InprocRegion]:
    r = make_inproc_region(("kz", "kg"), policies={k: POLICIES[k] for k in ("kz", "kg")})
    await r.start()
    env = await add_people(r["kz"], tmp_path)
    r.kz_admin = Path(env["EXCHANGE_TOKEN_FILE"]).read_text().strip()  # type: ignore[attr-defined]
    yield r


async def received_at(node: InprocNode, token: str, origin: str, aid: str) -> None:
    meta = (("x-exchange-token", token),)

    async def has() -> bool:
        req = operator_pb2.ListAlertsRequest(origin=origin, limit=100)
        return any(
            a.alert.alert_id == aid for a in (await node.call("ListAlerts", req, meta)).alerts
        )

    await wait_until(has, 20, f"{aid} at {node.country}")


def client_for(
    node: InprocNode, settings: WebSettings | None = None, app: Any = None
) -> httpx.AsyncClient:
    """A browser of its own (its own cookies) on the console `app`, or on a new console."""
    app = app or web_app.build(node.config(), settings or WebSettings())
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 50000)),
        base_url="http://127.0.0.1:8080",
    )


async def sign_in(c: httpx.AsyncClient, name: str, password: str = PASSWORD) -> httpx.Response:
    page = await c.get("/signin")
    return await c.post(
        "/signin", data={"csrf": csrf_of(page.text), "name": name, "password": password}
    )


async def test_sign_in_pages_and_sign_out(region: InprocRegion) -> None:
    kz = region["kz"]
    async with client_for(kz) as c:
        r = await c.get("/inbox")
        assert r.status_code == 303 and r.headers["location"] == "/signin"
        page = await c.get("/signin")
        h = page.headers
        assert "script-src 'self'" in h["content-security-policy"]
        assert "frame-ancestors 'none'" in h["content-security-policy"]
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "no-referrer" and h["cache-control"] == "no-store"
        assert "<script>" not in page.text.replace('<script src="/static/htmx.min.js"', "")
        anon = c.cookies.get("exsid")
        r = await sign_in(c, "timur", "not the password")
        assert r.status_code == 401 and "wrong user name or password" in r.text
        r = await sign_in(c, "timur")
        assert r.status_code == 303 and r.headers["location"] == "/inbox"
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        assert c.cookies.get("exsid") != anon, "the session id must change at sign-in"
        inbox = await c.get("/inbox")
        assert inbox.status_code == 200 and "timur" in inbox.text
        assert "exu_" not in inbox.text, "the node token never reaches the browser"
        for path in ("/check", "/records", "/documents", "/status"):
            assert (await c.get(path)).status_code == 200, path
        r = await c.post("/signout", data={"csrf": csrf_of(inbox.text)})
        assert r.status_code == 303
        assert (await c.get("/inbox")).status_code == 303
    users = [e["user"] for e in details(kz, "user.signin")]
    assert users == ["timur"]
    assert [e["user"] for e in details(kz, "user.signin_refused")] == ["timur"]
    assert [e["user"] for e in details(kz, "user.signout")] == ["timur"]


async def test_wrong_role_gets_403_and_is_audited(region: InprocRegion) -> None:
    kz = region["kz"]
    async with client_for(kz) as c:
        await sign_in(c, "timur")  # officer: no approvals, no publish
        r = await c.post(
            "/records/0190aaaa-0000-7000-8000-000000000000/deny",
            data={"csrf": csrf_of((await c.get("/inbox")).text), "reason": "x"},
        )
        assert r.status_code == 403
    async with client_for(kz) as c:
        await sign_in(c, "aida")  # auditor: reads nothing of the alerts
        for path in ("/inbox", "/check", "/records", "/documents"):
            r = await c.get(path)
            assert r.status_code == 403, path
            assert "refusal was recorded" in r.text
        assert (await c.get("/status")).status_code == 200
    refused = details(kz, "user.refused")
    assert {(e["user"], e["method"]) for e in refused} >= {
        ("timur", "DenyRecord"),
        ("aida", "ListAlerts"),
        ("aida", "MatchTokens"),
        ("aida", "ListRecords"),
        ("aida", "ListDocuments"),
    }


async def test_csrf_refused_and_nothing_done(region: InprocRegion) -> None:
    kz = region["kz"]
    async with client_for(kz) as c:
        await sign_in(c, "timur")
        before = len(audit_of(kz, "user.signout"))
        for data in ({}, {"csrf": "forged"}, {"csrf": ""}):
            r = await c.post("/signout", data=data)
            assert r.status_code == 403 and "Nothing was done" in r.text
        assert len(audit_of(kz, "user.signout")) == before
        assert (await c.get("/inbox")).status_code == 200, "still signed in"
        # a sign-in form from another session is refused too
        async with client_for(kz) as other:
            foreign = csrf_of((await other.get("/signin")).text)
        r = await c.post("/language", data={"csrf": foreign, "lang": "ru"})
        assert r.status_code == 403


async def test_peer_markup_shown_as_text_and_alert_view_audited(region: InprocRegion) -> None:
    kz, kg = region["kz"], region["kg"]
    out = await j(
        kg,
        "alerts",
        "publish",
        "--category",
        "transfer-notice",
        "--risk",
        "high",
        "--handling",
        "H2",
        "--summary",
        HOSTILE,
    )
    aid = out["alert_id"]
    await received_at(kz, region.kz_admin, "kg", aid)  # type: ignore[attr-defined]
    async with client_for(kz) as c:
        await sign_in(c, "timur")
        inbox = await c.get("/inbox")
        assert HOSTILE not in inbox.text and "<b>bold</b>" not in inbox.text
        assert (
            "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in inbox.text
        )
        assert "H2" in inbox.text and "no onward sharing" in inbox.text
        page = await c.get(f"/alerts/kg/{aid}")
        assert page.status_code == 200 and "&lt;script&gt;" in page.text
        assert "<script>alert" not in page.text
        assert "Request the record" in page.text
        # Russian
        r = await c.post(
            "/language", data={"csrf": csrf_of(page.text), "lang": "ru", "back": "/inbox"}
        )
        assert r.status_code == 303
        ru = await c.get("/inbox")
        assert "Входящие" in ru.text and "не передавать дальше" in ru.text
        # filters and pages are plain GET parameters that name no one
        assert (await c.get("/inbox?risk=4")).text.count('class="alert"') == 0
        assert (await c.get("/inbox?origin=kg&risk=3")).text.count('class="alert"') == 1
    reads = [e for e in details(kz, "alert.read") if e["alert_id"] == aid]
    assert reads and reads[-1].get("user", reads[-1]) is not None


async def test_check_names_never_in_url_log_or_audit(
    region: InprocRegion, caplog: pytest.LogCaptureFixture
) -> None:
    kz = region["kz"]
    surname, given = "Zhumabekova", "Aizhan"
    caplog.set_level(logging.DEBUG)
    async with client_for(kz) as c:
        await sign_in(c, "timur")
        page = await c.get("/check")
        assert page.status_code == 200
        seen: list[str] = []

        async def note(req: httpx.Request) -> None:
            seen.append(str(req.url))

        c.event_hooks["request"] = [note]
        r = await c.post(
            "/check",
            data={
                "csrf": csrf_of(page.text),
                "surname": surname,
                "given": given,
                "dob": "1990-02-03",
                "sex": "f",
            },
        )
        assert r.status_code == 200 and "No hit" in r.text
        r = await c.post(
            "/check", data={"csrf": csrf_of(page.text), "surname": surname, "given": given}
        )
        assert r.status_code == 400 and "date of birth" in r.text and surname not in r.text
        # a check is a POST only: a GET never runs one
        r = await c.get("/check?surname=x&given=y&dob=1990")
        assert "No hit" not in r.text
    assert seen and all(surname not in u and given not in u for u in seen)
    assert surname not in caplog.text and given not in caplog.text
    log = (kz.log_path).read_text() if kz.log_path.exists() else ""
    assert surname not in log
    for e in audit_of(kz, None):  # type: ignore[arg-type]
        assert surname not in e.detail and given not in e.detail


async def test_auditor_reads_the_trail_and_verifies_the_chain(region: InprocRegion) -> None:
    kz = region["kz"]
    async with client_for(kz) as c:
        r = await sign_in(c, "timur")
        page = await c.get("/check")
        await c.post("/check", data={"csrf": csrf_of(page.text), "surname": "Abc", "given": "Def",
                                     "dob": "1990-01-01"})  # fmt: skip
        assert (await c.get("/audit")).status_code == 403  # an officer reads no audit
    async with client_for(kz) as c:
        r = await sign_in(c, "aida")
        assert r.headers["location"] == "/audit"
        trail = await c.get("/audit")
        assert trail.status_code == 200 and "user.signin" in trail.text
        assert "timur (officer)" in trail.text
        ok = await c.get("/audit/verify")
        assert ok.status_code == 200 and "Intact" in ok.text
        assert (await c.get("/audit?alert=not-hex!")).status_code == 400
    assert ("timur", "AuditList") in {(e["user"], e["method"]) for e in details(kz, "user.refused")}


async def test_publish_previews_guard_and_policy_then_sends(region: InprocRegion) -> None:
    kz = region["kz"]
    draft = {"category": "escape", "risk": "high", "handling": "H1",
             "summary": "Escape; call +7 701 123 4567 for details"}  # fmt: skip
    async with client_for(kz) as c:
        await sign_in(c, "timur")
        assert (await c.get("/publish")).status_code == 403  # an officer publishes nothing
    async with client_for(kz) as c:
        await sign_in(c, "pavel")
        form = await c.get("/publish")
        assert form.status_code == 200
        csrf = csrf_of(form.text)
        before = len(audit_of(kz, "alert.published"))
        pre = await c.post("/publish", data={"csrf": csrf, "action": "preview", **draft})
        assert pre.status_code == 200 and "The guard flags" in pre.text
        assert (
            "701 123 4567"
            not in pre.text.split("What the personal-data guard finds")[1].split(
                "Who will receive it"
            )[0]
        ), "findings are masked"
        assert "KG: sent" in pre.text
        # sending without the reason is refused by the node; nothing is published
        r = await c.post("/publish", data={"csrf": csrf, "action": "send", **draft})
        assert r.status_code == 400
        clean = {**draft, "summary": "Escape from the colony during transfer"}
        pre = await c.post("/publish", data={"csrf": csrf, "action": "preview", **clean})
        assert "Nothing that looks like personal data" in pre.text
        r = await c.post(
            "/publish", data={"csrf": csrf, "action": "send", "key": "web-test-key-1", **clean}
        )
        assert r.status_code == 303, r.text[-1500:]
        assert r.headers["location"].startswith("/alerts/kz/")
    published = details(kz, "alert.published")
    assert len(published) == before + 1 and published[-1]["by"]["name"] == "pavel"


async def test_with_tls_the_cookie_is_host_prefixed_and_secure(region: InprocRegion) -> None:
    tls = WebSettings(tls_cert=Path("c.pem"), tls_key=Path("k.pem"))
    async with client_for(region["kz"], tls) as c:
        page = await c.get("/signin")
        assert "__Host-exsid=" in page.headers["set-cookie"]
        assert "Secure" in page.headers["set-cookie"]
        assert "max-age=31536000" in page.headers["strict-transport-security"]


async def test_inbox_marks_what_is_new_since_the_last_visit_and_pages_by_htmx(
    region: InprocRegion,
) -> None:
    kz, kg = region["kz"], region["kg"]
    token = region.kz_admin  # type: ignore[attr-defined]
    pub = ["alerts", "publish", "--category", "escape", "--risk", "low", "--handling", "H0"]
    first = (await j(kg, *pub, "--summary", "First escape notice"))["alert_id"]
    await received_at(kz, token, "kg", first)
    console = web_app.build(kz.config(), WebSettings())  # one console process, two visits
    async with client_for(kz, app=console) as c:
        await sign_in(c, "timur")
        seen = await c.get("/inbox")
        assert "Marked new" not in seen.text and 'class="tag new"' not in seen.text
        await c.post("/signout", data={"csrf": csrf_of(seen.text)})
    second = (await j(kg, *pub, "--summary", "Second escape notice"))["alert_id"]
    await received_at(kz, token, "kg", second)
    async with client_for(kz, app=console) as c:
        await sign_in(c, "timur")
        page = await c.get("/inbox")
        assert "Marked new" in page.text
        items = page.text.split('<li class="alert">')[1:]
        assert "Second escape notice" in items[0] and 'class="tag new"' in items[0]
        assert "First escape notice" in items[1] and 'class="tag new"' not in items[1]
        rows = await c.get("/inbox?risk=1", headers={"HX-Request": "true"})
        assert rows.status_code == 200 and "<html" not in rows.text
        assert rows.text.count('<li class="alert">') == 2


async def test_trust_page_for_administrators_and_no_open_redirect(region: InprocRegion) -> None:
    kz = region["kz"]
    async with client_for(kz) as c:
        await sign_in(c, "timur")
        assert (await c.get("/trust")).status_code == 403
    async with client_for(kz) as c:
        await sign_in(c, "admin")
        page = await c.get("/trust")
        assert page.status_code == 200 and "Trust bundle version" in page.text
        assert page.text.count('<tr><th scope="row">') >= 2  # kz's and kg's keys at least
        for back in ("//evil.example/x", "/\\evil.example", "https://evil.example/"):
            r = await c.post("/language", data={"csrf": csrf_of(page.text), "lang": "en",
                                                "back": back})  # fmt: skip
            assert r.status_code == 303 and r.headers["location"] == "/", back
        r = await c.post("/language", data={"csrf": csrf_of(page.text), "back": "/status"})
        assert r.headers["location"] == "/status"
    refused = {(e["user"], e["method"]) for e in details(kz, "user.refused")}
    assert ("timur", "KeysStatus") in refused


async def test_publisher_uploads_a_document_and_an_officer_downloads_it(
    region: InprocRegion,
) -> None:
    kz = region["kz"]
    body = b"Checklist for searches of cells.\n" * 2000
    async with client_for(kz) as c:
        await sign_in(c, "timur")
        assert (await c.get("/documents/publish")).status_code == 403
    async with client_for(kz) as c:
        await sign_in(c, "pavel")
        form = await c.get("/documents/publish")
        fields = {
            "csrf": csrf_of(form.text),
            "title": "Search checklist",
            "topic": "training",
            "language": "en",
            "handling": "H0",
            "summary": "How to search a cell",
        }
        r = await c.post("/documents/publish", data={**fields, "csrf": "forged"},
                         files={"file": ("checklist.txt", body, "text/plain")})  # fmt: skip
        assert r.status_code == 403
        assert "Search checklist" not in (await c.get("/documents")).text, "nothing was stored"
        r = await c.post("/documents/publish", data=fields,
                         files={"file": ("checklist.txt", body, "text/plain")})  # fmt: skip
        assert r.status_code == 303, r.text[-800:]
    async with client_for(kz) as c:
        await sign_in(c, "timur")
        docs = await c.get("/documents?topic=training")
        assert "Search checklist" in docs.text
        link = docs.text.split('href="/documents/kz/', 1)[1].split('"', 1)[0]
        got = await c.get("/documents/kz/" + link)
        assert got.status_code == 200 and got.content == body
        assert "attachment" in got.headers["content-disposition"]
        assert (await c.get("/documents?q=search")).text.count("Search checklist") == 1
    assert details(kz, "document.read")[-1]["by"]["name"] == "timur"
    assert details(kz, "document.published")[-1]["by"]["name"] == "pavel"
