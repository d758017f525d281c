"""The key tools refuse what would be reported as success but do nothing (or harm): a
signature by a key that does not vote, an expired bundle called valid, a threshold of 1 without
a warning, a revocation of a key no certificate names. Each refusal writes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from exchange._proto.v1 import envelope_pb2, trust_pb2
from exchange.envelope import SigningKey
from exchange.node.identity import write_private
from exchange.trust import BUNDLE_PAYLOAD_TYPE, create_admin_key, issue_node_certificates
from exchange.trust.files import read_items, write_items
from exchange.trust.keyfile import KdfParams

pytestmark = pytest.mark.integration

PASS = "correct horse battery staple"
FAST = KdfParams(memory_kib=64, iterations=1, lanes=1)  # test files only; the CLI never uses it


def keys(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "exchange", "keys", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "EXCHANGE_ADMIN_PASSPHRASE": PASS},
        timeout=60,
        cwd=tmp,
    )


def admin(tmp: Path, name: str) -> SigningKey:
    key, data = create_admin_key(PASS, params=FAST)
    write_private(tmp / f"{name}.key", data)
    return key


def bundle_file(
    path: Path,
    version: int,
    members: dict[str, SigningKey],
    observers: dict[str, SigningKey],
    *,
    threshold: int = 2,
    expires: datetime | None = None,
    signers: tuple[SigningKey, ...] = (),
) -> None:
    tb = trust_pb2.TrustBundle(version=version, threshold=threshold)
    tb.expires.FromDatetime(expires or datetime.now(UTC) + timedelta(days=365))
    for c, k in members.items():
        tb.members.add(country=c, admin_keys=[k.public_raw])
    for c, k in observers.items():
        tb.observers.add(country=c, admin_keys=[k.public_raw])
    payload = tb.SerializeToString(deterministic=True)
    env = envelope_pb2.Envelope(payload_type=BUNDLE_PAYLOAD_TYPE, payload=payload)
    for k in signers:
        env.signatures.extend(k.sign(BUNDLE_PAYLOAD_TYPE, payload).signatures)
    path.write_bytes(env.SerializeToString())


def refused(p: subprocess.CompletedProcess[str], needle: str) -> None:
    assert p.returncode != 0, p.stdout
    assert needle in p.stderr, p.stderr
    assert "Traceback" not in p.stderr


def test_sign_with_a_key_that_does_not_vote_is_refused(tmp_path: Path) -> None:
    kz, kg, tj, se, _uz = (admin(tmp_path, c) for c in ("kz", "kg", "tj", "se", "uz"))
    v1 = tmp_path / "v1"
    bundle_file(v1, 1, {"kz": kz, "kg": kg, "tj": tj}, {"se": se})
    before = v1.read_bytes()
    refused(keys(tmp_path, "bundle", "sign", "v1", "--key", "uz.key"), "not an admin of bundle v1")
    refused(keys(tmp_path, "bundle", "sign", "v1", "--key", "se.key"), "observer")
    assert v1.read_bytes() == before  # nothing written
    ok = keys(tmp_path, "bundle", "sign", "v1", "--key", "kz.key")
    assert ok.returncode == 0 and "signed" in ok.stdout

    # v2 drops tj: tj's key still counts for v1's threshold, but only with --previous.
    v2 = tmp_path / "v2"
    bundle_file(v2, 2, {"kz": kz, "kg": kg}, {})
    before = v2.read_bytes()
    refused(keys(tmp_path, "bundle", "sign", "v2", "--key", "tj.key"), "--previous")
    assert v2.read_bytes() == before
    p = keys(tmp_path, "bundle", "sign", "v2", "--key", "tj.key", "--previous", "v1")
    assert p.returncode == 0, p.stderr


def test_expired_bundle_is_not_valid(tmp_path: Path) -> None:
    kz, kg = admin(tmp_path, "kz"), admin(tmp_path, "kg")
    bundle_file(
        tmp_path / "old",
        1,
        {"kz": kz, "kg": kg},
        {},
        expires=datetime.now(UTC) - timedelta(days=1),
        signers=(kz, kg),
    )
    p = keys(tmp_path, "bundle", "verify", "old")
    refused(p, "expired")
    assert "valid" not in p.stdout


def test_threshold_of_one_warns(tmp_path: Path) -> None:
    kz = admin(tmp_path, "kz")
    (tmp_path / "kz.pub").write_text(kz.public_raw.hex() + "\n")
    p = keys(tmp_path, "bundle", "propose", "--version", "1", "--expires", "2099-12-31",
             "--threshold", "1", "--member", "kz=kz.pub", "--out", "v1")  # fmt: skip
    assert p.returncode == 0 and "single admin key" in p.stderr, p.stderr
    assert keys(tmp_path, "bundle", "sign", "v1", "--key", "kz.key").returncode == 0
    v = keys(tmp_path, "bundle", "verify", "v1", "--json")
    assert v.returncode == 0 and "single admin key" in json.loads(v.stdout)["warnings"][0]


def test_revoke_needs_a_key_a_certificate_names(tmp_path: Path) -> None:
    kz = admin(tmp_path, "kz")
    node = SigningKey.generate()
    now = datetime.now(UTC)
    certs = issue_node_certificates(
        kz, "kz", {trust_pb2.KEY_PURPOSE_SIGN: node.public_raw}, now, now + timedelta(days=9)
    )
    write_items(tmp_path / "kz.certs", certs)
    base = ("revoke", "--key", "kz.key", "--country", "kz")
    typo = ("ab" * 32)[:-1] + "c"
    for args, needle in (
        (("--key-id", node.key_id), "--certs FILE"),  # no certificates given
        (("--key-id", typo, "--certs", "kz.certs"), "no known kz certified key"),
        (("--key-id", node.key_id[:7], "--certs", "kz.certs"), "at least the first 8"),
        (("--key-id", node.key_id[:8], "--unlisted"), "full key id"),
    ):
        refused(keys(tmp_path, *base, *args, "--out", "r"), needle)
        assert not (tmp_path / "r").exists(), args
    # A prefix that names a certified key: the revocation carries the whole id.
    p = keys(tmp_path, *base, "--key-id", node.key_id[:8], "--certs", "kz.certs", "--out", "r1")
    assert p.returncode == 0 and node.key_id in p.stdout, p.stderr
    shown = json.loads(keys(tmp_path, "show", "r1", "kz.certs", "--json").stdout)
    assert [d["kind"] for d in shown] == ["revocation", "certificate"]
    assert shown[0]["key_id"] == shown[1]["key_id"] == node.key_id
    assert shown[1]["signed_by"] == [kz.key_id] and shown[1]["purpose"] == "signing"
    # The explicit override, for a key whose certificate is lost: the full id only.
    p = keys(tmp_path, *base, "--key-id", "ab" * 32, "--unlisted", "--out", "r2")
    assert p.returncode == 0, p.stderr
    [env] = read_items(tmp_path / "r2")
    assert trust_pb2.KeyRevocation.FromString(env.payload).key_id == "ab" * 32
