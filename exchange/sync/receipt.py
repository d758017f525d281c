"""What a receiver does with verified entries: a pure plan, written by `inbox.apply`.

Every entry that is next on its channel is stored as a channel position (seq, hash, kind, id,
version), so the channel goes on whatever happens to its content. The content itself is:

- stored and shown, if it is new, in policy, and its free text passed the personal-data guard;
- refused and not kept (no payload at rest), if our accept rule refuses its category, its
  version is not newer, or its id is already held under another origin;
- held in quarantine (kept, not shown, not matched), if its free text looks like personal data
  or it is written in a newer schema than this node reads, until an operator releases or drops
  it; a withdrawal whose reason looks like personal data is applied with the reason held back.

A withdrawal removes the content of every earlier version of its alert (versions, tokens,
stored payloads, quarantined copies); ids, versions, hashes and the tombstone remain.
No I/O here: the caller passes what the store holds and writes what is returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from exchange.alerts import model
from exchange.channel import SCHEMA_VERSION, Decision, decide
from exchange.errors import ChannelRefused, Error, MalformedInput, VersionRefused
from exchange.items.base import (
    DROPPED,
    PURGED,
    QUARANTINED,
    REFUSED,
    STORED,
    Acceptance,
    Incoming,
    Known,
    Placing,
    Plan,
    as_acceptance,
    hold,
    refuse,
)
from exchange.items.registry import handler_of

__all__ = [
    "DROPPED",
    "MAX_QUARANTINE",
    "PURGED",
    "QUARANTINED",
    "REFUSED",
    "STORED",
    "Acceptance",
    "Incoming",
    "Known",
    "Plan",
    "plan_batch",
    "plan_release",
]

MAX_QUARANTINE = 1000  # held items per origin; beyond that, flagged content is refused


def plan_batch(
    known: Known,
    items: Sequence[Incoming],
    origin: str,
    me: str,
    now: datetime,
    accepted: frozenset[int] | Acceptance = model.ALL_CATEGORIES,
) -> Plan:
    """Decide every entry of a batch in order; stop at the first gap, fork or bad entry.
    Each item's own rules are its kind's handler's (exchange.items); `accepted` is our accept
    rule for the origin (alert categories alone: no other kind)."""
    rule = as_acceptance(accepted)
    plan = Plan(
        origin,
        me,
        now,
        known.head,
        content_bytes=known.content_bytes,
        open_requests=known.open_requests,
    )
    hashes = dict(known.hashes)
    current = dict(known.current)
    cases = dict(known.cases)
    held = known.held
    for it in items:
        d = decide(plan.head, it.seq, it.prev_hash, it.hash, hashes.get)
        if d is Decision.REPLAY:
            plan.replayed += 1
            continue
        if d is not Decision.APPLY:
            plan.refusal = _channel_refusal(d, it.seq, plan.head.seq)
            break
        plan.head = plan.head.advance(it.seq, it.hash)
        hashes[it.seq] = it.hash  # a repeat later in this batch is a replay, not a fork
        row = {
            "origin": origin,
            "recipient": me,
            "seq": it.seq,
            "entry_hash": it.hash,
            "envelope": it.envelope,
            "item_id": it.item_id,
            "version": it.version,
            "item_kind": it.kind,
            "state": STORED,
            "note": "",
            "stored_at": now,
        }
        plan.entries.append(row)
        why = _hold_reason(it)
        newer = it.schema > SCHEMA_VERSION
        handler = None if newer else handler_of(it.kind)
        if why is not None and (handler is None or handler.held_whole):
            if handler is not None and it.item_id in known.taken:
                # An id another origin holds is refused before the guard could hold it.
                handler.place(plan, row, it, Placing(current, known.taken, rule, why))
                continue
            if held >= MAX_QUARANTINE:
                refuse(plan, row, it, "quarantine full: flagged content refused", "alert.refused")
                continue
            held += 1
            hold(plan, row, it, "schema" if newer else it.kind, why)
            continue
        assert handler is not None  # an item of a newer schema always has a hold reason
        handler.place(plan, row, it, Placing(current, known.taken, rule, why, cases))
    return plan


def plan_release(
    known: Known,
    it: Incoming,
    origin: str,
    me: str,
    now: datetime,
    accepted: frozenset[int] | Acceptance = model.ALL_CATEGORIES,
) -> Plan:
    """An operator releases a quarantined item: the same rules as on receipt, without the
    guard. Raises the reason if the rules refuse it now (it then stays in quarantine)."""
    plan = Plan(
        origin,
        me,
        now,
        known.head,
        content_bytes=known.content_bytes,
        open_requests=known.open_requests,
    )
    row: dict[str, Any] = {"state": STORED, "note": ""}
    ctx = Placing(
        dict(known.current), known.taken, as_acceptance(accepted), cases=dict(known.cases)
    )
    handler_of(it.kind).place(plan, row, it, ctx)
    if row["state"] == REFUSED:
        raise VersionRefused(
            f"cannot release: {row['note']}", hint="drop it instead: exchange quarantine drop"
        )
    return plan


def _hold_reason(it: Incoming) -> str | None:
    if it.schema > SCHEMA_VERSION:
        return (
            f"written in schema {it.schema}; this node reads schema {SCHEMA_VERSION} "
            "(upgrade it, then release)"
        )
    if it.findings:
        return "looks like personal data: " + "; ".join(
            f"{name}: {', '.join(kinds)}" for name, kinds in it.findings
        )
    return None


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
