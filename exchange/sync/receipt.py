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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from exchange._proto.v1 import alert_pb2, channel_pb2
from exchange.alerts import model
from exchange.alerts.versions import Current, HeadChange, check_newer
from exchange.channel import SCHEMA_VERSION, Decision, Head, decide
from exchange.errors import ChannelRefused, Error, MalformedInput, VersionRefused

MAX_QUARANTINE = 1000  # held items per origin; beyond that, flagged content is refused
STORED, REFUSED, QUARANTINED, PURGED, DROPPED = (
    "stored",
    "refused",
    "quarantined",
    "purged",
    "dropped",
)


@dataclass(frozen=True)
class Incoming:
    """One verified, parsed entry, with what the guard found in its free text.

    `alert_id` and `version` are checked values ("" and 0 for an item this node cannot read)."""

    seq: int
    prev_hash: bytes
    hash: bytes
    envelope: bytes
    entry: channel_pb2.ChannelEntry
    kind: str = ""  # alert, withdrawal; "" for an item of a newer schema
    alert_id: str = ""
    version: int = 0
    schema: int = SCHEMA_VERSION  # newer than this node reads: the item is held unread
    findings: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (field, kinds) of personal data


@dataclass(frozen=True)
class Known:
    """What the store holds that the plan needs, for the ids and seqs a batch names."""

    head: Head
    hashes: Mapping[int, bytes]  # stored entry hashes at the batch's old seqs
    current: Mapping[str, Current]  # this origin's alerts: latest version held
    taken: frozenset[str] = frozenset()  # ids held under another origin
    held: int = 0  # items of this origin already in quarantine


@dataclass
class Plan:
    """Rows to write in one transaction, and what the batch did."""

    origin: str
    me: str
    now: datetime
    head: Head
    entries: list[dict[str, Any]] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)
    heads: dict[str, HeadChange] = field(default_factory=dict)
    tokens: list[tuple[str, str, str, int, bytes]] = field(default_factory=list)
    purges: list[tuple[str, int, bool]] = field(default_factory=list)  # id, below, tombstoned
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    replayed: int = 0
    refusal: Error | None = None
    conflicts: int = 0  # ids refused because another origin holds them


def plan_batch(
    known: Known,
    items: Sequence[Incoming],
    origin: str,
    me: str,
    now: datetime,
    accepted: frozenset[int] = model.ALL_CATEGORIES,
) -> Plan:
    """Decide every entry of a batch in order; stop at the first gap, fork or bad entry."""
    plan = Plan(origin, me, now, known.head)
    hashes = dict(known.hashes)
    current = dict(known.current)
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
            "alert_id": it.alert_id,
            "version": it.version,
            "item_kind": it.kind,
            "state": STORED,
            "note": "",
            "stored_at": now,
        }
        plan.entries.append(row)
        why = _hold_reason(it)
        if why is not None and (it.schema > SCHEMA_VERSION or it.kind != "withdrawal"):
            if held >= MAX_QUARANTINE:
                _refuse(plan, row, it, "quarantine full: flagged content refused", "alert.refused")
                continue
            held += 1
            _hold(plan, row, it, "schema" if it.schema > SCHEMA_VERSION else "alert", why)
            continue
        _place(plan, row, it, current, known.taken, accepted, why)
    return plan


def plan_release(
    known: Known,
    it: Incoming,
    origin: str,
    me: str,
    now: datetime,
    accepted: frozenset[int] = model.ALL_CATEGORIES,
) -> Plan:
    """An operator releases a quarantined alert: the same rules as on receipt, without the
    guard. Raises the reason if the rules refuse it now (it then stays in quarantine)."""
    plan = Plan(origin, me, now, known.head)
    row: dict[str, Any] = {"state": STORED, "note": ""}
    _place(plan, row, it, dict(known.current), known.taken, accepted, None)
    if row["state"] == REFUSED:
        raise VersionRefused(
            f"cannot release: {row['note']}", hint="drop it instead: exchange quarantine drop"
        )
    return plan


def _place(
    plan: Plan,
    row: dict[str, Any],
    it: Incoming,
    current: dict[str, Current],
    taken: frozenset[str],
    accepted: frozenset[int],
    reason_flag: str | None,
) -> None:
    """Store an item, or refuse its content, by id ownership, policy and version."""
    if it.alert_id in taken:
        plan.conflicts += 1
        _refuse(
            plan, row, it, "the alert id is already held under another origin", "alert.id_conflict"
        )
        return
    if it.kind == "alert" and not _accepted(it.entry.alert.category, accepted):
        reason = "category not accepted from this peer by our policy"
        _refuse(plan, row, it, reason, "alert.refused_by_policy")
        return
    if it.kind == "withdrawal":
        # The origin's word that the alert is gone: its content goes, stored or not.
        plan.purges.append((it.alert_id, it.version, False))
    try:
        check_newer(current.get(it.alert_id), it.version, withdrawal=it.kind == "withdrawal")
    except VersionRefused as exc:
        _refuse(plan, row, it, exc.message, "alert.version_refused")
        return
    current[it.alert_id] = Current(it.version, it.kind == "withdrawal")
    if it.kind == "withdrawal":
        plan.purges[-1] = (it.alert_id, it.version, True)
        if reason_flag is not None:  # the tombstone applies; its reason waits for a person
            _hold(plan, row, it, "withdrawal-reason", reason_flag, keep_state=True)
        store_item(plan, it, withdraw_reason="" if reason_flag is not None else None)
    else:
        store_item(plan, it)


def store_item(plan: Plan, it: Incoming, withdraw_reason: str | None = None) -> None:
    """Add the rows that make an item live: its version, its alert head, its tokens."""
    e = it.entry
    is_alert = it.kind == "alert"
    item: alert_pb2.Alert | alert_pb2.Withdrawal
    if is_alert:
        item = e.alert
    else:
        item = alert_pb2.Withdrawal()
        item.CopyFrom(e.withdrawal)
        if withdraw_reason is not None:
            item.reason = withdraw_reason
    if is_alert:
        plan.tokens.extend(
            (plan.origin, it.alert_id, t.kind, t.epoch, t.value) for t in e.alert.subject.tokens
        )
    plan.heads[it.alert_id] = HeadChange(
        plan.origin,
        it.alert_id,
        it.version,
        not is_alert,
        e.alert.category if is_alert else 0,
        e.alert.risk if is_alert else 0,
        plan.now,
    )
    plan.versions.append(
        {
            "origin": plan.origin,
            "alert_id": it.alert_id,
            "version": it.version,
            "withdrawn": not is_alert,
            "purged": False,
            "body": item.SerializeToString(deterministic=True),
            "stored_at": plan.now,
        }
    )


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


def _hold(
    plan: Plan, row: dict[str, Any], it: Incoming, kind: str, why: str, keep_state: bool = False
) -> None:
    if not keep_state:
        row["state"] = QUARANTINED
    row["note"] = why[:300]
    plan.quarantine.append(
        {
            "origin": plan.origin,
            "seq": it.seq,
            "kind": kind,
            "alert_id": it.alert_id,
            "version": it.version,
            "reason": why[:500],
            "held_at": plan.now,
        }
    )
    plan.events.append(
        (
            "item.quarantined",
            {"seq": it.seq, "kind": kind, "alert_id": it.alert_id, "version": it.version}
            | {"reason": why[:500]},
        )
    )


def _refuse(plan: Plan, row: dict[str, Any], it: Incoming, why: str, event: str) -> None:
    """The channel position stays; the content is not kept."""
    row.update(state=REFUSED, note=why[:300], envelope=b"")
    plan.events.append(
        (event, {"alert_id": it.alert_id, "version": it.version, "seq": it.seq, "reason": why})
    )


def _accepted(category: int, accepted: frozenset[int]) -> bool:
    """A category the sender withheld is accepted only by a rule that accepts every category."""
    return category in accepted if category else accepted >= model.ALL_CATEGORIES


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
