"""The people of a test node: one user per role, each with a password (and the admin a token),
set through the CLI as an administrator would."""

from __future__ import annotations

import re
from pathlib import Path

from tests.inproc import InprocNode

PASSWORD = "a long test password"
PEOPLE = {
    "admin": "administrator",
    "pavel": "publisher",
    "timur": "officer",
    "olga": "approver",
    "aida": "auditor",
}
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


async def add_people(node: InprocNode, tmp: Path) -> dict[str, str]:
    """Every user of PEOPLE with PASSWORD; the admin's token file env."""
    await node.cli("users", "add", "admin", "--role", "administrator")
    out = tmp / f"admin-{node.country}.token"
    await node.cli("users", "token", "admin", "--out", str(out))
    env = {"EXCHANGE_TOKEN_FILE": str(out)}
    for name, role in PEOPLE.items():
        if name != "admin":
            await node.cli("users", "add", name, "--role", role, env=env)
        proc = await node.run_input("users", "password", name, "--stdin", env=env, input=PASSWORD)
        assert proc.returncode == 0, proc.stderr
    return env


def csrf_of(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)
