"""The demo's narrator: prints each step and command, runs it, and checks each claim."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from exchange.cli.keys_cmds import PASSPHRASE_ENV
from exchange.errors import Error
from exchange.localregion import LocalNode, wait_for

# The demo's admin keys live in a temporary folder and die with it; a real passphrase is typed.
DEMO_PASSPHRASE = "demo passphrase, never for real keys"

console = Console(highlight=False)


class DemoFailed(Error):
    pass


class Story:
    def __init__(self) -> None:
        self.checks: list[str] = []

    def step(self, text: str) -> None:
        console.print(f"\n[bold cyan]▶ {text}[/]")

    def tool(self, root: Path, *args: str) -> str:
        """An administrator's key tool (no node involved), run in the region's folder."""
        shown = " ".join(shlex.quote(a) for a in args)
        console.print(f"  [dim]$ exchange {shown}[/]")
        proc = subprocess.run(
            [sys.executable, "-m", "exchange", *args],
            capture_output=True,
            text=True,
            cwd=root,
            env={**os.environ, PASSPHRASE_ENV: DEMO_PASSPHRASE},
            timeout=60,
        )
        if proc.returncode != 0:
            raise DemoFailed(f"`exchange {shown}` failed: {proc.stderr.strip()}")
        return proc.stdout

    def run(self, node: LocalNode, *args: str) -> str:
        shown = " ".join(shlex.quote(f"{a[:8]}…{a[-8:]}" if len(a) == 64 else a) for a in args)
        console.print(f"  [dim]$ exchange {shown} --config {node.country}.toml[/]")
        return node.cli(*args)

    def refused(self, node: LocalNode, *args: str) -> str:
        """A command that must fail (a refusal the story shows): its error text."""
        shown = " ".join(shlex.quote(a) for a in args)
        console.print(f"  [dim]$ exchange {shown} --config {node.country}.toml[/]")
        proc = subprocess.run(
            [sys.executable, "-m", "exchange", *args, "--config", str(node.config_path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if proc.returncode == 0:
            raise DemoFailed(f"`exchange {shown}` at {node.country} succeeded; it must be refused")
        return proc.stderr.strip()

    def publish(self, node: LocalNode, *args: str) -> str:
        """`exchange alerts publish --json ARGS` on node; the new alert's id."""
        return str(json.loads(self.run(node, "alerts", "publish", "--json", *args))["alert_id"])

    def check(self, what: str, ok: Callable[[], bool], timeout: float = 30.0) -> None:
        try:
            wait_for(ok, timeout, what, interval=0.1)
        except Error:
            raise DemoFailed(f"check failed: {what}") from None
        self.checks.append(what)
        console.print(f"  [green]✓[/] {what}")
