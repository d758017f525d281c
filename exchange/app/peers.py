"""Peer use cases: list, add, remove, move to a new address.

Each change is checked, written with its audit event in one transaction, and takes effect at
once. A peer is pinned only by a TLS key its country's admin key certified."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from exchange.alerts import model
from exchange.config import peer_address_problem, split_addresses
from exchange.envelope import key_id
from exchange.errors import AlreadyExists, MalformedInput, NotFound, PeerError
from exchange.node.tls import fetch_peer_certificate, inspect_peer_certificate, parse_fingerprint
from exchange.store import repo, shared
from exchange.store.models import Peer
from exchange.trust.errors import KeyNotCertified, NoTrustAnchor

if TYPE_CHECKING:
    from exchange.node.runtime import Node


@dataclass(frozen=True)
class PeerView:
    country: str
    address: str
    fingerprint: str
    sign_key_id: str = ""  # the peer's certified signing key ids, comma-separated


def _signers(node: Node, country: str) -> str:
    return ",".join(sorted(node.trust.signers(country)))


def list_peers(node: Node) -> list[PeerView]:
    return [
        PeerView(p.country, p.address, p.fingerprint, _signers(node, p.country))
        for p in node.peers.all()
    ]


async def add_peer(
    node: Node, country: str, address: str, fingerprint: str, now: datetime
) -> PeerView:
    """Pin a peer: the node at its address must present a TLS key certified by that country's
    admin key in the region trust bundle."""
    if not model.is_country(country):
        raise MalformedInput(
            f"unknown country {country!r}",
            hint="use a two-letter lower-case ISO 3166-1 code such as kg or tj",
        )
    if country == node.country:
        raise MalformedInput("a node cannot add itself as a peer")
    if problem := peer_address_problem(address):
        raise MalformedInput(problem, hint="give the peer's address as host:port")
    if node.peers.get(country) is not None:
        raise AlreadyExists(f"{country} is already a peer", hint="see `exchange peers list`")
    if node.trust.bundle is None:
        raise NoTrustAnchor(
            "this node has no region trust bundle yet, so it can trust no peer",
            hint="import the bundle and certificates first: exchange keys import FILES",
        )
    der = await _certificate(address)
    given = parse_fingerprint(fingerprint) if fingerprint else None
    cert = inspect_peer_certificate(der, given, country)
    actual = cert.fingerprint
    if actual not in node.trust.tls_pins(country, now):
        raise KeyNotCertified(
            f"the TLS key of the node at {address} ({actual[:16]}) has no valid "
            f"certificate from the admin key of {country}",
            hint=f"import {country}'s node certificates (exchange keys import), "
            "or check the address",
        )

    def store() -> None:
        with node.db.write() as s:
            node.trust.add_tls(s, country, cert.pem)
            s.add(
                Peer(
                    country=country,
                    address=address,
                    tls_fingerprint=cert.fingerprint,
                    tls_cert_pem=cert.pem,
                    sign_public_key=cert.sign_public_raw,
                    sign_key_id=key_id(cert.sign_public_raw),
                    added_at=now,
                )
            )
            repo.append_audit(
                s,
                now,
                "peer.added",
                {"country": country, "address": address, "fingerprint": cert.fingerprint},
            )
        node.load_addresses()
        node.refresh_peers()

    try:
        await node.run_db(store)
    except IntegrityError:
        raise AlreadyExists("that peer or fingerprint is already registered") from None
    node.start_peer(country)
    await node.shared_changed(shared.PEERS)  # the other replicas start it too
    return PeerView(country, address, cert.fingerprint, _signers(node, country))


async def _certificate(address: str) -> bytes:
    """The certificate presented at a peer's address; with several (its replicas), every one
    that answers must present the same certificate, and at least one must answer."""
    loop = asyncio.get_running_loop()
    found: dict[bytes, str] = {}
    failed: PeerError | None = None
    for one in split_addresses(address):
        try:
            found.setdefault(await loop.run_in_executor(None, fetch_peer_certificate, one), one)
        except PeerError as exc:
            failed = exc
    if len(found) > 1:
        raise PeerError(
            f"the addresses present different certificates ({', '.join(found.values())})",
            hint="replicas of one node share its keys: list only that node's replicas",
        )
    if not found:
        assert failed is not None
        raise failed
    return next(iter(found))


def _known_peer(node: Node, country: str) -> None:
    if not model.is_country(country):
        raise MalformedInput(f"unknown country {country[:8]!r}", hint="use a code such as kg")
    if node.peers.get(country) is None:
        raise NotFound(f"{country} is not a peer of this node", hint="see `exchange peers list`")


async def remove_peer(node: Node, country: str, now: datetime) -> PeerView:
    """Stop exchanging with a country. Its channels and entries stay (the audit trail and the
    sequence hold); adding it again resumes where the channel stopped."""
    _known_peer(node, country)

    def run() -> PeerView:
        with node.db.write() as s:
            row = s.get(Peer, country)
            if row is None:
                raise NotFound(f"{country} is not a peer of this node")
            s.delete(row)
            repo.append_audit(
                s,
                now,
                "peer.removed",
                {"country": country, "address": row.address, "fingerprint": row.tls_fingerprint},
            )
            return PeerView(country, row.address, row.tls_fingerprint)

    gone = await node.run_db(run)
    await node.stop_peer(country)
    await node.run_db(node.load_addresses)
    node.refresh_peers()
    await node.shared_changed(shared.PEERS)
    return gone


async def set_peer_address(node: Node, country: str, address: str, now: datetime) -> PeerView:
    """Point a peer at a new address; the node there must present a TLS key certified for
    that country, as `peers add` requires."""
    _known_peer(node, country)
    if problem := peer_address_problem(address):
        raise MalformedInput(problem, hint="give the peer's address as host:port")
    der = await _certificate(address)
    cert = inspect_peer_certificate(der, None, country)
    if cert.fingerprint not in node.trust.tls_pins(country, now):
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
                s, now, "peer.address_changed", {"country": country, "old": old, "new": address}
            )
            return row.tls_fingerprint

    fingerprint = await node.run_db(run)
    await node.run_db(node.load_addresses)
    node.refresh_peers()
    node.wake_senders()
    await node.shared_changed(shared.PEERS)
    return PeerView(country, address, fingerprint)
