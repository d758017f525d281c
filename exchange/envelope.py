"""DSSE envelopes signed with Ed25519.

The signature covers PAE(payload_type, payload) over the exact bytes that travel; receivers
verify those bytes before parsing anything. A key id is the hex sha256 of the raw 32-byte public
key. Public keys are checked on import: non-canonical encodings and the eight small-order points
are refused, because with a small-order key a forged signature verifies for any message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from google.protobuf.message import Message

from exchange._proto.v1 import envelope_pb2
from exchange.errors import KeyError_, SignatureError

ENTRY_PAYLOAD_TYPE = "application/vnd.exchange.v1.ChannelEntry+protobuf"

_P = 2**255 - 19
# Canonical encodings of the eight points of small order on edwards25519.
_SMALL_ORDER = frozenset(
    bytes.fromhex(h)
    for h in (
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    )
)


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE pre-authentication encoding."""
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def key_id(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()


def check_public_key(raw: bytes) -> Ed25519PublicKey:
    """Load a raw Ed25519 public key, refusing weak or non-canonical encodings."""
    if len(raw) != 32:
        raise KeyError_(f"an Ed25519 public key is 32 bytes, got {len(raw)}")
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    if y >= _P:
        raise KeyError_("non-canonical Ed25519 public key refused")
    if raw in _SMALL_ORDER:
        raise KeyError_("small-order Ed25519 public key refused (it would accept forgeries)")
    sign_bit = raw[31] >> 7
    if sign_bit and y in (1, _P - 1):
        raise KeyError_("non-canonical Ed25519 public key refused")
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise KeyError_(f"invalid Ed25519 public key: {exc}") from None


@dataclass(frozen=True)
class VerifyKey:
    """A trusted public key and the country it speaks for."""

    country: str
    public_raw: bytes
    key: Ed25519PublicKey

    @classmethod
    def from_raw(cls, country: str, raw: bytes) -> VerifyKey:
        return cls(country, raw, check_public_key(raw))

    @property
    def key_id(self) -> str:
        return key_id(self.public_raw)


class SigningKey:
    """An online Ed25519 signing key."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public_raw = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.key_id = key_id(self.public_raw)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_pem(cls, pem: bytes) -> SigningKey:
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyError_("the signing key file does not hold an Ed25519 private key")
        return cls(key)

    def to_pem(self) -> bytes:
        return self._private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def sign(self, payload_type: str, payload: bytes) -> envelope_pb2.Envelope:
        sig = self._private.sign(pae(payload_type, payload))
        return envelope_pb2.Envelope(
            payload_type=payload_type,
            payload=payload,
            signatures=[envelope_pb2.Signature(key_id=self.key_id, sig=sig)],
        )


def has_unknown_fields(msg: Message) -> bool:
    """Whether `msg` (or any message inside it) holds fields its schema does not define.

    The envelope wrapper is not signed: a field riding along in it (or in a Signature) would be
    stored and relayed unseen, and would change the digest of a signed item."""
    copy = type(msg)()
    copy.CopyFrom(msg)
    copy.DiscardUnknownFields()
    return copy.ByteSize() != msg.ByteSize()


def unknown_fields_in(env: envelope_pb2.Envelope, payload: Message | None = None) -> str | None:
    """Where a signed item holds fields its schema does not define: its unsigned wrapper (the
    envelope or a signature), or its parsed `payload`; None if nowhere."""
    if has_unknown_fields(env):
        return "its envelope or signature"
    if payload is not None and has_unknown_fields(payload):
        return "its payload"
    return None


UNKNOWN_FIELDS_TEXT = "holds fields this node does not define"


def verify(
    env: envelope_pb2.Envelope, trusted: Mapping[str, VerifyKey], payload_type: str
) -> VerifyKey:
    """Verify an envelope over its exact payload bytes; return the key that signed it.

    Exactly one signature is expected, by a trusted key; anything else is refused.
    """
    if env.payload_type != payload_type:
        raise SignatureError(f"unexpected payload type {env.payload_type[:80]!r}")
    if len(env.signatures) != 1:
        raise SignatureError(f"expected exactly one signature, got {len(env.signatures)}")
    sig = env.signatures[0]
    vk = trusted.get(sig.key_id)
    if vk is None:
        raise SignatureError(f"signed by an unknown key {sig.key_id[:16]!r}")
    if len(sig.sig) != 64:
        raise SignatureError("malformed signature")
    try:
        vk.key.verify(sig.sig, pae(env.payload_type, env.payload))
    except InvalidSignature:
        raise SignatureError("signature does not verify") from None
    return vk
