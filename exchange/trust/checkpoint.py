"""Signed key log checkpoints, and the proof of a split view.

A checkpoint is a country's signed statement "my key log holds entries 1..seq, and entry seq
hashes to `hash`", made at `signed_at`, in a DSSE envelope signed by one of that country's
certified node signing keys (C2SP tlog-checkpoint in spirit; peers relaying it play the
witnesses). A node signs its own whenever its log head changes; peers relay the latest they hold
of every country, exactly as received.

Why signed: an unsigned head can be made up by anyone, so a freeze on one would let any member
block another country's rotations and revocations at every node. A checkpoint can only come
from the country it speaks for, so two of them that conflict prove that the country itself
showed two histories (equivocation), and both travel on as the evidence.

`judge` says what a verified checkpoint of another country means, given the log we hold of it
(entries taken only from that country's own node) and the latest checkpoint we hold of it:

- KEEP: consistent and newer than the held one (ahead of our log: checked against the entries
  when they arrive, `check_entries`);
- SAME / IGNORE: nothing new, or older than the held one and consistent or uncheckable;
- SPLIT: same seq as the held checkpoint with another hash, or another hash than the entry we
  hold at that seq (the entries chain up to a checkpoint the country signed, or came from its
  own node). The SplitView carries both checkpoints as evidence.

Pure: no I/O, no clock reads.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from google.protobuf.message import DecodeError

from exchange._proto.v1 import envelope_pb2, trust_pb2
from exchange.envelope import UNKNOWN_FIELDS_TEXT, SigningKey, unknown_fields_in, verify
from exchange.errors import SignatureError
from exchange.trust._common import ts_ns
from exchange.trust.errors import (
    CheckpointSignatureInvalid,
    CheckpointWrongCountry,
    MalformedCheckpoint,
    SplitView,
)
from exchange.trust.heads import load_head, parse_head, sign_head
from exchange.trust.keylog import MAX_LOG_ENTRIES, KeyLog
from exchange.trust.signers import TrustedSigners

CHECKPOINT_PAYLOAD_TYPE = "application/vnd.exchange.v1.KeyLogCheckpoint+protobuf"
MAX_CHECKPOINT_BYTES = 512


@dataclass(frozen=True)
class Checkpoint:
    """A verified checkpoint and the envelope it came in (deterministic bytes)."""

    country: str
    seq: int
    hash: bytes
    signed_at_ns: int
    key_id: str
    envelope: bytes

    def to_envelope(self) -> envelope_pb2.Envelope:
        return envelope_pb2.Envelope.FromString(self.envelope)

    def summary(self) -> str:
        at = datetime.fromtimestamp(self.signed_at_ns / 1e9, UTC).isoformat(timespec="seconds")
        return (
            f"checkpoint {self.country}#{self.seq} {self.hash.hex()[:16]} signed by key "
            f"{self.key_id[:16]} at {at}"
        )


def sign_checkpoint(
    key: SigningKey, country: str, seq: int, head_hash: bytes, now: datetime
) -> envelope_pb2.Envelope:
    """This node's checkpoint of its own log head."""
    return sign_head(
        key, CHECKPOINT_PAYLOAD_TYPE, trust_pb2.KeyLogCheckpoint, country, seq, head_hash, now
    )


def peek(env: envelope_pb2.Envelope) -> tuple[str, int, bytes] | None:
    """(country, seq, hash) as claimed, WITHOUT checking the signature: only to skip work
    when the claim would change nothing anyway. None if it does not parse."""
    if env.payload_type != CHECKPOINT_PAYLOAD_TYPE or len(env.payload) > MAX_CHECKPOINT_BYTES:
        return None
    msg = trust_pb2.KeyLogCheckpoint()
    try:
        msg.ParseFromString(env.payload)
    except DecodeError:
        return None
    return msg.country, msg.seq, bytes(msg.hash)


def open_checkpoint(
    env: envelope_pb2.Envelope, signers_by_key: Mapping[str, TrustedSigners], now_ns: int
) -> Checkpoint:
    """Verify a checkpoint: one signature by a certified signing key (looked up by key id in
    every country's signers), inside the key's window and not revoked, then the payload; the
    country it speaks for must be the signer's. Raises a TrustError."""
    size = env.ByteSize()
    if size > MAX_CHECKPOINT_BYTES:
        raise MalformedCheckpoint(
            f"checkpoint envelope of {size} bytes (max {MAX_CHECKPOINT_BYTES})"
        )
    if (where := unknown_fields_in(env)) is not None:  # the payload is checked canonical below
        raise MalformedCheckpoint(f"key log checkpoint refused: {where} {UNKNOWN_FIELDS_TEXT}")
    kid = env.signatures[0].key_id if len(env.signatures) == 1 else ""
    signers = signers_by_key.get(kid)
    try:
        if signers is None:
            raise SignatureError(
                "unsigned" if not env.signatures else f"signed by an unknown key {kid[:16]!r}"
            )
        signer = verify(env, signers, CHECKPOINT_PAYLOAD_TYPE)
    except SignatureError as exc:
        raise CheckpointSignatureInvalid(
            f"key log checkpoint refused: {exc.message}",
            hint="a checkpoint must be signed by a certified signing key of its own country",
        ) from None
    msg = parse_head(
        trust_pb2.KeyLogCheckpoint,
        env.payload,
        "key log checkpoint",
        "checkpoint",
        MAX_LOG_ENTRIES,
        MalformedCheckpoint,
    )
    if msg.country != signer.country:
        raise CheckpointWrongCountry(
            f"a key log checkpoint for {msg.country!r} signed by a signing key of "
            f"{signer.country!r}; a country signs only its own checkpoints",
            hint="a claim about another country's log is never trusted",
        )
    signed_at = ts_ns(msg.signed_at)
    signers.check(signer.key_id, signed_at, now_ns)
    body = env.SerializeToString(deterministic=True)
    return Checkpoint(msg.country, msg.seq, bytes(msg.hash), signed_at, signer.key_id, body)


def load_checkpoint(body: bytes) -> Checkpoint:
    """A checkpoint this node verified before and stored (from its own database)."""
    msg, kid = load_head(trust_pb2.KeyLogCheckpoint, body)
    return Checkpoint(msg.country, msg.seq, bytes(msg.hash), ts_ns(msg.signed_at), kid, body)


class Verdict(enum.Enum):
    KEEP = "keep"  # consistent and newer than the held one: hold and relay it
    SAME = "same"  # the held one again (or an equal claim made earlier)
    IGNORE = "ignore"  # older than the held one: consistent, or not checkable
    SPLIT = "split"  # proof of equivocation


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    split: SplitView | None = None


def _split(
    country: str, seq: int, ours: bytes, theirs: bytes, why: str, *evidence: bytes
) -> SplitView:
    return SplitView(
        f"split view in the key log of {country!r} at seq {seq}: {why} ({ours.hex()[:16]} vs "
        f"{theirs.hex()[:16]}); key changes from {country!r} are frozen",
        country=country,
        seq=seq,
        hashes=(ours, theirs),
        evidence=tuple(e for e in evidence if e),
        hint="administrators: compare the evidence (exchange keys status --json), then resolve",
    )


def judge(log: KeyLog, held: Checkpoint | None, cp: Checkpoint) -> Judgement:
    """What a verified checkpoint of `log`'s country means (see the module docstring)."""
    c = log.country
    if held is not None and held.seq == cp.seq and held.hash != cp.hash:
        why = f"two checkpoints signed by {c!r} name different entries"
        return Judgement(
            Verdict.SPLIT, _split(c, cp.seq, held.hash, cp.hash, why, held.envelope, cp.envelope)
        )
    mine = log.entry(cp.seq)
    if mine is not None and mine.hash != cp.hash:
        covering = held is not None and cp.seq <= held.seq <= len(log)
        why = (
            f"a checkpoint signed by {c!r} contradicts the log its checkpoint #{held.seq} covers"
            if covering and held is not None
            else f"a checkpoint signed by {c!r} contradicts the entries its own node sent"
        )
        first = held.envelope if covering and held is not None else b""
        return Judgement(
            Verdict.SPLIT, _split(c, cp.seq, mine.hash, cp.hash, why, first, cp.envelope)
        )
    if held is None or cp.seq > held.seq:
        return Judgement(Verdict.KEEP)
    if cp.seq == held.seq:
        return Judgement(Verdict.KEEP if cp.signed_at_ns > held.signed_at_ns else Verdict.SAME)
    return Judgement(Verdict.IGNORE)


def check_entries(log: KeyLog, held: Checkpoint | None) -> SplitView | None:
    """After entries arrived from the country's own node: do they contradict its checkpoint?"""
    if held is None or held.seq > len(log):
        return None
    mine = log.entry(held.seq)
    if mine is None or mine.hash == held.hash:
        return None
    why = f"the entries {log.country!r}'s own node sent contradict its signed checkpoint"
    return _split(log.country, held.seq, mine.hash, held.hash, why, held.envelope)


def contradicts_own(log: KeyLog, cp: Checkpoint) -> str | None:
    """For this node's own country: an alarm if a checkpoint signed by one of our keys names a
    history our (authoritative) log does not have; never a freeze of ourselves."""
    mine = log.entry(cp.seq)
    if mine is not None and mine.hash == cp.hash:
        return None
    return (
        f"{cp.summary()} contradicts this node's own key log (head #{len(log)}): this country's "
        "signing key signed another history (a copied key, or a database restored from an old "
        "backup)"
    )
