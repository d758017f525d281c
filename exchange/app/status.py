"""The node's status: identity, counts, alarms, and per peer the state of both channels.

Read in one database transaction; the link state (connected, last contact, errors, stalls)
comes from the running node itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from exchange.app.alarms import AlarmView, alarm_states
from exchange.envelope import key_id
from exchange.records import deadlines, seal
from exchange.store import received as stored
from exchange.store import records as records_store
from exchange.store import repo, retention, users

if TYPE_CHECKING:
    from exchange.node.runtime import Node


@dataclass(frozen=True)
class PeerStatus:
    country: str
    address: str
    connected: bool
    outbox_depth: int
    sent_head: int
    acked_seq: int
    received_head: int
    last_error: str
    stalled: str
    last_contact: datetime | None


@dataclass(frozen=True)
class RecordCounts:
    pending: int = 0
    overdue: int = 0
    due_soon: int = 0


def record_counts(s: Session, now: datetime) -> RecordCounts:
    c = records_store.counts(s, now, deadlines.WARN_BEFORE)
    return RecordCounts(c.pending, c.overdue_total, c.due_soon)


@dataclass(frozen=True)
class NodeStatus:
    country: str
    address: str
    fingerprint: str
    sign_key_id: str
    alerts_own: int
    alerts_received: int
    serving: bool
    quarantined: int
    alarms: tuple[AlarmView, ...]
    peers: tuple[PeerStatus, ...]
    users_configured: bool = False
    records: RecordCounts = RecordCounts()
    seal_post_quantum: bool = False
    alerts_review_due: int = 0
    replica: str = ""
    leases: tuple[str, ...] = ()


async def status(node: Node) -> NodeStatus:
    now = node.clock.now()

    def load() -> tuple[
        dict[tuple[str, str], tuple[int, int]], tuple[int, int], int, bool, RecordCounts, int
    ]:
        with node.db.read() as s:
            chans = {(c.origin, c.recipient): (c.head_seq, c.acked_seq) for c in repo.channels(s)}
            held = stored.quarantine_count(s)
            counts = record_counts(s, now)
            review = retention.due_soon(s, node.country, now, node.config.retention.warn_days)
            return (
                chans,
                repo.count_alerts(s, node.country),
                held,
                users.any_users(s),
                counts,
                review,
            )

    chans, (own, received), held, has_users, counts, review = await node.run_db(load)
    alarms = await alarm_states(node, held)
    peers = []
    for p in node.peers.all():
        link = node.links.get(p.country)
        out = chans.get((node.country, p.country))
        inc = chans.get((p.country, node.country))
        depth = (out[0] - out[1]) if out else 0
        peers.append(
            PeerStatus(
                country=p.country,
                address=p.address,
                connected=bool(link and link.connected),
                outbox_depth=depth,
                sent_head=out[0] if out else 0,
                acked_seq=out[1] if out else 0,
                received_head=inc[0] if inc else 0,
                last_error=link.last_error if link else "",
                stalled=node.stalled(p.country, depth > 0),
                last_contact=link.last_contact if link and link.last_contact else None,
            )
        )
    return NodeStatus(
        country=node.country,
        address=node.address,
        fingerprint=node.identity.fingerprint,
        sign_key_id=key_id(node.identity.signing.public_raw),
        alerts_own=own,
        alerts_received=received,
        serving=not node.stopping.is_set(),
        quarantined=held,
        alarms=tuple(alarms),
        peers=tuple(peers),
        users_configured=has_users,
        records=counts,
        seal_post_quantum=seal.is_hybrid(node.identity.seal_public),
        alerts_review_due=review,
        replica=node.replica,
        leases=() if node.db.is_sqlite else tuple(node.leases.held()),  # SQLite: all, always
    )
