"""The admin key file format (v1): the raw Ed25519 private key sealed under a memory-hard KDF.

PKCS#8 as pyca/cryptography writes it uses PBKDF2 at 2,048 iterations, which a stolen file does
not survive for long. This format derives an AES-256-GCM key from the passphrase with Argon2id
at RFC 9106's second recommended cost (64 MiB, 3 passes, 4 lanes; above OWASP's minimum of
19 MiB, 2 passes), and is small enough to read:

    -----BEGIN EXCHANGE ADMIN KEY-----
    {"format": "exchange-admin-key", "version": 1, "kdf": {...}, "salt": ..., ...}
    -----END EXCHANGE ADMIN KEY-----

Everything but the ciphertext (format, KDF parameters, salt, nonce, public key) is the GCM
associated data, so a file whose parameters or public key were edited does not open. Lower costs
exist only for tests, passed explicitly to `seal`; nothing reads them from the environment.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from exchange.trust.errors import AdminKeyFileError, WrongPassphrase

BEGIN = b"-----BEGIN EXCHANGE ADMIN KEY-----"
END = b"-----END EXCHANGE ADMIN KEY-----"
FORMAT = "exchange-admin-key"
VERSION = 1
CIPHER = "aes-256-gcm"
# A file may ask for at most this much work when it is opened (a hostile file cannot stall us).
_MAX_MEMORY_KIB = 4 * 1024 * 1024
_MAX_ITERATIONS = 64


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost: memory in KiB, passes, lanes."""

    memory_kib: int = 64 * 1024
    iterations: int = 3
    lanes: int = 4

    def derive(self, secret: bytes, salt: bytes) -> bytes:
        kdf = Argon2id(
            salt=salt,
            length=32,
            iterations=self.iterations,
            lanes=self.lanes,
            memory_cost=self.memory_kib,
        )
        return kdf.derive(secret)


RECOMMENDED = KdfParams()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _aad(header: dict[str, object]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


def seal(private_raw: bytes, public_raw: bytes, secret: bytes, params: KdfParams) -> bytes:
    """The armored file text for a raw private key (a fresh salt and nonce every time)."""
    salt, nonce = os.urandom(16), os.urandom(12)
    header: dict[str, object] = {
        "format": FORMAT,
        "version": VERSION,
        "kdf": {
            "name": "argon2id",
            "memory_kib": params.memory_kib,
            "iterations": params.iterations,
            "lanes": params.lanes,
        },
        "salt": _b64(salt),
        "cipher": CIPHER,
        "nonce": _b64(nonce),
        "public_key": public_raw.hex(),
    }
    key = params.derive(secret, salt)
    ciphertext = AESGCM(key).encrypt(nonce, private_raw, _aad(header))
    body = json.dumps({**header, "ciphertext": _b64(ciphertext)}, indent=1, sort_keys=True)
    return BEGIN + b"\n" + body.encode() + b"\n" + END + b"\n"


def is_sealed(data: bytes) -> bool:
    return data.lstrip().startswith(BEGIN)


def read_header(data: bytes) -> dict[str, object]:
    """The parsed JSON between the armor lines (format and version checked)."""
    text = data.strip()
    if not (text.startswith(BEGIN) and text.endswith(END)):
        raise AdminKeyFileError("the admin key file's armor lines are damaged")
    try:
        doc = json.loads(text[len(BEGIN) : -len(END)])
    except (ValueError, UnicodeDecodeError):
        raise AdminKeyFileError("the admin key file's body is not readable JSON") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise AdminKeyFileError("not an exchange admin key file")
    if doc.get("version") != VERSION or doc.get("cipher") != CIPHER:
        raise AdminKeyFileError(
            f"admin key file version {doc.get('version')!r} is not known to this program",
            hint="use a newer version of the exchange tools",
        )
    return doc


def _params(doc: dict[str, object]) -> KdfParams:
    kdf = doc.get("kdf")
    if not isinstance(kdf, dict) or kdf.get("name") != "argon2id":
        raise AdminKeyFileError("the admin key file names an unknown KDF")
    try:
        p = KdfParams(int(kdf["memory_kib"]), int(kdf["iterations"]), int(kdf["lanes"]))
    except (KeyError, TypeError, ValueError):
        raise AdminKeyFileError("the admin key file's KDF parameters are damaged") from None
    if not (
        1 <= p.lanes <= 16
        and 8 * p.lanes <= p.memory_kib <= _MAX_MEMORY_KIB
        and 1 <= p.iterations <= _MAX_ITERATIONS
    ):
        raise AdminKeyFileError("the admin key file's KDF parameters are out of range")
    return p


def open_sealed(data: bytes, secret: bytes) -> tuple[bytes, bytes]:
    """(private raw, public raw) from an armored file; WrongPassphrase if it does not open."""
    doc = read_header(data)
    params = _params(doc)
    try:
        salt = base64.b64decode(str(doc["salt"]), validate=True)
        nonce = base64.b64decode(str(doc["nonce"]), validate=True)
        ciphertext = base64.b64decode(str(doc["ciphertext"]), validate=True)
        public_raw = bytes.fromhex(str(doc["public_key"]))
    except (KeyError, ValueError):
        raise AdminKeyFileError("the admin key file's fields are damaged") from None
    if len(nonce) != 12 or len(salt) < 8:
        raise AdminKeyFileError("the admin key file's salt or nonce is damaged")
    header = {k: v for k, v in doc.items() if k != "ciphertext"}
    try:
        private_raw = AESGCM(params.derive(secret, salt)).decrypt(nonce, ciphertext, _aad(header))
    except InvalidTag:
        raise WrongPassphrase(
            "the passphrase does not open this admin key; check the passphrase and the key file"
        ) from None
    return private_raw, public_raw
