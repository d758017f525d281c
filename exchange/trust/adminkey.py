"""Offline admin keys: Ed25519, in a passphrase-sealed file (exchange.trust.keyfile).

New files use Argon2id + AES-256-GCM. Files written before (PKCS#8 with PBKDF2 at 2,048
iterations) still open, so no administrator is locked out; `OpenedAdminKey.legacy` tells the
CLI to suggest `exchange keys admin rewrap`. Pure apart from `read_admin_key`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from exchange.envelope import SigningKey
from exchange.trust import keyfile
from exchange.trust.errors import AdminKeyFileError, WrongPassphrase
from exchange.trust.keyfile import RECOMMENDED, KdfParams

MAX_KEY_FILE_BYTES = 16 * 1024


@dataclass(frozen=True)
class OpenedAdminKey:
    key: SigningKey
    legacy: bool  # True: an old PKCS#8/PBKDF2 file; re-encrypt it


def _secret(passphrase: str | bytes) -> bytes:
    secret = passphrase.encode() if isinstance(passphrase, str) else passphrase
    if not secret:
        raise AdminKeyFileError("an admin key needs a non-empty passphrase")
    return secret


def _raw(private: Ed25519PrivateKey) -> bytes:
    return private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def _seal(private: Ed25519PrivateKey, secret: bytes, params: KdfParams) -> bytes:
    key = SigningKey(private)
    return keyfile.seal(_raw(private), key.public_raw, secret, params)


def create_admin_key(
    passphrase: str | bytes, *, params: KdfParams = RECOMMENDED
) -> tuple[SigningKey, bytes]:
    """A new admin key and its sealed file text. `params` is for tests only (lower cost)."""
    private = Ed25519PrivateKey.generate()
    return SigningKey(private), _seal(private, _secret(passphrase), params)


def encrypt_admin_key(
    key: SigningKey, passphrase: str | bytes, *, params: KdfParams = RECOMMENDED
) -> bytes:
    """Seal an existing key again (a rewrap of an old file, or a passphrase change)."""
    private = serialization.load_pem_private_key(key.to_pem(), password=None)
    assert isinstance(private, Ed25519PrivateKey)
    return _seal(private, _secret(passphrase), params)


def _open_pkcs8(pem: bytes, secret: bytes) -> SigningKey:
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
                "the passphrase does not open this admin key; check the passphrase and the key file"
            ) from None
        raise AdminKeyFileError("the admin key file is not a readable admin key") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise AdminKeyFileError("the admin key file does not hold an Ed25519 private key")
    return SigningKey(private)


def open_admin_key_file(data: bytes, passphrase: str | bytes) -> OpenedAdminKey:
    """Open either format; WrongPassphrase or AdminKeyFileError on failure."""
    secret = _secret(passphrase)
    if not keyfile.is_sealed(data):
        return OpenedAdminKey(_open_pkcs8(data, secret), legacy=True)
    private_raw, public_raw = keyfile.open_sealed(data, secret)
    try:
        key = SigningKey(Ed25519PrivateKey.from_private_bytes(private_raw))
    except ValueError:
        raise AdminKeyFileError("the admin key file does not hold an Ed25519 private key") from None
    if key.public_raw != public_raw:
        raise AdminKeyFileError("the admin key file's public key does not match its private key")
    return OpenedAdminKey(key, legacy=False)


def load_admin_key(data: bytes, passphrase: str | bytes) -> SigningKey:
    """Open an admin key file's content (either format)."""
    return open_admin_key_file(data, passphrase).key


def read_admin_key_file(path: Path, passphrase: str | bytes) -> OpenedAdminKey:
    """Read and open an admin key file (the only I/O in exchange.trust)."""
    try:
        with path.open("rb") as f:
            data = f.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as exc:
        raise AdminKeyFileError(f"cannot read admin key file {path}: {exc.strerror}") from None
    if len(data) > MAX_KEY_FILE_BYTES:
        raise AdminKeyFileError(f"{path} is too large to be an admin key file")
    return open_admin_key_file(data, passphrase)


def read_admin_key(path: Path, passphrase: str | bytes) -> SigningKey:
    return read_admin_key_file(path, passphrase).key


def fingerprint(public_raw: bytes) -> str:
    """sha256 of the raw public key as 16 groups of 4 hex digits, to read over the phone."""
    h = hashlib.sha256(public_raw).hexdigest()
    return " ".join(h[i : i + 4] for i in range(0, 64, 4))
