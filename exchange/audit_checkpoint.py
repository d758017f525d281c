"""Signed audit checkpoints: a node's statement of its own audit head, for peers to witness.

The audit chain alone proves nothing to someone with write access to the database: they can
delete or edit events and recompute every hash after them. A checkpoint is the node's signed
statement "my audit log holds events 1..seq, and event seq hashes to `hash`", made at
`signed_at`, in a DSSE envelope signed by one of its country's certified signing keys (the
style of exchange.trust.checkpoint, C2SP tlog-checkpoint in spirit). Peers keep what they
receive (exchange.audit_witness); a rewritten history then contradicts the heads they hold,
and hiding that needs every peer to delete what it holds.

Pure: no I/O, no clock reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from google.protobuf.message import DecodeError

from exchange._proto.v1 import audit_pb2, envelope_pb2
from exchange.bounds import MAX_SEQ
from exchange.envelope import SigningKey, VerifyKey, verify
from exchange.errors import MalformedInput, NotPermitted, SignatureError, TooLarge
from exchange.trust._common import ts_ns
from exchange.trust.heads import load_head, parse_head, sign_head
from exchange.trust.signers import TrustedSigners

AUDIT_CHECKPOINT_PAYLOAD_TYPE = "application/vnd.exchange.v1.AuditCheckpoint+protobuf"
MAX_AUDIT_CHECKPOINT_BYTES = 512  # a real one is about 190 bytes


@dataclass(frozen=True)
class AuditCheckpoint:
    """A verified checkpoint and the exact envelope bytes it came in."""

    country: str
    seq: int
    hash: bytes
    signed_at_ns: int
    key_id: str
    envelope: bytes

    @property
    def signed_at(self) -> datetime:
        return datetime.fromtimestamp(self.signed_at_ns / 1e9, UTC)

    def summary(self) -> str:
        at = self.signed_at.isoformat(timespec="seconds")
        return f"audit checkpoint {self.country}#{self.seq} {self.hash.hex()[:16]} at {at}"


def sign_audit_checkpoint(
    key: SigningKey, country: str, seq: int, head_hash: bytes, now: datetime
) -> envelope_pb2.Envelope:
    """This node's checkpoint of its own audit head."""
    return sign_head(
        key,
        AUDIT_CHECKPOINT_PAYLOAD_TYPE,
        audit_pb2.AuditCheckpoint,
        country,
        seq,
        head_hash,
        now,
    )


def claimed_country(env: envelope_pb2.Envelope) -> str | None:
    """The country the checkpoint claims to speak for, WITHOUT checking the signature (to name
    a wrong sender before any signature work). None if it does not parse."""
    if len(env.payload) > MAX_AUDIT_CHECKPOINT_BYTES:
        return None
    try:
        return audit_pb2.AuditCheckpoint.FromString(env.payload).country
    except DecodeError:
        return None


def open_audit_checkpoint(
    env: envelope_pb2.Envelope, country: str, signers: TrustedSigners, now_ns: int
) -> AuditCheckpoint:
    """Verify a checkpoint that must speak for `country` (the mTLS-bound caller, or this node
    for the heads its peers return), signed by one of `signers` (that country's certified keys)
    inside the key's window. Raises TooLarge, NotPermitted, SignatureError or MalformedInput;
    messages quote nothing from the input beyond a few bounded characters."""
    size = env.ByteSize()
    if size > MAX_AUDIT_CHECKPOINT_BYTES:
        raise TooLarge(
            f"audit checkpoint envelope of {size} bytes (max {MAX_AUDIT_CHECKPOINT_BYTES})"
        )
    claim = claimed_country(env)
    if claim is not None and claim != country:
        raise NotPermitted(
            f"an audit checkpoint for {claim[:8]!r} came from {country!r}; a node gives only "
            "its own",
            hint="a witness keeps a country's audit head only from that country's own node",
        )
    trusted: Mapping[str, VerifyKey] = signers
    try:
        signer = verify(env, trusted, AUDIT_CHECKPOINT_PAYLOAD_TYPE)
    except SignatureError as exc:
        raise SignatureError(
            f"audit checkpoint refused: {exc.message}",
            hint=f"it must be signed by a certified signing key of {country!r}",
        ) from None
    msg = parse_head(
        audit_pb2.AuditCheckpoint,
        env.payload,
        "audit checkpoint",
        "audit checkpoint",
        MAX_SEQ,
        MalformedInput,
    )
    if msg.country != country:
        raise NotPermitted(f"an audit checkpoint that does not name {country!r}")
    signed_at = ts_ns(msg.signed_at)
    signers.check(signer.key_id, signed_at, now_ns)
    body = env.SerializeToString(deterministic=True)
    return AuditCheckpoint(country, msg.seq, bytes(msg.hash), signed_at, signer.key_id, body)


def load_audit_checkpoint(body: bytes) -> AuditCheckpoint:
    """A checkpoint this node verified before and stored (from its own database)."""
    msg, kid = load_head(audit_pb2.AuditCheckpoint, body)
    return AuditCheckpoint(msg.country, msg.seq, bytes(msg.hash), ts_ns(msg.signed_at), kid, body)
