"""Quarantined items: what an operator reviews, releases or drops.

An item is held when its free text looked like personal data, or when it is written in a newer
schema than this node reads. Its content is the entry's stored envelope (verified when it was
received). Releasing applies it by the same rules as on receipt (version, id ownership, our
accept rule), in one transaction with its audit event; dropping deletes its content, keeping
the channel position. Neither ever echoes the content into the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from google.protobuf.message import DecodeError
from sqlalchemy import update
from sqlalchemy.orm import Session

from exchange._proto.v1 import alert_pb2, channel_pb2, envelope_pb2
from exchange.channel import SCHEMA_VERSION, Head
from exchange.errors import Error, MalformedInput, NotFound, VersionRefused
from exchange.store import items as item_store
from exchange.store import received, repo
from exchange.store.db import Database
from exchange.store.models import AlertVersion, DocumentVersion, Entry, QuarantineRow
from exchange.sync.inbox import read_entry, write_plan
from exchange.sync.receipt import DROPPED, STORED, Acceptance, Incoming, Known, plan_release


@dataclass(frozen=True)
class Held:
    """One quarantined item and its content (None when this node cannot read it)."""

    row: QuarantineRow
    item: alert_pb2.Alert | alert_pb2.Withdrawal | None


def list_held(db: Database, me: str, origin: str = "") -> list[Held]:
    with db.read() as s:
        out = []
        for row in received.quarantined(s, origin):
            entry = s.get(Entry, (row.origin, me, row.seq))
            out.append(Held(row, _item(entry.envelope) if entry is not None else None))
        return out


def _entry(raw: bytes) -> channel_pb2.ChannelEntry | None:
    try:
        return channel_pb2.ChannelEntry.FromString(envelope_pb2.Envelope.FromString(raw).payload)
    except DecodeError:
        return None


def _item(raw: bytes) -> alert_pb2.Alert | alert_pb2.Withdrawal | None:
    entry = _entry(raw)
    if entry is None or (entry.schema or 1) > SCHEMA_VERSION:
        return None
    kind = entry.WhichOneof("item")
    return entry.alert if kind == "alert" else entry.withdrawal if kind == "withdrawal" else None


def _held(s: Session, origin: str, me: str, seq: int) -> tuple[QuarantineRow, Entry]:
    row = s.get(QuarantineRow, (origin, seq), with_for_update=True)
    entry = s.get(Entry, (origin, me, seq))
    if row is None or entry is None:
        raise NotFound(
            f"nothing from {origin!r} at seq {seq} is in quarantine",
            hint="see `exchange quarantine list`",
        )
    return row, entry


def _check_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason or len(reason) > 300:
        raise MalformedInput("say why, in at most 300 characters (--reason)")
    return reason


def release(
    db: Database,
    origin: str,
    me: str,
    seq: int,
    reason: str,
    now: datetime,
    accepted: frozenset[int] | Acceptance,
) -> tuple[Held, bool]:
    """Apply a held item after a person reviewed it; raise (and keep it held) if the rules
    refuse it now. False: still held (readable after an upgrade, but its text needs review)."""
    why = _check_reason(reason)
    with db.write() as s:
        row, entry_row = _held(s, origin, me, seq)
        entry = _entry(entry_row.envelope)
        if entry is None:
            raise MalformedInput("the held entry cannot be read; drop it")
        held = Held(row, _item(entry_row.envelope))
        if row.kind == "withdrawal-reason" and entry.WhichOneof("item") == "document_withdrawal":
            s.execute(
                update(DocumentVersion)
                .where(
                    DocumentVersion.origin == origin,
                    DocumentVersion.document_id == row.alert_id,
                    DocumentVersion.version == row.version,
                )
                .values(withdraw_reason=entry.document_withdrawal.reason[:500])
            )
        elif row.kind == "withdrawal-reason":
            body = entry.withdrawal.SerializeToString(deterministic=True)
            s.execute(
                update(AlertVersion)
                .where(
                    AlertVersion.origin == origin,
                    AlertVersion.alert_id == row.alert_id,
                    AlertVersion.version == row.version,
                )
                .values(body=body)
            )
        else:
            it = _readable(entry, entry_row.envelope, origin, now)
            if it.findings and row.kind == "schema":
                # Readable now; its text still needs a person's review as an alert.
                row.kind = "alert"
                row.reason = "looks like personal data (after upgrade)"
                repo.append_audit(
                    s, now, "item.quarantined", {"seq": seq, "kind": "alert"}, peer=origin
                )
                return Held(row, _item(entry_row.envelope)), False
            known = Known(
                Head(),
                {},
                item_store.current_versions(s, origin, [it.item_id]),
                item_store.taken_ids(s, origin, [it.item_id]),
                content_bytes=item_store.content_bytes(s, origin),
                cases=item_store.record_states(s, origin, [(it.kind, it.item_id)]),
                open_requests=item_store.open_requests(s, origin, [it.kind]),
            )
            plan = plan_release(known, it, origin, me, now, accepted)
            write_plan(s, plan, set(known.current))
            received.set_entry_state(s, origin, me, seq, STORED, drop_payload=False)
        s.delete(row)
        repo.append_audit(
            s,
            now,
            "item.released",
            {"seq": seq, "kind": row.kind, "alert_id": row.alert_id, "version": row.version}
            | {"reason": why},
            peer=origin,
        )
        return held, True


def _readable(entry: channel_pb2.ChannelEntry, raw: bytes, origin: str, now: datetime) -> Incoming:
    payload = envelope_pb2.Envelope.FromString(raw).payload
    if (entry.schema or 1) > SCHEMA_VERSION:
        raise VersionRefused(
            f"the item is written in schema {entry.schema}; this node reads schema "
            f"{SCHEMA_VERSION}",
            hint="upgrade this node, then release it; or drop it",
        )
    try:
        return read_entry(entry, payload, raw, origin, now)
    except Error as exc:
        raise MalformedInput(f"the held item is not valid here: {exc.message}") from None


def drop(db: Database, origin: str, me: str, seq: int, reason: str, now: datetime) -> Held:
    """Delete a held item's content; its channel position and hash stay."""
    why = _check_reason(reason)
    with db.write() as s:
        row, _ = _held(s, origin, me, seq)
        held = Held(row, None)
        state = STORED if row.kind == "withdrawal-reason" else DROPPED  # a tombstone stays
        received.set_entry_state(s, origin, me, seq, state, drop_payload=True)
        s.delete(row)
        repo.append_audit(
            s,
            now,
            "item.dropped",
            {"seq": seq, "kind": row.kind, "alert_id": row.alert_id, "version": row.version}
            | {"reason": why},
            peer=origin,
        )
        return held
