"""The demo's web console: KG's people are added after the scripted CLI steps (which run
token-less, as a node without users allows), then `exchange web` starts for KG and the demo
checks, as a browser would, that it answers: the sign-in page, a sign-in with the demo
officer's generated password, and an inbox listing every alert KG holds.

The password is generated per run, printed once, and lives only in the temporary region."""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from exchange.demo_story import DemoFailed, Story, console
from exchange.localregion import LocalNode, LocalRegion

OFFICER = "demo-officer"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class DemoConsole:
    url: str
    name: str
    password: str
    admin_token: Path
    log: Path
    proc: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _exchange(node: LocalNode, *args: str, env: dict[str, str], stdin: str = "") -> str:
    """`exchange ARGS --config node` as KG's administrator; shown as the story shows commands."""
    console.print(f"  [dim]$ exchange {' '.join(args)} --config {node.country}.toml[/]")
    proc = subprocess.run(
        [sys.executable, "-m", "exchange", *args, "--config", str(node.config_path)],
        capture_output=True,
        text=True,
        input=stdin,
        env={**os.environ, **env},
        timeout=60,
    )
    if proc.returncode != 0:
        raise DemoFailed(f"`exchange {args[0]} {args[1]}` failed at KG: {proc.stderr.strip()}")
    return proc.stdout


def _add_people(node: LocalNode, root: Path) -> tuple[Path, str]:
    """KG's first administrator (with a token file, 0600) and the demo officer with a fresh
    password; returns (token file, password)."""
    token = root / "kg-admin.token"
    _exchange(node, "users", "add", "admin", "--role", "administrator", env={})
    _exchange(node, "users", "token", "admin", "--out", str(token), env={})
    env = {"EXCHANGE_TOKEN_FILE": str(token)}
    _exchange(node, "users", "add", OFFICER, "--role", "officer", env=env)
    password = secrets.token_urlsafe(18)  # 24 characters; printed once, stored nowhere
    _exchange(node, "users", "password", OFFICER, "--stdin", env=env, stdin=password + "\n")
    return token, password


def _start(node: LocalNode, root: Path) -> tuple[str, Path, subprocess.Popen[bytes]]:
    port = _free_port()
    log = root / "kg-web.log"
    config = str(node.config_path)
    argv = [
        sys.executable,
        "-m",
        "exchange",
        "web",
        "--config",
        config,
        "--listen",
        f"127.0.0.1:{port}",
    ]
    with log.open("ab") as fh:
        proc = subprocess.Popen(
            argv,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    return f"http://127.0.0.1:{port}", log, proc


class _Browser:
    """Just enough of a browser: cookies, redirects, forms with their CSRF token."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str, str]:
        return self._open(urllib.request.Request(self.url + path))

    def post(self, path: str, form: dict[str, str]) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(form).encode()
        return self._open(urllib.request.Request(self.url + path, data=body, method="POST"))

    def _open(self, req: urllib.request.Request) -> tuple[int, str, str]:
        try:
            with self.opener.open(req, timeout=10) as resp:
                return int(resp.status), resp.geturl(), resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as err:
            return err.code, err.geturl(), err.read().decode("utf-8", "replace")
        except (urllib.error.URLError, OSError):
            return 0, "", ""


def kg_console(region: LocalRegion, story: Story) -> DemoConsole:
    """Add KG's people, start KG's console and check it answers; the caller stops it."""
    kg = region["kg"]
    held = sorted((origin, aid) for origin in ("kz", "tj", "uz") for aid in kg.versions(origin))
    story.step("KG's officers use the web console: KG adds its people, then starts it")
    console.print("  (after the scripted steps: from now on every command at KG needs a token)")
    token, password = _add_people(kg, region.root)
    url, log, proc = _start(kg, region.root)
    console.print(f"  [dim]$ exchange web --config kg.toml --listen {url[7:]}[/]")
    web = DemoConsole(url, OFFICER, password, token, log, proc)
    try:
        browser = _Browser(url)
        page: dict[str, str] = {}

        def signin_page() -> bool:
            if proc.poll() is not None:
                raise DemoFailed(f"KG's console exited; see {log}")
            status, _, html = browser.get("/signin")
            page["signin"] = html
            return status == 200 and "csrf" in html

        story.check("KG's console answers: the sign-in page, 200", signin_page)

        def signs_in() -> bool:
            found = _CSRF.search(page["signin"])
            csrf = found.group(1) if found else ""
            form = {"csrf": csrf, "name": OFFICER, "password": password}
            status, where, html = browser.post("/signin", form)
            page["inbox"] = html
            return status == 200 and where.endswith("/inbox")

        story.check(f"{OFFICER} signs in with the generated password", signs_in, timeout=5)
        story.check(
            f"the inbox lists the {len(held)} alerts KG received",
            lambda: bool(held) and all(f'href="/alerts/{o}/{a}"' in page["inbox"] for o, a in held),
            timeout=1,
        )
    except BaseException:
        web.stop()
        raise
    return web


def console_lines(web: DemoConsole, keep: bool) -> list[str]:
    """What a person needs to use the console (the password is printed here, once)."""
    state = "left running" if keep else "stopped with the demo; `exchange demo --keep` keeps it"
    return [
        f"KG's web console ({state}): {web.url}/",
        f"  sign in as {web.name} (officer) with the password {web.password}",
        f"  KG's administrator token (KG's commands now need it): "
        f"export EXCHANGE_TOKEN_FILE={web.admin_token}",
    ]
