"""`--json` on every command, writers included, with errors as one JSON line on stderr; and
`serve --json` logs one JSON object per line. Real processes of the CLI, no node needed."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click

from exchange.cli.main import cli
from exchange.node.serve import JsonFormatter

PASS = "correct horse battery staple"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EXCHANGE_ADMIN_PASSPHRASE": PASS}
    return subprocess.run(
        [sys.executable, "-m", "exchange", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def ok(*args: str, cwd: Path | None = None) -> Any:
    res = run(*args, "--json", cwd=cwd)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def refused(*args: str) -> dict[str, str]:
    res = run(*args, "--json")
    assert res.returncode == 1, (res.stdout, res.stderr)
    assert res.stdout == ""
    [line] = res.stderr.splitlines()
    err: dict[str, str] = json.loads(line)
    assert set(err) == {"error", "hint"}
    return err


def test_every_command_but_the_demo_takes_json() -> None:
    missing = []

    def walk(cmd: click.Command, path: list[str]) -> None:
        if isinstance(cmd, click.Group):  # through get_command: the CLI imports them lazily
            ctx = click.Context(cmd)
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                assert sub is not None, name
                walk(sub, [*path, name])
            return
        opts = {o for p in cmd.params for o in getattr(p, "opts", [])}
        if "--json" not in opts and path != ["demo"]:
            missing.append(" ".join(path))

    walk(cli, [])
    assert missing == []


def test_offline_ceremony_commands_answer_in_json(tmp_path: Path) -> None:
    key = tmp_path / "kz-admin.key"
    made = ok("keys", "admin", "init", "--country", "kz", "--out", str(key))
    assert made["country"] == "kz" and len(made["key_id"]) == 64

    bundle = tmp_path / "bundle.v1"
    proposed = ok(
        "keys", "bundle", "propose", "--version", "1", "--expires", "2099-01-01",
        "--threshold", "1", "--member", f"kz={key}.pub", "--out", str(bundle),
    )  # fmt: skip
    assert proposed["version"] == 1 and len(proposed["digest"]) == 64
    assert "threshold" in proposed["warning"]  # a threshold of 1 is said, in JSON too

    signed = ok("keys", "bundle", "sign", str(bundle), "--key", str(key))
    assert signed == {
        "version": 1, "digest": proposed["digest"], "signatures": 1, "key_id": made["key_id"],
    }  # fmt: skip
    before = bundle.read_bytes()
    err = refused("keys", "bundle", "sign", str(bundle), "--key", str(key))
    assert "already signed" in err["error"]
    assert bundle.read_bytes() == before  # nothing written

    assert ok("keys", "admin", "rewrap", str(key)) == {
        "file": str(key), "key_id": made["key_id"], "rewrapped": False,
    }  # fmt: skip

    spki = hashlib.sha256(b"kz tls").hexdigest()
    public = tmp_path / "kz.public.json"
    public.write_text(
        json.dumps({"country": "kz", "sign": "11" * 32, "seal": "22" * 32, "tls_spki": spki})
    )
    certs = tmp_path / "kz.certs"
    issued = ok(
        "keys", "node", "issue", "--key", str(key), "--public", str(public), "--out", str(certs),
    )  # fmt: skip
    assert issued["purposes"] == ["sign", "seal", "tls"] and certs.exists()

    rev = tmp_path / "kz.rev"
    revoked = ok(
        "keys", "revoke", "--key", str(key), "--country", "kz", "--key-id", spki[:12],
        "--certs", str(certs), "--out", str(rev),
    )  # fmt: skip
    assert revoked["key_id"] == spki  # a TLS key is named by its fingerprint
    err = refused(
        "keys", "revoke", "--key", str(key), "--country", "kz", "--key-id", "abcdef12",
        "--certs", str(certs), "--out", str(tmp_path / "other.rev"),
    )  # fmt: skip
    assert not (tmp_path / "other.rev").exists() and err["error"]


def test_init_in_json_names_each_key_once(tmp_path: Path) -> None:
    (tmp_path / "kz.toml").write_text(
        'country = "kz"\nlisten = "127.0.0.1:0"\nstate_dir = "state"\n'
    )
    out = ok("init", "--config", "kz.toml", cwd=tmp_path)
    assert out["country"] == "kz" and out["policy_written"]
    assert set(out["key_ids"]) == {"sign", "seal", "tls"}
    assert out["key_ids"]["tls"] == out["fingerprint"]  # one value for the TLS key
    err = refused("init", "--config", str(tmp_path / "kz.toml"))
    assert err["error"] and err["hint"]  # keys exist: refused, said in JSON


def test_serve_json_logs_are_one_escaped_object_per_line() -> None:
    fmt = JsonFormatter("kz")
    record = logging.LogRecord(
        "exchange.node", logging.WARNING, __file__, 1, "peer said %s", ("ok\u202e\nforged",), None
    )
    line = fmt.format(record)
    assert "\n" not in line and "\u202e" not in line
    data = json.loads(line)
    assert data["country"] == "kz" and data["level"] == "WARNING"
    assert data["logger"] == "exchange.node" and data["message"].startswith("peer said ok")
