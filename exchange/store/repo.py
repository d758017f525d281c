"""Repositories: the queries the node runs, as functions over a Session.

Hot paths (outbox writes, inbox applies) use Core bulk statements; everything else uses the ORM.
Callers own the transaction (see `Database.write`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from exchange import actor, audit
from exchange._proto.v1.alert_pb2 import Alert
from exchange.alerts.versions import Current, HeadChange
from exchange.channel import GENESIS_HASH, Head
from exchange.matching.tokens import match_kinds
from exchange.store import bulk, shared
from exchange.store.models import (
    AlertHead,
    AlertVersion,
    AuditEvent,
    AuditHead,
    Channel,
    Entry,
    Peer,
    SubjectTokenRow,
)

# -- channels -------------------------------------------------------------------------------


def lock_channel(session: Session, origin: str, recipient: str) -> Channel:
    """Return the channel row, created if missing, locked for this transaction.

    Replicas of a node on PostgreSQL serialise on this row lock: two pushes of one channel
    reaching two replicas at once apply one after the other, the second seeing the first's
    head. The row is created by an insert that never fails on another replica's insert."""
    query = (
        select(Channel)
        .where(Channel.origin == origin, Channel.recipient == recipient)
        .with_for_update()
    )
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        values = {
            "origin": origin,
            "recipient": recipient,
            "head_seq": 0,
            "head_hash": GENESIS_HASH,
            "acked_seq": 0,
        }
        shared.insert_missing(session, Channel.__table__, values)
        row = session.execute(query).scalar_one()
    return row


def channel_head(session: Session, origin: str, recipient: str) -> Head:
    row = session.get(Channel, (origin, recipient))
    return Head(row.head_seq, row.head_hash) if row else Head()


def channels(session: Session) -> list[Channel]:
    return list(session.execute(select(Channel)).scalars())


def is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# PostgreSQL: psycopg prepares a statement after a few uses, and a generic plan for
# `x IN ($1..$500)` made while a table was small keeps scanning the whole table once it has
# grown (seen at 150-450 ms per call during catch-up). A join on unnest(array) stays an index
# lookup whatever the table's size when it was planned.
_PG_HASHES = text(
    "select e.seq, e.entry_hash from unnest(cast(:seqs as bigint[])) as i(s) "
    "join entries e on e.origin = :origin and e.recipient = :recipient and e.seq = i.s"
)
_PG_CURRENT = text(
    "select h.alert_id, h.version, h.withdrawn from unnest(cast(:ids as varchar[])) as i(id) "
    "join alert_heads h on h.origin = :origin and h.alert_id = i.id"
)


def stored_hashes(
    session: Session, origin: str, recipient: str, seqs: Sequence[int]
) -> dict[int, bytes]:
    """Hashes stored at the given seqs (for telling replays from forks)."""
    if is_pg(session):
        rows = session.execute(
            _PG_HASHES, {"seqs": list(seqs), "origin": origin, "recipient": recipient}
        )
        return {seq: h for seq, h in rows}
    out: dict[int, bytes] = {}
    for i in range(0, len(seqs), 500):
        rows = session.execute(
            select(Entry.seq, Entry.entry_hash).where(
                Entry.origin == origin,
                Entry.recipient == recipient,
                Entry.seq.in_(seqs[i : i + 500]),
            )
        )
        out.update({seq: h for seq, h in rows})
    return out


def bulk_insert(session: Session, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Rows straight to the driver on the session's connection (COPY on PostgreSQL): the ORM's
    bulk path costs ~2x per row, Core's executemany about as much again (exchange.store.bulk)."""
    if rows:
        bulk.insert(session.connection(), table, rows)


def insert_entries(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        bulk_insert(session, Entry.__table__, rows)


def entries_after(
    session: Session, origin: str, recipient: str, after_seq: int, limit: int
) -> list[tuple[int, bytes]]:
    rows = session.execute(
        select(Entry.seq, Entry.envelope)
        .where(Entry.origin == origin, Entry.recipient == recipient, Entry.seq > after_seq)
        .order_by(Entry.seq)
        .limit(limit)
    )
    return [(seq, env) for seq, env in rows]


def recipients_by_alert(
    session: Session, origin: str, alert_ids: Iterable[str]
) -> dict[str, set[str]]:
    """For each alert, the recipients that were sent any version of it."""
    ids = list(alert_ids)
    out: dict[str, set[str]] = {}
    for i in range(0, len(ids), 500):
        rows = session.execute(
            select(Entry.item_id, Entry.recipient)
            .where(Entry.origin == origin, Entry.item_id.in_(ids[i : i + 500]))
            .distinct()
        )
        for aid, recipient in rows:
            out.setdefault(aid, set()).add(recipient)
    return out


def advance_acked(session: Session, origin: str, recipient: str, seq: int) -> None:
    """Record that the recipient holds everything up to seq (never moves backwards)."""
    session.execute(
        update(Channel)
        .where(
            Channel.origin == origin,
            Channel.recipient == recipient,
            Channel.acked_seq < seq,
            Channel.head_seq >= seq,
        )
        .values(acked_seq=seq)
    )


def rewind_acked(session: Session, origin: str, recipient: str, seq: int) -> None:
    """The recipient says it holds less than we thought (restored from backup): resend."""
    session.execute(
        update(Channel)
        .where(Channel.origin == origin, Channel.recipient == recipient)
        .values(acked_seq=seq)
    )


# -- alerts ---------------------------------------------------------------------------------


def current_versions(session: Session, origin: str, alert_ids: Iterable[str]) -> dict[str, Current]:
    ids = list(set(alert_ids))
    if is_pg(session):
        rows = session.execute(_PG_CURRENT, {"ids": ids, "origin": origin})
        return {aid: Current(v, w) for aid, v, w in rows}
    out: dict[str, Current] = {}
    for i in range(0, len(ids), 500):
        rows = session.execute(
            select(AlertHead.alert_id, AlertHead.version, AlertHead.withdrawn).where(
                AlertHead.origin == origin, AlertHead.alert_id.in_(ids[i : i + 500])
            )
        )
        out.update({aid: Current(v, w) for aid, v, w in rows})
    return out


def write_alert_versions(
    session: Session,
    versions: Sequence[dict[str, Any]],
    heads: dict[str, HeadChange],
    existing: set[str],
) -> None:
    """Insert alert versions and move heads (new heads inserted, existing updated)."""
    if versions:
        bulk_insert(session, AlertVersion.__table__, versions)
    new = [vars(h) for aid, h in heads.items() if aid not in existing]
    if new:
        bulk_insert(session, AlertHead.__table__, new)
    for aid, h in heads.items():
        if aid in existing:
            values: dict[str, Any] = {
                "version": h.version,
                "withdrawn": h.withdrawn,
                "updated_at": h.updated_at,
            }
            # A tombstone clears what the alert was about too (withdrawn content is removed).
            values.update(category=h.category, risk=h.risk)
            session.execute(
                update(AlertHead)
                .where(AlertHead.origin == h.origin, AlertHead.alert_id == aid)
                .values(**values)
            )


def token_fingerprint(kind: str, epoch: int, value: bytes) -> int:
    """64-bit fingerprint of one subject token, for the lookup index."""
    digest = hashlib.sha256(b"%s|%d|" % (kind.encode(), epoch) + value).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def index_tokens(session: Session, rows: Sequence[tuple[str, str, str, int, bytes]]) -> None:
    """Index (origin, alert_id, kind, epoch, value) tokens of newly stored alert versions."""
    unique = {
        (token_fingerprint(kind, epoch, value), origin, aid)
        for origin, aid, kind, epoch, value in rows
    }
    bulk_insert(
        session,
        SubjectTokenRow.__table__,
        [{"tok": t, "origin": o, "alert_id": a} for t, o, a in unique],
    )


def match_tokens(
    session: Session, tokens: Sequence[tuple[str, int, bytes]]
) -> list[tuple[list[str], AlertHead]]:
    """Alerts (latest version, not withdrawn) that carry any of the (kind, epoch, value)
    tokens, with the kinds that matched."""
    by_fp = {token_fingerprint(k, e, v): (k, e, v) for k, e, v in tokens}
    if not by_fp:
        return []
    candidates = session.execute(
        select(SubjectTokenRow.origin, SubjectTokenRow.alert_id)
        .where(SubjectTokenRow.tok.in_(list(by_fp)))
        .distinct()
    ).all()
    wanted = set(by_fp.values())
    out: list[tuple[list[str], AlertHead]] = []
    for origin, aid in candidates:
        head = session.get(AlertHead, (origin, aid))
        if head is None or head.withdrawn:
            continue
        row = session.get(AlertVersion, (origin, aid, head.version))
        if row is None:
            continue
        body = Alert.FromString(row.body)
        # A coarse token whose finer token both sides hold and miss is no hit (matching).
        kinds = match_kinds(wanted, [(t.kind, t.epoch, t.value) for t in body.subject.tokens])
        if kinds:  # the latest version still carries the token
            out.append((kinds, head))
    return out


def alert_heads(session: Session, origin: str | None, limit: int) -> list[AlertHead]:
    q = select(AlertHead).order_by(AlertHead.updated_at.desc()).limit(limit)
    if origin:
        q = q.where(AlertHead.origin == origin)
    return list(session.execute(q).scalars())


def alert_heads_page(
    session: Session, where: Any, not_origin: str | None, offset: int, limit: int
) -> list[AlertHead]:
    """Latest versions newest first, filtered (exchange.app.listing.AlertFilter) and paged."""
    q = select(AlertHead).order_by(AlertHead.updated_at.desc(), AlertHead.alert_id)
    if where.origin:
        q = q.where(AlertHead.origin == where.origin)
    if not_origin:
        q = q.where(AlertHead.origin != not_origin)
    if where.category:
        q = q.where(AlertHead.category == where.category)
    if where.min_risk:
        q = q.where(AlertHead.risk >= where.min_risk)
    if where.since is not None:
        q = q.where(AlertHead.updated_at >= where.since)
    return list(session.execute(q.offset(offset).limit(limit)).scalars())


def alert_versions(session: Session, origin: str, alert_id: str) -> list[AlertVersion]:
    """Every version held of one alert, oldest first: alerts are named by (origin, id)."""
    return list(
        session.execute(
            select(AlertVersion)
            .where(AlertVersion.origin == origin, AlertVersion.alert_id == alert_id)
            .order_by(AlertVersion.version)
        ).scalars()
    )


def count_alerts(session: Session, own: str) -> tuple[int, int]:
    mine = session.execute(
        select(func.count()).select_from(AlertHead).where(AlertHead.origin == own)
    ).scalar_one()
    theirs = session.execute(
        select(func.count()).select_from(AlertHead).where(AlertHead.origin != own)
    ).scalar_one()
    return int(mine), int(theirs)


# -- peers ----------------------------------------------------------------------------------


def peers(session: Session) -> list[Peer]:
    return list(session.execute(select(Peer).order_by(Peer.country)).scalars())


# -- audit ----------------------------------------------------------------------------------


def append_audit(
    session: Session, at: datetime, event: str, detail: dict[str, Any], peer: str = ""
) -> int:
    """Append one event to the hash chain, inside the caller's transaction."""
    return append_audit_many(session, at, [(event, detail, peer)])


def append_audit_many(
    session: Session,
    at: datetime,
    events: Sequence[tuple[str, dict[str, Any], str]],
    actors: Sequence[dict[str, Any] | None] | None = None,
) -> int:
    """Append events (event, detail, peer) to the hash chain in one go; return the last seq.

    The chain head row is locked for the transaction, so concurrent writers stay linear.
    `actors`: who caused each event, when one transaction carries several callers' changes
    (a group commit); by default the caller of this transaction (exchange.actor).
    """
    if at.tzinfo is not None:
        at = at.astimezone(UTC)  # SQLite keeps only the wall-clock time: store UTC, as hashed
    query = select(AuditHead).where(AuditHead.id == 1).with_for_update()
    head = session.execute(query).scalar_one_or_none()
    if head is None:  # the first event: another replica may be writing its own first
        shared.insert_missing(
            session, AuditHead.__table__, {"id": 1, "seq": 0, "hash": audit.GENESIS}
        )
        head = session.execute(query).scalar_one()
    seq, prev = head.seq, head.hash
    rows = []
    if actors is None:
        actors = [actor.current()] * len(events)  # the user behind an operator request, if any
    for (event, detail, peer), by in zip(events, actors, strict=True):
        seq += 1
        if by is not None:
            detail = {**detail, "by": by}
        text = audit.canonical(detail)
        h = audit.event_hash(prev, seq, at, event, peer, text)
        rows.append(
            {
                "seq": seq,
                "at": at,
                "event": event,
                "peer": peer,
                "detail": text,
                "prev_hash": prev,
                "hash": h,
            }
        )
        prev = h
    bulk_insert(session, AuditEvent.__table__, rows)
    head.seq, head.hash = seq, prev
    session.flush()
    return seq


def audit_head(session: Session) -> tuple[int, bytes]:
    head = session.get(AuditHead, 1)
    return (head.seq, head.hash) if head else (0, audit.GENESIS)


def audit_events(session: Session, event: str | None = None) -> list[audit.Event]:
    q = select(AuditEvent).order_by(AuditEvent.seq)
    if event:
        q = q.where(AuditEvent.event == event)
    return [
        audit.Event(r.seq, r.at, r.event, r.peer, r.detail, r.prev_hash, r.hash)
        for r in session.execute(q).scalars()
    ]
