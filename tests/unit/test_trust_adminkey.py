"""Admin key files: sealed with Argon2id (memory-hard), old PKCS#8 files still open."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from exchange.trust import create_admin_key, encrypt_admin_key, load_admin_key
from exchange.trust.adminkey import open_admin_key_file
from exchange.trust.errors import AdminKeyFileError, WrongPassphrase
from exchange.trust.keyfile import RECOMMENDED, KdfParams, read_header

FAST = KdfParams(memory_kib=64, iterations=1, lanes=1)  # tests only, passed explicitly
PASS = "correct horse battery staple"


def legacy_pkcs8(passphrase: str) -> tuple[Ed25519PrivateKey, bytes]:
    """An admin key file as the old tools wrote it (PKCS#8, PBKDF2 at 2,048 iterations)."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )
    return key, pem


def test_recommended_cost_is_at_least_owasp_argon2id() -> None:
    assert RECOMMENDED.memory_kib >= 19 * 1024 and RECOMMENDED.iterations >= 2


def test_new_admin_key_file_uses_argon2id_and_aes_gcm() -> None:
    key, data = create_admin_key(PASS, params=FAST)
    assert b"PRIVATE KEY" not in data  # not PKCS#8 any more
    header = read_header(data)
    assert header["kdf"] == {"name": "argon2id", "memory_kib": 64, "iterations": 1, "lanes": 1}
    assert header["cipher"] == "aes-256-gcm" and header["public_key"] == key.public_raw.hex()
    opened = open_admin_key_file(data, PASS)
    assert opened.key.public_raw == key.public_raw and not opened.legacy


def test_default_cost_is_the_recommended_one() -> None:
    _, data = create_admin_key(PASS)
    kdf = read_header(data)["kdf"]
    assert isinstance(kdf, dict) and kdf["memory_kib"] == RECOMMENDED.memory_kib


def test_old_pkcs8_admin_key_still_opens_and_is_marked_legacy() -> None:
    key, pem = legacy_pkcs8(PASS)
    opened = open_admin_key_file(pem, PASS)
    assert opened.legacy
    assert opened.key.public_raw == key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    with pytest.raises(WrongPassphrase):
        open_admin_key_file(pem, "not the passphrase")
    rewrapped = encrypt_admin_key(opened.key, PASS, params=FAST)
    assert load_admin_key(rewrapped, PASS).public_raw == opened.key.public_raw


def test_wrong_passphrase_is_one_line() -> None:
    _, data = create_admin_key(PASS, params=FAST)
    with pytest.raises(WrongPassphrase) as exc:
        load_admin_key(data, "wrong passphrase")
    assert "\n" not in exc.value.render()


def test_edited_kdf_parameters_do_not_open() -> None:
    """The header is authenticated: lowering the cost in the file breaks it."""
    _, data = create_admin_key(PASS, params=KdfParams(memory_kib=128, iterations=1, lanes=1))
    doc = read_header(data)
    doc["kdf"] = {**doc["kdf"], "memory_kib": 64}  # type: ignore[dict-item]
    edited = b"-----BEGIN EXCHANGE ADMIN KEY-----\n" + json.dumps(doc).encode()
    edited += b"\n-----END EXCHANGE ADMIN KEY-----\n"
    with pytest.raises(WrongPassphrase):
        load_admin_key(edited, PASS)


def test_hostile_kdf_cost_refused_before_any_work() -> None:
    _, data = create_admin_key(PASS, params=FAST)
    doc = read_header(data)
    doc["kdf"] = {**doc["kdf"], "memory_kib": 2**40}  # type: ignore[dict-item]
    edited = b"-----BEGIN EXCHANGE ADMIN KEY-----\n" + json.dumps(doc).encode()
    edited += b"\n-----END EXCHANGE ADMIN KEY-----\n"
    with pytest.raises(AdminKeyFileError, match="out of range"):
        load_admin_key(edited, PASS)
