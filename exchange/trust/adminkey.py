"""Offline admin keys: Ed25519, stored as passphrase-encrypted PKCS#8 PEM.

Pure apart from `read_admin_key`, the one small helper that reads a key file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from exchange.envelope import SigningKey
from exchange.trust.errors import AdminKeyFileError, WrongPassphrase

MAX_KEY_FILE_BYTES = 16 * 1024


def _secret(passphrase: str | bytes) -> bytes:
    secret = passphrase.encode() if isinstance(passphrase, str) else passphrase
    if not secret:
        raise AdminKeyFileError("an admin key needs a non-empty passphrase")
    return secret


def create_admin_key(passphrase: str | bytes) -> tuple[SigningKey, bytes]:
    """A new admin key and its PEM, encrypted with `passphrase`."""
    private = Ed25519PrivateKey.generate()
    return SigningKey(private), _encrypt(private, _secret(passphrase))


def _encrypt(private: Ed25519PrivateKey, secret: bytes) -> bytes:
    return private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(secret),
    )


def encrypt_admin_key(key: SigningKey, passphrase: str | bytes) -> bytes:
    """Re-encrypt an existing key (e.g. a passphrase change)."""
    private = serialization.load_pem_private_key(key.to_pem(), password=None)
    assert isinstance(private, Ed25519PrivateKey)
    return _encrypt(private, _secret(passphrase))


def load_admin_key(pem: bytes, passphrase: str | bytes) -> SigningKey:
    """Open an encrypted admin key; WrongPassphrase or AdminKeyFileError on failure."""
    secret = _secret(passphrase)
    try:
        private = serialization.load_pem_private_key(pem, password=secret)
    except TypeError:
        raise AdminKeyFileError(
            "the admin key file is not encrypted",
            hint="admin keys must be passphrase-encrypted; create one with the key tools",
        ) from None
    except ValueError:
        if b"ENCRYPTED PRIVATE KEY" in pem:
            raise WrongPassphrase(
                "the passphrase does not open this admin key",
                hint="check the passphrase (and the key file) and try again",
            ) from None
        raise AdminKeyFileError("the admin key file is not a readable PEM private key") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise AdminKeyFileError("the admin key file does not hold an Ed25519 private key")
    return SigningKey(private)


def read_admin_key(path: Path, passphrase: str | bytes) -> SigningKey:
    """Read and open an admin key file (the only I/O in exchange.trust)."""
    try:
        with path.open("rb") as f:
            pem = f.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as exc:
        raise AdminKeyFileError(f"cannot read admin key file {path}: {exc.strerror}") from None
    if len(pem) > MAX_KEY_FILE_BYTES:
        raise AdminKeyFileError(f"{path} is too large to be an admin key file")
    return load_admin_key(pem, passphrase)


def fingerprint(public_raw: bytes) -> str:
    """sha256 of the raw public key as 16 groups of 4 hex digits, to read over the phone."""
    h = hashlib.sha256(public_raw).hexdigest()
    return " ".join(h[i : i + 4] for i in range(0, 64, 4))
