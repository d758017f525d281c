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
from exchange.trust.keyfile import read_header

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
    assert pem.startswith(b"-----BEGIN EXCHANGE ADMIN KEY-----")
    kdf = read_header(pem)["kdf"]  # the CLI always uses the recommended cost
    assert kdf == {"name": "argon2id", "memory_kib": 65536, "iterations": 3, "lanes": 4}
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


def keys(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EXCHANGE_ADMIN_PASSPHRASE": PASS}
    return subprocess.run(
        [sys.executable, "-m", "exchange", "keys", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=cwd,
    )


def test_bundle_ceremony_first_bundle_then_a_new_member(tmp_path: Path) -> None:
    """kz, kg, tj sign bundle v1 (threshold 2); uz joins in v2, which needs 2 of v1's admins
    and 2 of its own; below threshold is refused with what to do."""
    for c in ("kz", "kg", "tj", "uz"):
        assert run("--country", c, "--out", str(tmp_path / f"{c}.key")).returncode == 0
    members = [
        "--member",
        "kz=kz.key.pub",
        "--member",
        "kg=kg.key.pub",
        "--member",
        "tj=tj.key.pub",
    ]
    common = ["--expires", "2099-12-31", "--threshold", "2"]
    assert (
        keys(
            "bundle", "propose", "--version", "1", *common, *members, "--out", "v1", cwd=tmp_path
        ).returncode
        == 0
    )
    proc = keys("bundle", "verify", "v1", cwd=tmp_path)
    assert proc.returncode != 0 and "0 valid signature(s)" in proc.stderr
    for c in ("kz", "kg"):
        assert keys("bundle", "sign", "v1", "--key", f"{c}.key", cwd=tmp_path).returncode == 0
    twice = keys("bundle", "sign", "v1", "--key", "kz.key", cwd=tmp_path)
    assert twice.returncode != 0 and "already signed" in twice.stderr
    ok = json.loads(keys("bundle", "verify", "v1", "--json", cwd=tmp_path).stdout)
    assert ok["valid"] is True and ok["version"] == 1

    assert (
        keys(
            "bundle",
            "propose",
            "--version",
            "2",
            *common,
            *members,
            "--member",
            "uz=uz.key.pub",
            "--out",
            "v2",
            cwd=tmp_path,
        ).returncode
        == 0
    )
    assert keys("bundle", "sign", "v2", "--key", "uz.key", cwd=tmp_path).returncode == 0
    assert keys("bundle", "sign", "v2", "--key", "kz.key", cwd=tmp_path).returncode == 0
    below = keys("bundle", "verify", "v2", "--previous", "v1", cwd=tmp_path)
    assert below.returncode != 0 and "admins of trusted v1" in below.stderr
    assert "Traceback" not in below.stderr
    assert keys("bundle", "sign", "v2", "--key", "tj.key", cwd=tmp_path).returncode == 0
    good = json.loads(
        keys("bundle", "verify", "v2", "--previous", "v1", "--json", cwd=tmp_path).stdout
    )
    assert good["version"] == 2
    shown = json.loads(keys("bundle", "show", "v2", "--json", cwd=tmp_path).stdout)
    assert sorted(shown["members"]) == ["kg", "kz", "tj", "uz"]
    assert shown["signed_by"] == ["kz", "tj", "uz"]


def test_node_certificates_and_revocations_from_files(tmp_path: Path) -> None:
    """`keys node issue` and `keys revoke` write public, readable trust files; bad input is a
    one-line error and writes nothing."""
    from exchange.trust.files import read_items

    admin = tmp_path / "kz.admin.key"
    assert run("--country", "kz", "--out", str(admin)).returncode == 0
    public = tmp_path / "kz.node.json"
    public.write_text(
        json.dumps(
            {
                "country": "kz",
                "sign": load_admin_key(admin.read_bytes(), PASS).public_raw.hex(),
                "tls_spki": "ab" * 32,
                "next": {},
            }
        )
    )
    bad_hex = tmp_path / "bad.json"
    bad_hex.write_text(json.dumps({"country": "kz", "sign": "zz" * 32, "seal": "", "next": {}}))
    out = tmp_path / "kz.certs"
    p = keys("node", "issue", "--key", str(admin), "--public", str(public),
             "--purpose", "sign", "--purpose", "tls", "--out", str(out))  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert len(read_items(out)) == 2
    assert b"PRIVATE KEY" not in out.read_bytes()  # public material only
    for args, needle in (
        (("node", "issue", "--key", str(admin), "--public", str(tmp_path / "none.json"),
          "--out", str(tmp_path / "a.certs")), "not a node public key file"),
        (("node", "issue", "--key", str(admin), "--public", str(public), "--purpose", "seal",
          "--out", str(tmp_path / "b.certs")), "has no seal key"),
        (("node", "issue", "--key", str(admin), "--public", str(public), "--next",
          "--out", str(tmp_path / "c.certs")), "has no next sign key"),
        (("node", "issue", "--key", str(admin), "--public", str(bad_hex),
          "--out", str(tmp_path / "d.certs")), "the sign key is not hex"),
        (("revoke", "--key", str(admin), "--country", "kz", "--key-id", "nothex", "--unlisted",
          "--out", str(tmp_path / "r.1")), "full key id"),
        (("revoke", "--key", str(admin), "--country", "kz", "--key-id", "ab" * 32, "--unlisted",
          "--effective", "yesterday", "--out", str(tmp_path / "r.2")), "is not a time"),
    ):  # fmt: skip
        p = keys(*args)
        assert p.returncode == 1 and needle in p.stderr, (args, p.stderr)
        assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) <= 2
    assert not any(
        (tmp_path / n).exists() for n in ("a.certs", "b.certs", "c.certs", "d.certs", "r.1", "r.2")
    )
    p = keys("revoke", "--key", str(admin), "--country", "kz", "--key-id", "ab" * 32,
             "--unlisted", "--reason", "test", "--out", str(tmp_path / "kz.revoke.1"))  # fmt: skip
    assert p.returncode == 0, p.stderr
    [rev] = read_items(tmp_path / "kz.revoke.1")
    assert rev.payload_type.endswith("KeyRevocation+protobuf")


def test_old_pkcs8_admin_key_signs_with_a_note_and_rewraps(tmp_path: Path) -> None:
    """A PKCS#8 file made by the old tools still opens (with a note); `keys admin rewrap`
    turns it into the Argon2id format in place, 0600; a wrong passphrase is one line."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from exchange.node.identity import write_private

    old = tmp_path / "kz.admin.key"
    write_private(
        old,
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(PASS.encode()),
        ),
    )
    key_id = load_admin_key(old.read_bytes(), PASS).key_id
    (tmp_path / "kz.pub").write_text(load_admin_key(old.read_bytes(), PASS).public_raw.hex())
    propose = keys("bundle", "propose", "--version", "1", "--expires", "2099-12-31",
                   "--threshold", "1", "--member", "kz=kz.pub", "--out", "v1",
                   cwd=tmp_path)  # fmt: skip
    assert propose.returncode == 0, propose.stderr
    signed = keys("bundle", "sign", "v1", "--key", str(old), cwd=tmp_path)
    assert signed.returncode == 0 and "admin rewrap" in signed.stderr, signed.stderr

    env = {**os.environ, "EXCHANGE_ADMIN_PASSPHRASE": "not the passphrase"}
    wrong = subprocess.run(
        [sys.executable, "-m", "exchange", "keys", "admin", "rewrap", str(old)],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert wrong.returncode == 1 and "passphrase does not open" in wrong.stderr
    assert len(wrong.stderr.strip().splitlines()) == 1 and "Traceback" not in wrong.stderr
    assert old.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")  # unchanged

    rewrap = keys("admin", "rewrap", str(old))
    assert rewrap.returncode == 0, rewrap.stderr
    data = old.read_bytes()
    assert read_header(data)["kdf"] == {
        "name": "argon2id", "memory_kib": 65536, "iterations": 3, "lanes": 4,
    }  # fmt: skip
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    assert load_admin_key(data, PASS).key_id == key_id
    assert not list(tmp_path.glob(".*rewrap"))
