"""`exchange keys admin init`: an encrypted 0600 admin key and a readable fingerprint."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from exchange.trust import fingerprint, load_admin_key
from exchange.trust.errors import WrongPassphrase

PASS = "correct horse battery staple"


def run(*args: str, passphrase: str = PASS) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EXCHANGE_ADMIN_PASSPHRASE": passphrase}
    return subprocess.run(
        [sys.executable, "-m", "exchange", "keys", "admin", "init", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_admin_key_is_encrypted_0600_and_its_fingerprint_matches(tmp_path: Path) -> None:
    out = tmp_path / "kz.admin.key"
    proc = run("--country", "kz", "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    pem = out.read_bytes()
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    key = load_admin_key(pem, PASS)
    assert info["fingerprint"] == fingerprint(key.public_raw) and info["key_id"] == key.key_id
    assert len(info["fingerprint"].split()) == 16
    with pytest.raises(WrongPassphrase):
        load_admin_key(pem, "not the passphrase")


def test_existing_key_never_overwritten_and_bad_input_refused(tmp_path: Path) -> None:
    out = tmp_path / "kz.admin.key"
    assert run("--country", "kz", "--out", str(out)).returncode == 0
    before = out.read_bytes()
    for args, passphrase, needle in (
        (("--country", "kz", "--out", str(out)), PASS, "already exists"),
        (("--country", "kaz", "--out", str(tmp_path / "x.key")), PASS, "unknown country"),
        (("--country", "kz", "--out", str(tmp_path / "y.key")), "short", "shorter than 12"),
    ):
        proc = run(*args, passphrase=passphrase)
        assert proc.returncode != 0 and needle in proc.stderr
        assert "Traceback" not in proc.stderr
    assert out.read_bytes() == before
    assert not (tmp_path / "x.key").exists() and not (tmp_path / "y.key").exists()
