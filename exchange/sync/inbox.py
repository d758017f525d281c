"""Receiving: verify entries (pure, in worker threads), then apply them in one transaction.

Verification happens over the exact received bytes before anything is parsed or stored. Then
every field goes through the same bounds as on publish, unknown fields are refused, and the
personal-data guard reads every free-text field. The apply step reads what the store holds,
lets `exchange.sync.receipt.plan_batch` decide (gaps, forks, versions, policy, quarantine,
withdrawals) and writes the plan in one transaction; the first gap, fork or bad entry stops
the batch and is audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from google.protobuf.message import DecodeError
from sqlalchemy.orm import Session

from exchange import bounds
from exchange._proto.v1 import channel_pb2, envelope_pb2
from exchange.alerts import model
from exchange.alerts.pii import find_pii
from exchange.channel import SCHEMA_VERSION, Head, entry_hash
from exchange.envelope import ENTRY_PAYLOAD_TYPE, VerifyKey, has_unknown_fields, verify
from exchange.errors import Error, MalformedInput, NotPermitted, TooLarge
from exchange.items.registry import handler_of_entry
from exchange.node.statuscodes import status_name
from exchange.store import items as item_store
from exchange.store import received, repo
from exchange.store.db import Database
from exchange.sync.receipt import Acceptance, Incoming, Known, Plan, plan_batch
from exchange.trust._common import now_ns, ts_ns
from exchange.trust.signers import TrustedSigners

__all__ = ["Applied", "Incoming", "apply", "check_batch", "check_entry", "replay_prefix"]


def check_entry(
    env: envelope_pb2.Envelope,
    trusted: Mapping[str, VerifyKey],
    caller: str,
    me: str,
    max_entry_bytes: int,
    now: datetime,
) -> Incoming:
    """Verify one envelope from caller, check its routing and every bound, run the guard."""
    raw = env.SerializeToString()
    if len(raw) > max_entry_bytes:
        raise TooLarge(f"entry of {len(raw)} bytes exceeds the {max_entry_bytes}-byte limit")
    if has_unknown_fields(env):  # the unsigned wrapper would carry them to rest unseen
        raise MalformedInput(
            "entry envelope or signature holds fields this node does not define",
            hint="an envelope carries payload_type, payload and signatures (key_id, sig) only",
        )
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
    if not entry.HasField("signed_at"):
        raise MalformedInput("entry has no signed_at time")
    if p := bounds.time_problem(entry.signed_at, "signed_at", now=now, ahead_seconds=86400):
        raise MalformedInput(f"entry {p}")
    if entry.seq > bounds.MAX_SEQ:
        raise MalformedInput(f"entry seq is above {bounds.MAX_SEQ}")
    if isinstance(trusted, TrustedSigners):  # certified keys: windows and revocations
        trusted.check(vk.key_id, ts_ns(entry.signed_at), now_ns(now))
    return read_entry(entry, env.payload, raw, caller, now)


def read_entry(
    entry: channel_pb2.ChannelEntry, payload: bytes, raw: bytes, caller: str, now: datetime
) -> Incoming:
    """Check an authenticated entry's item: schema, unknown fields, bounds, then the guard.

    Also used when a quarantined entry of a newer schema is released after an upgrade."""
    schema = entry.schema or 1
    h = entry_hash(payload)
    if schema > SCHEMA_VERSION:  # a newer node wrote it: held unread until we upgrade
        return Incoming(entry.seq, entry.prev_hash, h, raw, entry, schema=schema)
    # Nothing may ride along unseen: a field this schema does not define (a name, say) would
    # sit at rest undisplayed. The payload must be exactly the canonical encoding.
    entry.DiscardUnknownFields()
    if entry.SerializeToString(deterministic=True) != payload:
        raise MalformedInput(
            f"entry seq {entry.seq} holds fields schema {SCHEMA_VERSION} does not define, or is "
            "not canonically encoded",
            hint="a newer node must mark what it writes with its schema version",
        )
    handler, item = handler_of_entry(entry)
    if schema < handler.schema:
        raise MalformedInput(
            f"entry seq {entry.seq} carries a {handler.kind} in schema {schema}, which has no "
            f"{handler.kind}s (they are schema {handler.schema})"
        )
    parsed = handler.read(item, caller, now)
    return Incoming(
        entry.seq,
        entry.prev_hash,
        h,
        raw,
        entry,
        handler.kind,
        parsed.item_id,
        handler.id_key,
        parsed.version,
        findings=_findings(parsed.texts, now),
    )


def _findings(
    texts: list[tuple[str, str]], now: datetime
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """What the guard finds, by field and kind; never the text itself."""
    out = []
    for name, value in texts:
        kinds = sorted({f.kind for f in find_pii(value, now.date())})
        if kinds:
            out.append((name, tuple(kinds)))
    return tuple(out)


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
    with db.read() as s:
        head = repo.channel_head(s, origin, me)
        # Only a leading run at or below the head can be a replay: parse no further (a
        # catch-up batch starts past the head, and costs one parse here, not one per entry).
        seqs: list[tuple[int, bytes]] = []
        for env in envs:
            try:
                seq = channel_pb2.ChannelEntry.FromString(env.payload).seq
            except DecodeError:
                break
            if not 0 < seq <= head.seq:
                break
            seqs.append((seq, entry_hash(env.payload)))
        known = repo.stored_hashes(s, origin, me, [seq for seq, _ in seqs]) if seqs else {}
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
    conflicts: int = 0  # alerts refused because another origin holds their id
    tables: frozenset[str] = frozenset()  # kind-specific rows written (Plan.rows), for wakes


def apply(
    db: Database,
    origin: str,
    me: str,
    items: Sequence[Incoming],
    now: datetime,
    prior_refusal: Error | None = None,
    accepted: frozenset[int] | Acceptance = model.ALL_CATEGORIES,
) -> Applied:
    """Store the in-order prefix of items as `plan_batch` decides, in one transaction.

    `prior_refusal` is a refusal found during verification (after the last item): it is
    audited in the same transaction.
    """
    with db.write() as s:
        ch = repo.lock_channel(s, origin, me)
        # Only the seqs and ids this batch names (bounded by the batch size).
        old = sorted({i.seq for i in items if i.seq <= ch.head_seq})
        ids = [i.item_id for i in items if i.item_id]
        known = Known(
            head=Head(ch.head_seq, ch.head_hash),
            hashes=repo.stored_hashes(s, origin, me, old) if old else {},
            current=item_store.current_versions(s, origin, ids),
            taken=item_store.taken_ids(s, origin, ids),
            cases=item_store.record_states(s, origin, [(i.kind, i.item_id) for i in items]),
            open_requests=item_store.open_requests(s, origin, [i.kind for i in items]),
            content_bytes=item_store.content_bytes(s, origin) if items else 0,
            held=received.quarantine_count(s, origin)
            if any(i.findings or i.schema > SCHEMA_VERSION for i in items)
            else 0,
        )
        plan = plan_batch(known, items, origin, me, now, accepted)
        write_plan(s, plan, set(known.current))
        ch.head_seq, ch.head_hash = plan.head.seq, plan.head.hash
        final = plan.refusal or prior_refusal
        if final is not None:
            repo.append_audit(s, now, "channel.refused", refusal_detail(final), peer=origin)
    return Applied(
        len(plan.entries),
        plan.replayed,
        plan.head.seq,
        plan.refusal or prior_refusal,
        plan.conflicts,
        frozenset(t for t, rows in plan.rows.items() if rows),
    )


def write_plan(s: Session, plan: Plan, existing: set[str]) -> None:
    """The storage step of a receipt plan (inside the caller's transaction)."""
    origin = plan.origin
    repo.insert_entries(s, plan.entries)
    repo.write_alert_versions(s, plan.versions, plan.heads, existing)
    repo.index_tokens(s, plan.tokens)
    received.insert_quarantine(s, plan.quarantine)
    item_store.write_rows(s, origin, plan.rows, plan.now)
    for alert_id, below, tombstoned in plan.purges:
        received.purge(s, origin, plan.me, alert_id, below, tombstoned)
    events: list[tuple[str, dict[str, object], str]] = []
    if plan.entries:
        rows = plan.entries
        events.append(
            (
                "channel.received",
                {
                    "from_seq": rows[0]["seq"],
                    "to_seq": rows[-1]["seq"],
                    "entries": len(rows),
                    "items": [f"{r['item_id']}:{r['version']}" for r in rows[:1000]],
                },
                origin,
            )
        )
    events += [(event, detail, origin) for event, detail in plan.events]
    if events:
        repo.append_audit_many(s, plan.now, events)


def refusal_detail(err: Error) -> dict[str, object]:
    return {"reason": err.message, "status": status_name(err), "kind": type(err).__name__}
