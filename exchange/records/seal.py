"""Sealing a record to the requesting node: HPKE (RFC 9180) with the hybrid post-quantum KEM
ML-KEM-768 + X25519, HKDF-SHA256 and AES-256-GCM, from pyca/cryptography.

A captured ciphertext stays closed unless both ML-KEM-768 and X25519 are broken. The HPKE
`info` is the serialized SealContext (both node key ids, the request id and the response id),
so a ciphertext moved to another request, response or key does not open.

A hybrid sealing public key is the ML-KEM-768 encapsulation key (1184 bytes) followed by the
X25519 public key (32 bytes); the private key file holds the ML-KEM seed (64 bytes) and the
X25519 private key (32 bytes).
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import mlkem, x25519

from exchange._proto.v1 import record_pb2
from exchange.errors import MalformedInput, SignatureError

MLKEM_PUBLIC = 1184
HYBRID_PUBLIC = MLKEM_PUBLIC + 32
HYBRID_PRIVATE = 64 + 32
FILE_LABEL = b"exchange-seal-mlkem768x25519-v1\n"
CONTEXT_LABEL = "exchange.v1.RecordResponse"
MAX_SEALED = 16 * 1024**2  # bytes of one response's ciphertext

_SUITE = hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)


class SealError(SignatureError):
    """A sealed record that does not open here: another key, another context, or tampered."""


def is_hybrid(public: bytes) -> bool:
    return len(public) == HYBRID_PUBLIC


def generate() -> bytes:
    """A new hybrid private key, as its file content."""
    seed = mlkem.MLKEM768PrivateKey.generate().private_bytes_raw()
    x = x25519.X25519PrivateKey.generate().private_bytes_raw()
    return FILE_LABEL + (seed + x).hex().encode() + b"\n"


def is_key_file(data: bytes) -> bool:
    return data.startswith(FILE_LABEL)


def _private(data: bytes) -> hpke.MLKEM768X25519PrivateKey:
    try:
        raw = bytes.fromhex(data[len(FILE_LABEL) :].decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        raise MalformedInput("the sealing key file is not readable") from None
    if len(raw) != HYBRID_PRIVATE:
        raise MalformedInput("the sealing key file holds a key of the wrong size")
    return hpke.MLKEM768X25519PrivateKey(
        mlkem.MLKEM768PrivateKey.from_seed_bytes(raw[:64]),
        x25519.X25519PrivateKey.from_private_bytes(raw[64:]),
    )


def public_of(data: bytes) -> bytes:
    """The hybrid public key (as certificates carry it) of a private key file's content."""
    raw = bytes.fromhex(data[len(FILE_LABEL) :].decode("ascii").strip())
    m = mlkem.MLKEM768PrivateKey.from_seed_bytes(raw[:64]).public_key().public_bytes_raw()
    x = x25519.X25519PrivateKey.from_private_bytes(raw[64:]).public_key().public_bytes_raw()
    return m + x


def _public(public: bytes) -> hpke.MLKEM768X25519PublicKey:
    if len(public) != HYBRID_PUBLIC:
        raise MalformedInput(
            f"a hybrid sealing key is {HYBRID_PUBLIC} bytes (ML-KEM-768 + X25519), "
            f"got {len(public)}"
        )
    try:
        return hpke.MLKEM768X25519PublicKey(
            mlkem.MLKEM768PublicKey.from_public_bytes(public[:MLKEM_PUBLIC]),
            x25519.X25519PublicKey.from_public_bytes(public[MLKEM_PUBLIC:]),
        )
    except ValueError as exc:
        raise MalformedInput(f"unusable sealing key: {exc}") from None


def check_public(public: bytes) -> None:
    """Raise MalformedInput unless `public` is a loadable hybrid sealing key."""
    _public(public)


def context(
    owner: str,
    requester: str,
    request_id: str,
    response_id: str,
    seal_key_id: str,
    sign_key_id: str,
) -> bytes:
    return record_pb2.SealContext(
        label=CONTEXT_LABEL,
        owner=owner,
        requester=requester,
        request_id=request_id,
        response_id=response_id,
        seal_key_id=seal_key_id,
        sign_key_id=sign_key_id,
    ).SerializeToString(deterministic=True)


def context_of(r: record_pb2.RecordResponse) -> bytes:
    """The seal context a received response claims (its ids, as signed)."""
    return context(r.owner, r.requester, r.request_id, r.response_id, r.seal_key_id, r.sign_key_id)


def seal(record: record_pb2.SealedRecord, public: bytes, info: bytes) -> bytes:
    return _SUITE.encrypt(record.SerializeToString(deterministic=True), _public(public), info)


def open_sealed(ciphertext: bytes, key_file: bytes, info: bytes) -> record_pb2.SealedRecord:
    """The record inside, or SealError: not our key, another context, or changed bytes."""
    if len(ciphertext) > MAX_SEALED:
        raise SealError("the sealed record is larger than any response may be")
    try:
        plain = _SUITE.decrypt(ciphertext, _private(key_file), info)
    except (InvalidTag, ValueError):
        raise SealError(
            "the sealed record does not open with this node's sealing key for this request "
            "(sealed to another key or request, or changed in transit)"
        ) from None
    out = record_pb2.SealedRecord()
    try:
        out.ParseFromString(plain)
    except Exception:
        raise SealError("the sealed record opened but is not a record") from None
    return out
