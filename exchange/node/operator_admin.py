"""Operator actions on peers and alarms: add or remove a peer, move it to a new address,
acknowledge an alarm. Each is checked, written with its audit event in one transaction, and
takes effect at once."""

from __future__ import annotations

import asyncio
import hashlib
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from exchange._proto.v1 import operator_pb2
from exchange.alerts import model
from exchange.config import address_problem
from exchange.envelope import key_id
from exchange.errors import AlreadyExists, MalformedInput, NotFound
from exchange.node.runtime import utcnow
from exchange.node.tls import (
    fetch_peer_certificate,
    inspect_peer_certificate,
    parse_fingerprint,
)
from exchange.store import received, repo
from exchange.store.models import AlarmAck, Peer
from exchange.trust.errors import KeyNotCertified, NoTrustAnchor

if TYPE_CHECKING:
    from exchange.node.runtime import Node

MIN_ALARM_ID = 6
MAX_REASON = 300


async def add_peer(node: Node, request: operator_pb2.AddPeerRequest) -> operator_pb2.PeerInfo:
    """Pin a peer: the node at its address must present a TLS key certified by that country's
    admin key in the region trust bundle."""
    if not model.is_country(request.country):
        raise MalformedInput(
            f"unknown country {request.country!r}",
            hint="use a two-letter lower-case ISO 3166-1 code such as kg or tj",
        )
    if request.country == node.country:
        raise MalformedInput("a node cannot add itself as a peer")
    if problem := address_problem(request.address):
        raise MalformedInput(problem, hint="give the peer's address as host:port")
    if node.peers.get(request.country) is not None:
        raise AlreadyExists(
            f"{request.country} is already a peer",
            hint="see `exchange peers list`",
        )
    if node.trust.bundle is None:
        raise NoTrustAnchor(
            "this node has no region trust bundle yet, so it can trust no peer",
            hint="import the bundle and certificates first: exchange keys import FILES",
        )
    der = await asyncio.get_running_loop().run_in_executor(
        None, fetch_peer_certificate, request.address
    )
    given = parse_fingerprint(request.fingerprint) if request.fingerprint else None
    cert = inspect_peer_certificate(der, given, request.country)
    actual = cert.fingerprint
    if actual not in node.trust.tls_pins(request.country, utcnow()):
        raise KeyNotCertified(
            f"the TLS key of the node at {request.address} ({actual[:16]}) has no valid "
            f"certificate from the admin key of {request.country}",
            hint=f"import {request.country}'s node certificates (exchange keys import), "
            "or check the address",
        )

    def store() -> None:
        with node.db.write() as s:
            node.trust.add_tls(s, request.country, cert.pem)
            s.add(
                Peer(
                    country=request.country,
                    address=request.address,
                    tls_fingerprint=cert.fingerprint,
                    tls_cert_pem=cert.pem,
                    sign_public_key=cert.sign_public_raw,
                    sign_key_id=key_id(cert.sign_public_raw),
                    added_at=utcnow(),
                )
            )
            repo.append_audit(
                s,
                utcnow(),
                "peer.added",
                {
                    "country": request.country,
                    "address": request.address,
                    "fingerprint": cert.fingerprint,
                },
            )
        node.load_addresses()
        node.refresh_peers()

    try:
        await node.run_db(store)
    except IntegrityError:
        raise AlreadyExists("that peer or fingerprint is already registered") from None
    node.start_peer(request.country)
    signers = node.trust.signers(request.country)
    return operator_pb2.PeerInfo(
        country=request.country,
        address=request.address,
        fingerprint=cert.fingerprint,
        sign_key_id=",".join(sorted(signers)),
    )


def _known_peer(node: Node, country: str) -> None:
    if not model.is_country(country):
        raise MalformedInput(f"unknown country {country[:8]!r}", hint="use a code such as kg")
    if node.peers.get(country) is None:
        raise NotFound(f"{country} is not a peer of this node", hint="see `exchange peers list`")


async def remove_peer(node: Node, country: str) -> operator_pb2.PeerInfo:
    """Stop exchanging with a country. Its channels and entries stay (the audit trail and the
    sequence hold); adding it again resumes where the channel stopped."""
    _known_peer(node, country)

    def run() -> Peer:
        with node.db.write() as s:
            row = s.get(Peer, country)
            if row is None:
                raise NotFound(f"{country} is not a peer of this node")
            s.delete(row)
            repo.append_audit(
                s,
                utcnow(),
                "peer.removed",
                {"country": country, "address": row.address, "fingerprint": row.tls_fingerprint},
            )
            return row

    row = await node.run_db(run)
    await node.stop_peer(country)
    await node.run_db(node.load_addresses)
    node.refresh_peers()
    return operator_pb2.PeerInfo(
        country=country, address=row.address, fingerprint=row.tls_fingerprint
    )


async def set_peer_address(node: Node, country: str, address: str) -> operator_pb2.PeerInfo:
    """Point a peer at a new address; the node there must present a TLS key certified for
    that country, as `peers add` requires."""
    _known_peer(node, country)
    if problem := address_problem(address):
        raise MalformedInput(problem, hint="give the peer's address as host:port")
    der = await asyncio.get_running_loop().run_in_executor(None, fetch_peer_certificate, address)
    cert = inspect_peer_certificate(der, None, country)
    if cert.fingerprint not in node.trust.tls_pins(country, utcnow()):
        raise KeyNotCertified(
            f"the TLS key of the node at {address} ({cert.fingerprint[:16]}) has no valid "
            f"certificate from the admin key of {country}",
            hint="check the address; the peer keeps its old address",
        )

    def run() -> str:
        with node.db.write() as s:
            row = s.get(Peer, country)
            if row is None:
                raise NotFound(f"{country} is not a peer of this node")
            old, row.address = row.address, address
            repo.append_audit(
                s,
                utcnow(),
                "peer.address_changed",
                {"country": country, "old": old, "new": address},
            )
            return row.tls_fingerprint

    fingerprint = await node.run_db(run)
    await node.run_db(node.load_addresses)
    node.refresh_peers()
    node.wake_senders()
    return operator_pb2.PeerInfo(country=country, address=address, fingerprint=fingerprint)


# -- alarms ---------------------------------------------------------------------------------


def alarm_id(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


async def alarm_states(node: Node, held: int | None = None) -> list[operator_pb2.AlarmState]:
    """Every alarm now, with its acknowledgement if an operator gave one (`held`: the
    quarantine count, when the caller has already read it)."""

    def load() -> tuple[int, dict[str, AlarmAck]]:
        with node.db.read() as s:
            acks = {a.id: a for a in s.execute(select(AlarmAck)).scalars()}
            return (received.quarantine_count(s) if held is None else held), acks

    count, acks = await node.run_db(load)
    out = []
    for text in node.alarms(count):
        st = operator_pb2.AlarmState(id=alarm_id(text), text=text)
        if (ack := acks.get(st.id)) is not None:
            st.acknowledged, st.reason = True, ack.reason
            st.acknowledged_at.CopyFrom(model.timestamp(ack.at))
        out.append(st)
    return out


async def ack_alarm(node: Node, wanted: str, reason: str) -> operator_pb2.AlarmState:
    """Acknowledge one current alarm: it stays shown, marked, and no longer fails
    `status --check`. A changed alarm has a new id and must be acknowledged again."""
    wanted = wanted.strip().lower()
    if len(wanted) < MIN_ALARM_ID:
        raise MalformedInput(
            f"give at least {MIN_ALARM_ID} characters of the alarm id",
            hint="see the ids in `exchange status`",
        )
    if not reason.strip() or len(reason) > MAX_REASON:
        raise MalformedInput(f"say why it is acknowledged (--reason, up to {MAX_REASON} chars)")
    found = [a for a in await alarm_states(node) if a.id.startswith(wanted)]
    if len(found) != 1:
        raise NotFound(
            f"no current alarm {wanted[:12]!r}" if not found else f"{wanted!r} names several",
            hint="see the ids in `exchange status`",
        )
    st = found[0]
    now = utcnow()

    def run() -> None:
        with node.db.write() as s:
            row = s.get(AlarmAck, st.id)
            if row is None:
                s.add(AlarmAck(id=st.id, text=st.text, reason=reason, at=now))
            else:
                row.reason, row.at = reason, now
            repo.append_audit(
                s, now, "alarm.acknowledged", {"id": st.id, "alarm": st.text, "reason": reason}
            )

    await node.run_db(run)
    st.acknowledged, st.reason = True, reason
    st.acknowledged_at.CopyFrom(model.timestamp(now))
    return st
