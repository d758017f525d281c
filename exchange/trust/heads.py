"""What the two signed heads share: a key log checkpoint (exchange.trust.checkpoint) and an
audit checkpoint (exchange.audit_checkpoint) are both a country's signed statement "my log
holds 1..seq and entry seq hashes to `hash`, as of `signed_at`". One way to sign, parse and
load them, so that the checks on what a peer sends cannot drift apart.

Pure: no I/O, no clock reads.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeVar

from google.protobuf.message import DecodeError
from google.protobuf.timestamp_pb2 import Timestamp

from exchange._proto.v1 import audit_pb2, envelope_pb2, trust_pb2
from exchange.envelope import SigningKey
from exchange.errors import Error
from exchange.trust._common import COUNTRY_RE, ts_ok

Head = TypeVar("Head", trust_pb2.KeyLogCheckpoint, audit_pb2.AuditCheckpoint)


def sign_head(
    key: SigningKey,
    payload_type: str,
    cls: type[Head],
    country: str,
    seq: int,
    head_hash: bytes,
    now: datetime,
) -> envelope_pb2.Envelope:
    ts = Timestamp()
    ts.FromDatetime(now.astimezone(UTC))
    msg = cls(country=country, seq=seq, hash=head_hash, signed_at=ts)
    return key.sign(payload_type, msg.SerializeToString(deterministic=True))


def parse_head(
    cls: type[Head], payload: bytes, what: str, short: str, max_seq: int, error: type[Error]
) -> Head:
    """The head in a verified envelope's payload: canonically encoded with no unknown field,
    a valid country code, 1 <= seq <= max_seq, a 32-byte hash and a valid time; else `error`
    (`what` names it in full, `short` before "of <country>")."""
    try:
        msg = cls.FromString(payload)
    except DecodeError:
        raise error(f"the {what} payload cannot be parsed") from None
    canon = cls(country=msg.country, seq=msg.seq, hash=msg.hash, signed_at=msg.signed_at)
    if canon.SerializeToString(deterministic=True) != payload:  # unknown fields, other encoding
        raise error(f"the {what} is not canonically encoded")
    if not COUNTRY_RE.fullmatch(msg.country):
        raise error(f"{short} country {msg.country[:16]!r} is not a valid code")
    if not 1 <= msg.seq <= max_seq or len(msg.hash) != 32:
        raise error(f"{short} of {msg.country!r}: bad seq or hash")
    if not msg.HasField("signed_at") or not ts_ok(msg.signed_at):
        raise error(f"{short} of {msg.country!r} has no valid signing time")
    return msg


def load_head(cls: type[Head], body: bytes) -> tuple[Head, str]:
    """A head this node verified before and stored, and its signer's key id."""
    env = envelope_pb2.Envelope.FromString(body)
    kid = env.signatures[0].key_id if env.signatures else ""
    return cls.FromString(env.payload), kid
