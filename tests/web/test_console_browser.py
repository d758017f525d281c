"""The console in a real browser (headless Chromium through Playwright) against a real
`exchange web` process and real nodes: sign-in and sign-out, a role's refusal (403, audited),
a forged form refused, a peer's markup shown as text, the names typed for a check absent from
URLs, logs and audit, and a record request from request to opened response across two nodes.
A screenshot of every page is kept under test-artifacts/web/."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from exchange._proto.v1 import operator_pb2
from tests.inproc import InprocNode, InprocRegion, audit_of, wait_until
from tests.integration.test_records import POLICIES, j
from tests.web.browser import chromium, need_browser, shot, sign_in, sign_out, web_process
from tests.web.people import PASSWORD, add_people

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]
HOSTILE = '<script>document.title="owned"</script><img src=x onerror=alert(1)> moved east'


def details(node: InprocNode, event: str) -> list[dict[str, Any]]:
    return [json.loads(e.detail) for e in audit_of(node, event)]


async def token_env(
    node: InprocNode, admin_env: dict[str, str], name: str, tmp: Path
) -> dict[str, str]:
    out = tmp / f"{name}-{node.country}.token"
    await node.cli("users", "token", name, "--out", str(out), env=admin_env)
    return {"EXCHANGE_TOKEN_FILE": str(out)}


async def holds(node: InprocNode, env: dict[str, str], origin: str, aid: str) -> None:
    token = Path(env["EXCHANGE_TOKEN_FILE"]).read_text().strip()

    async def has() -> bool:
        req = operator_pb2.ListAlertsRequest(origin=origin, limit=100)
        found = await node.call("ListAlerts", req, (("x-exchange-token", token),))
        return any(a.alert.alert_id == aid for a in found.alerts)

    await wait_until(has, 30, f"{aid} at {node.country}")


@pytest_asyncio.fixture
async def region(
    make_inproc_region: Callable[..., InprocRegion], tmp_path: Path, backend: str
) -> AsyncIterator[InprocRegion]:
    need_browser()
    r = make_inproc_region(("kz", "kg"), policies={k: POLICIES[k] for k in ("kz", "kg")})
    await r.start()
    yield r


# The browser tests run once, on SQLite; the handlers' tests (test_console.py) cover both.
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_browser_signin_roles_csrf_markup_and_check(
    region: InprocRegion, tmp_path: Path
) -> None:
    kz, kg = region["kz"], region["kg"]
    admin = await add_people(kz, tmp_path)
    kg_admin = await add_people(kg, tmp_path)
    pub = await token_env(kg, kg_admin, "pavel", tmp_path)
    out = await j(kg, "alerts", "publish", "--category", "transfer-notice", "--risk", "high",
                  "--handling", "H2", "--summary", HOSTILE, env=pub)  # fmt: skip
    aid = out["alert_id"]
    await holds(kz, admin, "kg", aid)
    surname, given = "Nurlanovna-Testova", "Gulnara"
    async with web_process(kz) as web, chromium() as browser:
        page = await browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        await page.goto(web.url + "/inbox")
        assert page.url.endswith("/signin")
        await shot(page, "01-signin")
        await sign_in(page, web.url, "timur", "wrong password here")
        assert "wrong user name or password" in await page.content()
        await sign_in(page, web.url, "timur", PASSWORD)
        assert page.url.endswith("/inbox")
        # the peer's markup is text: shown, never run
        summary = page.locator(".summary").first
        assert "<script>" in await summary.inner_text()
        assert await page.title() != "owned" and not dialogs
        assert "H2" in await page.locator(".banner").first.inner_text()
        await shot(page, "02-inbox")
        await page.get_by_role("link", name="Transfer notice").first.click()
        await page.wait_for_url(f"**/alerts/kg/{aid}")
        assert "<img src=x" in await page.locator("dd.summary").first.inner_text()
        await shot(page, "03-alert")
        # check a person: a POST form; the names are in no URL, log or audit
        await page.goto(web.url + "/check")
        await shot(page, "04-check")
        await page.get_by_label("Surname").fill(surname)
        await page.get_by_label("Given name", exact=True).fill(given)
        await page.get_by_label("Date of birth", exact=False).fill("1991-04-05")
        await page.get_by_role("button", name="Check", exact=True).click()
        await page.wait_for_load_state()
        assert "No hit" in await page.content()
        assert surname not in page.url and given not in page.url
        await shot(page, "05-check-result")
        for path, name in (("/records", "06-records"), ("/documents", "07-documents"),
                           ("/status", "08-status")):  # fmt: skip
            await page.goto(web.url + path)
            await shot(page, name)
        # a forged form is refused and does nothing
        await page.goto(web.url + "/inbox")
        await page.locator("form.who input[name=csrf]").evaluate("e => e.value = 'forged'")
        await page.get_by_role("button", name="Sign out").click()
        await page.wait_for_load_state()
        assert "Nothing was done" in await page.content()
        await shot(page, "09-csrf-refused")
        await page.goto(web.url + "/inbox")
        assert page.url.endswith("/inbox"), "still signed in after the forged sign-out"
        # Russian, then sign out
        await page.get_by_label("Language").select_option("ru")
        await page.get_by_role("button", name="Change").click()
        await page.wait_for_load_state()
        assert "Входящие" in await page.content()
        await shot(page, "10-inbox-ru")
        await page.get_by_role("button", name="Выйти").click()
        await page.wait_for_url("**/signin")
        await page.goto(web.url + "/inbox")
        assert page.url.endswith("/signin")
        await page.get_by_label("Язык").select_option("en")  # back to English, signed out
        await page.get_by_role("button", name="Сменить").click()
        await page.wait_for_load_state()
        assert "User name" in await page.content()
        # an auditor: the inbox is refused (403) and the refusal audited
        await sign_in(page, web.url, "aida", PASSWORD)
        resp = await page.goto(web.url + "/inbox")
        assert resp is not None and resp.status == 403
        await shot(page, "11-refused")
        await page.goto(f"{web.url}/audit?alert={aid[:13]}")
        assert "alert.read" in await page.content()
        await shot(page, "12-audit-trail")
        await page.goto(web.url + "/audit/verify")
        assert "Intact" in await page.content()
        await shot(page, "13-audit-verified")
        await sign_out(page)
        # a publisher previews an alert: the guard's findings and the policy's answer
        await sign_in(page, web.url, "pavel", PASSWORD)
        await page.goto(web.url + "/publish")
        await page.get_by_label("Summary").fill("Escape; call +7 701 123 4567")
        await page.get_by_role("button", name="Preview").click()
        await page.wait_for_load_state()
        assert "The guard flags" in await page.content()
        await shot(page, "14-publish-preview")
        await sign_out(page)
        await page.close()
        log = web.log_text()
    assert surname not in log and given not in log
    assert surname not in kz.log_path.read_text()
    for e in audit_of(kz, None):  # type: ignore[arg-type]
        assert surname not in e.detail and given not in e.detail
    assert ("aida", "ListAlerts") in {(e["user"], e["method"]) for e in details(kz, "user.refused")}
    assert {e["user"] for e in details(kz, "user.signin")} == {"timur", "aida", "pavel"}
    assert any(e["alert_id"] == aid for e in details(kz, "alert.read"))


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_browser_record_request_across_two_nodes(
    region: InprocRegion, tmp_path: Path
) -> None:
    kz, kg = region["kz"], region["kg"]
    kz_admin = await add_people(kz, tmp_path)
    await add_people(kg, tmp_path)
    pub = await token_env(kz, kz_admin, "pavel", tmp_path)
    out = await j(kz, "alerts", "publish", "--category", "release-notice", "--risk", "high",
                  "--handling", "H1", "--summary", "Release from the colony next week",
                  env=pub)  # fmt: skip
    aid = out["alert_id"]
    kg_admin_env = {"EXCHANGE_TOKEN_FILE": str(tmp_path / "admin-kg.token")}
    await holds(kg, kg_admin_env, "kz", aid)
    attachment = tmp_path / "sentence.txt"
    attachment.write_text("Sentence served in full; release on schedule.\n")
    async with web_process(kg) as kg_web, web_process(kz) as kz_web, chromium() as browser:
        officer = await browser.new_page()
        await sign_in(officer, kg_web.url, "timur", PASSWORD)
        assert "Release from the colony next week" in await officer.content()
        await shot(officer, "19-inbox")  # the README's inbox
        await officer.goto(f"{kg_web.url}/alerts/kz/{aid}")
        await officer.get_by_label("Purpose").fill("Assess the risk of the released person")
        await officer.get_by_label("Legal basis").fill("Regional agreement, article 7")
        await officer.get_by_role("button", name="Send the request").click()
        await officer.wait_for_url("**/records")
        await shot(officer, "20-my-requests")
        approver = await browser.new_page()
        await sign_in(approver, kz_web.url, "olga", PASSWORD)

        async def pending() -> bool:
            await approver.goto(kz_web.url + "/records")
            return await approver.get_by_role("button", name="Approve and send").count() > 0

        await wait_until(pending, 30, "the request at kz's approver", 0.5)
        await shot(approver, "21-approvals")
        await approver.get_by_label("summary", exact=True).check()
        await approver.locator("input[type=file]").first.set_input_files(str(attachment))
        await approver.get_by_label("Restrictions, one a line").first.fill("No onward sharing")
        await approver.get_by_role("button", name="Approve and send").first.click()
        await approver.wait_for_url("**/records")

        async def answered() -> bool:
            await officer.goto(kg_web.url + "/records")
            return await officer.locator("table a[href^='/records/']").count() > 0

        await wait_until(answered, 30, "the answer at kg", 0.5)
        await officer.locator("table a[href^='/records/']").first.click()
        await officer.wait_for_load_state()
        text = await officer.content()
        assert "Release from the colony next week" in text and "No onward sharing" in text
        await shot(officer, "22-record-opened")
        async with officer.expect_download() as dl_info:
            await officer.get_by_role("link", name="sentence.txt").click()
        dl = await dl_info.value
        saved = tmp_path / "got.txt"
        await dl.save_as(str(saved))
        assert saved.read_bytes() == attachment.read_bytes()
    # a document published at kz, downloaded through kz's console by an officer there
    doc = tmp_path / "checklist.txt"
    doc.write_text("Audit checklist for cell searches.\n" * 50)
    await kz.cli("docs", "publish", str(doc), "--title", "Search checklist", "--topic",
                 "training", "--language", "en", env=pub)  # fmt: skip
    async with web_process(kz) as kz_web, chromium() as browser:
        officer = await browser.new_page()
        await sign_in(officer, kz_web.url, "timur", PASSWORD)
        await officer.goto(kz_web.url + "/documents")
        assert "Search checklist" in await officer.content()
        await shot(officer, "23-documents")
        async with officer.expect_download() as dl_info:
            await officer.get_by_role("link", name="Download").first.click()
        dl = await dl_info.value
        got = tmp_path / "doc.txt"
        await dl.save_as(str(got))
        assert got.read_bytes() == doc.read_bytes()
    # every step is audited with the person who took it, on the node where they took it
    steps = [
        (kg, "record.requested", "timur"),
        (kg, "record.opened", "timur"),
        (kg, "record.attachment_read", "timur"),
        (kg, "alert.read", "timur"),
        (kz, "document.read", "timur"),
    ]
    for node, event, who in steps:
        found = details(node, event)
        assert found and found[-1]["by"]["name"] == who, (event, found[-1:])


async def _tab_to(page: Any, selector: str, most: int = 40) -> None:
    """Press Tab until the element matching `selector` has the focus (keyboard alone)."""
    for _ in range(most):
        await page.keyboard.press("Tab")
        if await page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


async def _fits(page: Any) -> bool:
    """No sideways scrolling: the page fits its viewport's width."""
    return bool(
        await page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
        )
    )


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_browser_keyboard_alone_and_200_percent_zoom(
    region: InprocRegion, tmp_path: Path
) -> None:
    """An officer signs in, reaches the check page and checks a person with the keyboard
    alone; at 200% zoom (a 1280-pixel window is 640 CSS pixels wide) every page fits its width;
    focus is always drawn; the answer is words, not a colour."""
    kz = region["kz"]
    await add_people(kz, tmp_path)
    async with web_process(kz) as web, chromium() as browser:
        page = await browser.new_page(viewport={"width": 640, "height": 900})
        await page.goto(web.url + "/signin")
        await _tab_to(page, "#name")
        await page.keyboard.type("timur")
        await _tab_to(page, "#password")
        await page.keyboard.type(PASSWORD)
        await page.keyboard.press("Enter")
        await page.wait_for_url("**/inbox")
        await _tab_to(page, "a[href='/check']")
        focused = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert focused != "none"  # the focused link is drawn
        await page.keyboard.press("Enter")
        await page.wait_for_url("**/check")
        await _tab_to(page, "#surname")
        await page.keyboard.type("Zhaksylykova")
        await _tab_to(page, "#given")
        await page.keyboard.type("Aigerim")
        await _tab_to(page, "#dob")
        await page.keyboard.type("1990-02-03")
        async with page.expect_navigation():
            await page.keyboard.press("Enter")
        assert "No hit" in await page.content()  # in words
        await shot(page, "20-check-keyboard-zoom")
        for path in ("/inbox", "/check", "/records", "/documents", "/status"):
            await page.goto(web.url + path)
            assert await _fits(page), f"{path} scrolls sideways at 200% zoom"
        await page.close()
