"""Checking a peer's trust offer before any database work: every signature (bundle chain,
certificates, revocations, checkpoints) is verified here, on a snapshot of what the node
trusts, outside any transaction and without the trust store's lock; the write step then only
keeps what passed (exchange.node.truststore.NodeTrust.apply_plan).

A flood of junk therefore costs CPU in a worker thread, never the database write lock that
alert ingest needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from google.protobuf.message import Message

from exchange._proto.v1 import envelope_pb2, exchange_pb2, trust_pb2
from exchange.errors import Error, MalformedInput
from exchange.trust import CERTIFICATE_PAYLOAD_TYPE, REVOCATION_PAYLOAD_TYPE, TrustedBundles
from exchange.trust._common import now_ns
from exchange.trust.certificate import open_certificate
from exchange.trust.checkpoint import Checkpoint, open_checkpoint
from exchange.trust.errors import NoTrustAnchor
from exchange.trust.revocation import open_revocation
from exchange.trust.signers import TrustedSigners, signers_from


@dataclass
class Snapshot:
    """What the offer needs checked, taken under the trust store's lock."""

    version: int
    bundles: TrustedBundles | None  # a copy, walked without touching the store's
    chain_key: str  # "" when the offered chain has nothing new (or was refused before)
    fresh: list[tuple[str, envelope_pb2.Envelope]]  # (digest, item): unknown, not refused
    checkpoints: list[tuple[str, envelope_pb2.Envelope]]  # (digest, checkpoint) with news
    certs: tuple[trust_pb2.NodeKeyCertificate, ...]
    revocations: tuple[trust_pb2.KeyRevocation, ...]

    @property
    def signature_checks(self) -> int:
        """Roughly how many signature checks preparing this offer costs."""
        chain = 0
        if self.chain_key and self.bundles is not None:
            chain = 8  # a few versions, a threshold of signatures each: bounded by the caps
        return len(self.fresh) + len(self.checkpoints) + chain


@dataclass
class Plan:
    """The verified offer: what to keep, and what was refused (with its digest)."""

    version: int
    chain_key: str = ""
    chain: TrustedBundles | None = None  # the walked chain, if the offer moved it forward
    chain_error: Error | None = None
    items: list[tuple[str, str, envelope_pb2.Envelope, Message]] = field(default_factory=list)
    refused: list[tuple[str, str, Error]] = field(default_factory=list)  # kind, digest, error
    checkpoints: list[Checkpoint] = field(default_factory=list)
    checkpoint_refusals: list[tuple[str, Error]] = field(default_factory=list)  # digest, error


def item_kind(env: envelope_pb2.Envelope) -> str:
    return {
        CERTIFICATE_PAYLOAD_TYPE: "certificate",
        REVOCATION_PAYLOAD_TYPE: "revocation",
    }.get(env.payload_type, "unknown")


def prepare(snap: Snapshot, msg: exchange_pb2.TrustSync, now: datetime) -> Plan:
    """Verify every signature of the offer on the snapshot (pure apart from CPU)."""
    plan = Plan(snap.version, snap.chain_key)
    trusted = snap.bundles
    if snap.chain_key and trusted is not None:
        try:
            trusted.walk(list(msg.bundles), now)  # all or nothing: on error `trusted` is as was
            plan.chain = trusted
        except Error as exc:
            plan.chain_error = exc
    bundle = trusted.current if trusted is not None else None
    new_certs: list[trust_pb2.NodeKeyCertificate] = []
    new_revs: list[trust_pb2.KeyRevocation] = []
    for digest, env in snap.fresh:
        kind = item_kind(env)
        try:
            if bundle is None:
                raise NoTrustAnchor(
                    "a peer offered trust items, but this node has no trust bundle to check "
                    "them against",
                    hint="the administrator imports the first bundle (pinned out of band)",
                )
            opened: Message
            if kind == "certificate":
                cert = open_certificate(env, bundle, now)
                new_certs.append(cert)
                opened = cert
            elif kind == "revocation":
                rev = open_revocation(env, bundle, now)
                new_revs.append(rev)
                opened = rev
            else:
                raise MalformedInput(f"not a trust item: payload type {env.payload_type[:80]!r}")
            plan.items.append((kind, digest, env, opened))
        except Error as exc:
            plan.refused.append((kind, digest, exc))
    if plan.chain is None:  # after a bundle change, checkpoints wait for the next round
        by_key = signers_by_key((*snap.certs, *new_certs), (*snap.revocations, *new_revs))
        n = now_ns(now)
        for digest, env in snap.checkpoints:
            try:
                plan.checkpoints.append(open_checkpoint(env, by_key, n))
            except Error as exc:
                plan.checkpoint_refusals.append((digest, exc))
    return plan


def signers_by_key(
    certs: tuple[trust_pb2.NodeKeyCertificate, ...],
    revocations: tuple[trust_pb2.KeyRevocation, ...],
) -> dict[str, TrustedSigners]:
    """Signing key id -> the signers of the country it is certified for."""
    out: dict[str, TrustedSigners] = {}
    countries = {c.country for c in certs if c.purpose == trust_pb2.KEY_PURPOSE_SIGN}
    for country in sorted(countries):
        signers = signers_from(country, certs, revocations)
        for kid in signers:
            out[kid] = signers
    return out
