"""Real browser tests' plumbing: an `exchange web` process beside an in-process node, and
headless Chromium (Debian's, launched by path: Playwright cannot download its own here)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.inproc import InprocNode

CHROMIUM = os.environ.get("EXCHANGE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("EXCHANGE_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "web"


def need_browser() -> None:
    """Skip (fail on CI) without chromium or playwright."""
    why = ""
    if not Path(CHROMIUM).exists():
        why = f"no chromium at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        why = why or "playwright is not installed (pip install -e '.[dev]')"
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI requires the browser tests to run: {why}")
        pytest.skip(why)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class WebProcess:
    url: str
    log: Path
    proc: subprocess.Popen[bytes]

    def log_text(self) -> str:
        return self.log.read_text("utf-8", "replace") if self.log.exists() else ""


@asynccontextmanager
async def web_process(node: InprocNode) -> AsyncIterator[WebProcess]:
    """`python -m exchange web` for the node, on a free loopback port; stopped afterwards."""
    port = free_port()
    log = node.root / "web.log"
    fh = log.open("ab")
    argv = [sys.executable, "-m", "exchange", "web", "--config", str(node.config_path),
            "--listen", f"127.0.0.1:{port}"]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=fh, stderr=subprocess.STDOUT, env=os.environ.copy())
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        async with httpx.AsyncClient() as c:
            while True:
                try:
                    if (await c.get(url + "/signin")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"exchange web did not start: {log.read_text()[-2000:]}")
                await asyncio.sleep(0.1)
        yield WebProcess(url, log, proc)
    finally:
        proc.terminate()
        try:
            await asyncio.to_thread(proc.wait, 10)
        except subprocess.TimeoutExpired:
            proc.kill()
        fh.close()


@asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def shot(page: Any, name: str) -> None:
    """A full-page screenshot, kept as a test artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def sign_in(page: Any, url: str, name: str, password: str) -> None:
    await page.goto(url + "/signin")
    await page.locator("#name").fill(name)
    await page.locator("#password").fill(password)
    await page.locator("#password").press("Enter")  # the keyboard alone
    await page.wait_for_load_state()


async def sign_out(page: Any) -> None:
    await page.locator("form.who button").click()
    await page.wait_for_url("**/signin")
