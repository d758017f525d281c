"""Receiving: verify entries (pure, in worker threads), then apply them in one transaction.

Verification happens over the exact received bytes before anything is parsed or stored. The
apply step decides each entry against the channel head (see `exchange.channel`): the valid
prefix of a batch is stored with its alerts in one transaction; the first gap, fork or bad
entry stops the batch and is audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from google.protobuf.message import DecodeError

from exchange._proto.v1 import channel_pb2, envelope_pb2
from exchange.alerts import model
from exchange.alerts.versions import Current, check_newer
from exchange.channel import Decision, Head, decide, entry_hash
from exchange.envelope import ENTRY_PAYLOAD_TYPE, VerifyKey, verify
from exchange.errors import (
    ChannelRefused,
    Error,
    MalformedInput,
    NotPermitted,
    TooLarge,
    VersionRefused,
)
from exchange.store import repo
from exchange.store.db import Database
from exchange.trust._common import now_ns, ts_ns
from exchange.trust.signers import TrustedSigners


@dataclass(frozen=True)
class Incoming:
    """One verified, parsed entry."""

    seq: int
    prev_hash: bytes
    hash: bytes
    envelope: bytes
    entry: channel_pb2.ChannelEntry


def check_entry(
    env: envelope_pb2.Envelope,
    trusted: Mapping[str, VerifyKey],
    caller: str,
    me: str,
    max_entry_bytes: int,
    now: datetime,
) -> Incoming:
    """Verify one envelope from caller and check its routing and content bounds."""
    raw = env.SerializeToString()
    if len(raw) > max_entry_bytes:
        raise TooLarge(f"entry of {len(raw)} bytes exceeds the {max_entry_bytes}-byte limit")
    vk = verify(env, trusted, ENTRY_PAYLOAD_TYPE)
    try:
        entry = channel_pb2.ChannelEntry.FromString(env.payload)
    except DecodeError:
        raise MalformedInput("entry payload is not a ChannelEntry") from None
    if entry.origin != caller or vk.country != caller:
        raise NotPermitted(
            f"the caller speaks for {caller!r} but the entry claims origin {entry.origin[:8]!r}"
        )
    if entry.recipient != me:
        raise NotPermitted(f"entry is addressed to {entry.recipient[:8]!r}, not to {me!r}")
    if isinstance(trusted, TrustedSigners):  # certified keys: windows and revocations
        if not entry.HasField("signed_at"):
            raise MalformedInput("entry has no signed_at time")
        trusted.check(vk.key_id, ts_ns(entry.signed_at), now_ns(now))
    kind = entry.WhichOneof("item")
    if kind == "alert":
        if entry.alert.origin != caller:
            raise NotPermitted("alert origin differs from the entry's origin")
        model.validate(entry.alert, now=now, received=True)
    elif kind == "withdrawal":
        w = entry.withdrawal
        if w.origin != caller or not w.alert_id or w.version < 1 or len(w.reason) > 500:
            raise MalformedInput("malformed withdrawal")
    else:
        raise MalformedInput("entry carries no item")
    return Incoming(entry.seq, entry.prev_hash, entry_hash(env.payload), raw, entry)


def check_batch(
    envs: Sequence[envelope_pb2.Envelope],
    trusted: Mapping[str, VerifyKey],
    caller: str,
    me: str,
    max_entry_bytes: int,
    now: datetime,
) -> tuple[list[Incoming], Error | None]:
    """Check entries in order; return the valid prefix and the first refusal, if any."""
    good: list[Incoming] = []
    for env in envs:
        try:
            good.append(check_entry(env, trusted, caller, me, max_entry_bytes, now))
        except Error as exc:
            return good, exc
    return good, None


def replay_prefix(
    db: Database, origin: str, me: str, envs: Sequence[envelope_pb2.Envelope]
) -> tuple[int, int]:
    """How many leading envelopes are byte-identical to entries already stored, and the head.

    Those are acknowledged as replays without verifying their signatures again: a payload whose
    sha256 equals the stored entry's hash at that seq is the entry we verified when we stored
    it, and a replay changes nothing. (Pull and push may deliver the same entries during a
    catch-up; this keeps the second copy from costing a second verification.)
    """
    seqs: list[tuple[int, bytes]] = []
    for env in envs:
        try:
            seq = channel_pb2.ChannelEntry.FromString(env.payload).seq
        except DecodeError:
            break
        seqs.append((seq, entry_hash(env.payload)))
    with db.read() as s:
        head = repo.channel_head(s, origin, me)
        old = [seq for seq, _ in seqs if 0 < seq <= head.seq]
        known = repo.stored_hashes(s, origin, me, old) if old else {}
    count = 0
    for seq, h in seqs:
        if known.get(seq) != h:
            break
        count += 1
    return count, head.seq


@dataclass(frozen=True)
class Applied:
    applied: int
    replayed: int
    head_seq: int
    refusal: Error | None


def apply(
    db: Database,
    origin: str,
    me: str,
    items: Sequence[Incoming],
    now: datetime,
    prior_refusal: Error | None = None,
    accepted: frozenset[int] = model.ALL_CATEGORIES,
) -> Applied:
    """Store the in-order prefix of items with their alerts, in one transaction.

    `prior_refusal` is a refusal found during verification (after the last item): it is
    audited in the same transaction.
    """
    refusal: Error | None = None
    applied = replayed = 0
    with db.write() as s:
        ch = repo.lock_channel(s, origin, me)
        head = Head(ch.head_seq, ch.head_hash)
        # Only the seqs this batch names (bounded by the batch size), never the whole channel.
        old = sorted({i.seq for i in items if i.seq <= head.seq})
        known = repo.stored_hashes(s, origin, me, old) if old else {}
        ids = [i.entry.alert.alert_id or i.entry.withdrawal.alert_id for i in items]
        current = repo.current_versions(s, origin, ids)
        existing = set(current)
        heads: dict[str, repo.HeadChange] = {}
        versions, rows, refused_versions = [], [], []
        tokens: list[tuple[str, str, str, int, bytes]] = []  # for the lookup index
        for it in items:
            d = decide(head, it.seq, it.prev_hash, it.hash, known.get)
            if d is Decision.REPLAY:
                replayed += 1
                continue
            if d is not Decision.APPLY:
                refusal = _channel_refusal(d, it.seq, head.seq)
                break
            head = head.advance(it.seq, it.hash)
            known[it.seq] = it.hash  # a repeat later in this batch is a replay, not a fork
            e = it.entry
            is_alert = e.WhichOneof("item") == "alert"
            item = e.alert if is_alert else e.withdrawal
            rows.append(
                {
                    "origin": origin,
                    "recipient": me,
                    "seq": it.seq,
                    "entry_hash": it.hash,
                    "envelope": it.envelope,
                    "alert_id": item.alert_id,
                    "version": item.version,
                    "stored_at": now,
                }
            )
            if is_alert and not _accepted(e.alert.category, accepted):
                # The entry is stored (the channel moves on); its content is not.
                refused_versions.append(
                    {
                        "alert_id": item.alert_id,
                        "version": item.version,
                        "reason": "category not accepted from this peer by our policy",
                        "event": "alert.refused_by_policy",
                    }
                )
                continue
            try:
                check_newer(current.get(item.alert_id), item.version, withdrawal=not is_alert)
            except VersionRefused as exc:
                refused_versions.append(
                    {"alert_id": item.alert_id, "version": item.version, "reason": exc.message}
                )
                continue
            applied += 1
            current[item.alert_id] = Current(item.version, not is_alert)
            if is_alert:
                tokens.extend(
                    (origin, item.alert_id, t.kind, t.epoch, t.value)
                    for t in e.alert.subject.tokens
                )
            prev = heads.get(item.alert_id)
            heads[item.alert_id] = repo.HeadChange(
                origin,
                item.alert_id,
                item.version,
                not is_alert,
                e.alert.category if is_alert else (prev.category if prev else 0),
                e.alert.risk if is_alert else (prev.risk if prev else 0),
                now,
            )
            versions.append(
                {
                    "origin": origin,
                    "alert_id": item.alert_id,
                    "version": item.version,
                    "withdrawn": not is_alert,
                    "body": item.SerializeToString(deterministic=True),
                    "stored_at": now,
                }
            )
        repo.insert_entries(s, rows)
        repo.write_alert_versions(s, versions, heads, existing)
        repo.index_tokens(s, tokens)
        ch.head_seq, ch.head_hash = head.seq, head.hash
        if rows:
            repo.append_audit(
                s,
                now,
                "channel.received",
                {
                    "from_seq": rows[0]["seq"],
                    "to_seq": rows[-1]["seq"],
                    "entries": len(rows),
                    "alerts": [f"{r['alert_id']}:{r['version']}" for r in rows[:1000]],
                },
                peer=origin,
            )
        for rv in refused_versions:
            event = str(rv.pop("event", "alert.version_refused"))
            repo.append_audit(s, now, event, rv, peer=origin)
        final = refusal or prior_refusal
        if final is not None:
            repo.append_audit(s, now, "channel.refused", refusal_detail(final), peer=origin)
    return Applied(len(rows), replayed, head.seq, refusal or prior_refusal)


def _accepted(category: int, accepted: frozenset[int]) -> bool:
    """A category the sender withheld is accepted only by a rule that accepts every category."""
    return category in accepted if category else accepted >= model.ALL_CATEGORIES


def refusal_detail(err: Error) -> dict[str, object]:
    return {"reason": err.message, "status": err.code.name, "kind": type(err).__name__}


def _channel_refusal(d: Decision, seq: int, head_seq: int) -> Error:
    if d is Decision.GAP:
        return ChannelRefused(
            f"gap: received seq {seq}, expected {head_seq + 1}", head_seq=head_seq
        )
    if d is Decision.FORK:
        return ChannelRefused(
            f"fork: seq {seq} contradicts the entry already held (head {head_seq})",
            head_seq=head_seq,
        )
    return MalformedInput(f"malformed entry at seq {seq}")
