"""Who the node's peers are, and how a TLS connection is bound to a country.

A peer is pinned by the SHA-256 of its TLS SubjectPublicKeyInfo, taken from the TLS key
certificates its country's admin key issued (valid now, not revoked): during a TLS key rotation a
peer has two pins. The server's client-auth trust roots are exactly the pinned peers'
self-signed certificates, updated without restart through gRPC's dynamic server credentials; on
every RPC the caller's certificate is hashed again and mapped to the one country it is pinned
for, so a key revoked or expired a second ago is refused on an open connection too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import grpc

from exchange.node.identity import Identity
from exchange.node.tls import fingerprint_of_pem


@dataclass(frozen=True)
class PeerInfo:
    country: str
    address: str
    pins: tuple[tuple[str, bytes], ...]  # (SPKI sha256 hex, PEM) of its certified TLS keys

    @property
    def fingerprint(self) -> str:
        return ",".join(fp for fp, _ in self.pins)

    @property
    def cert_pem(self) -> bytes:
        return b"".join(pem for _, pem in self.pins)


class PeerRegistry:
    """The current set of pinned peers; replaced as a whole when a peer is added."""

    def __init__(self, identity: Callable[[], Identity]) -> None:
        self._identity_of = identity  # the node's current identity (it changes on rotation)
        self._lock = threading.Lock()
        self._peers: dict[str, PeerInfo] = {}
        self._by_fp: dict[str, str] = {}
        self._cert_cache: dict[bytes, str] = {}
        self._version = 0
        self._served_version = -1

    def replace(self, peers: list[PeerInfo]) -> bool:
        """Install a new set of peers and pins; False (and nothing done) if nothing changed."""
        new = {p.country: p for p in peers}
        with self._lock:
            if new == self._peers:
                return False
            self._peers = new
            self._by_fp = {fp: p.country for p in peers for fp, _ in p.pins}
            self._cert_cache = {}
            self._version += 1
            return True

    def identity_changed(self) -> None:
        """Our own TLS key changed (rotation): new handshakes present the new certificate."""
        with self._lock:
            self._version += 1

    def get(self, country: str) -> PeerInfo | None:
        return self._peers.get(country)

    def all(self) -> list[PeerInfo]:
        return sorted(self._peers.values(), key=lambda p: p.country)

    def country_for_cert(self, pem: bytes) -> str | None:
        """The country a presented certificate is pinned for, or None."""
        country = self._cert_cache.get(pem)
        if country is None:
            try:
                fp = fingerprint_of_pem(pem)
            except ValueError:
                return None
            country = self._by_fp.get(fp)
            if country is not None:
                self._cert_cache[pem] = country
        return country

    def _certificate_configuration(self) -> grpc.ServerCertificateConfiguration:
        me = self._identity_of()
        roots = b"".join(p.cert_pem for p in self._peers.values()) or me.tls_cert_pem
        return grpc.ssl_server_certificate_configuration(
            [(me.tls_key_pem, me.tls_cert_pem)],
            root_certificates=roots,
        )

    def _fetch(self) -> grpc.ServerCertificateConfiguration | None:
        # Called by gRPC on each new handshake: hand over new trust roots only when changed.
        with self._lock:
            if self._served_version == self._version:
                return None
            self._served_version = self._version
            return self._certificate_configuration()

    def server_credentials(self) -> grpc.ServerCredentials:
        with self._lock:
            self._served_version = self._version
            initial = self._certificate_configuration()
        return grpc.dynamic_ssl_server_credentials(
            initial, self._fetch, require_client_authentication=True
        )

    def channel_credentials(self, peer: PeerInfo) -> grpc.ChannelCredentials:
        return grpc.ssl_channel_credentials(
            root_certificates=peer.cert_pem,
            private_key=self._identity_of().tls_key_pem,
            certificate_chain=self._identity_of().tls_cert_pem,
        )
