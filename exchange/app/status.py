"""The node's status: identity, counts, alarms, and per peer the state of both channels.

Read in one database transaction; the link state (connected, last contact, errors, stalls)
comes from the running node itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from exchange.app.alarms import AlarmView, alarm_states
from exchange.envelope import key_id
from exchange.store import received as stored
from exchange.store import repo

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


async def status(node: Node) -> NodeStatus:
    def load() -> tuple[dict[tuple[str, str], tuple[int, int]], tuple[int, int], int]:
        with node.db.read() as s:
            chans = {(c.origin, c.recipient): (c.head_seq, c.acked_seq) for c in repo.channels(s)}
            held = stored.quarantine_count(s)
            return chans, repo.count_alerts(s, node.country), held

    chans, (own, received), held = await node.run_db(load)
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
    )
