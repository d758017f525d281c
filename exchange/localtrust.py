"""The trust material of a local region: its admin keys, bundle and node certificates, made
the way a region's administrators make them (used by the demo, the tests and the benchmarks)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from exchange._proto.v1 import (
    envelope_pb2,
    trust_pb2,
)
from exchange.documents.topics import seeded
from exchange.envelope import SigningKey
from exchange.trust import BUNDLE_PAYLOAD_TYPE, issue_node_certificates

if TYPE_CHECKING:
    from exchange.localregion import LocalNode


@dataclass
class RegionTrust:
    """A test region's admin keys, bundle chain and node certificates (made in-process with the
    same library the key tools use; the demo runs the tools themselves)."""

    admins: dict[str, SigningKey]
    chain: list[envelope_pb2.Envelope]
    certificates: dict[str, list[envelope_pb2.Envelope]]

    @classmethod
    def create(
        cls, nodes: Iterable[LocalNode], sign_seconds: dict[str, float] | None = None
    ) -> RegionTrust:
        """Admin keys, bundle v1 (all members, threshold a majority) and node certificates;
        `sign_seconds` shortens a country's signing certificate (to test expiry)."""
        nodes = list(nodes)
        admins = {n.country: SigningKey.generate() for n in nodes}
        bundle = make_bundle(1, admins, threshold=len(admins) // 2 + 1)
        trust = cls(admins, [bundle], {})
        now = datetime.now(UTC)
        for n in nodes:
            keys = n.public_keys()
            short = (sign_seconds or {}).get(n.country)
            if short is not None:
                sign = {trust_pb2.KEY_PURPOSE_SIGN: keys.pop(trust_pb2.KEY_PURPOSE_SIGN)}
                trust.certify(n, sign, valid_until=now + timedelta(seconds=short))
            trust.certify(n, keys)
        return trust

    def certify(
        self,
        node: LocalNode,
        keys: dict[trust_pb2.KeyPurpose.ValueType, bytes] | None = None,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
    ) -> list[envelope_pb2.Envelope]:
        now = datetime.now(UTC)
        certs = issue_node_certificates(
            self.admins[node.country],
            node.country,
            keys or node.public_keys(),
            valid_from or now - timedelta(hours=1),
            valid_until or now + timedelta(days=365),
        )
        self.certificates.setdefault(node.country, []).extend(certs)
        return certs

    def all_items(self) -> list[envelope_pb2.Envelope]:
        return [*self.chain, *(c for cs in self.certificates.values() for c in cs)]


def make_bundle(
    version: int,
    admins: dict[str, SigningKey],
    *,
    threshold: int,
    days: int = 365,
    signers: Iterable[SigningKey] | None = None,
) -> envelope_pb2.Envelope:
    """A bundle version listing `admins` as members, signed by `signers` (default: all)."""
    tb = trust_pb2.TrustBundle(version=version, threshold=threshold)
    tb.expires.FromDatetime(datetime.now(UTC) + timedelta(days=days))
    for country, key in sorted(admins.items()):
        tb.members.add(country=country, admin_keys=[key.public_raw])
    payload = tb.SerializeToString(deterministic=True)
    env = envelope_pb2.Envelope(payload_type=BUNDLE_PAYLOAD_TYPE, payload=payload)
    for key in signers if signers is not None else admins.values():
        env.signatures.extend(key.sign(BUNDLE_PAYLOAD_TYPE, payload).signatures)
    return env


def open_policy(country: str, others: Iterable[str]) -> str:
    """A policy that shares every field of every alert, and documents on every topic, with
    the rest of the region."""
    members = ", ".join(f'"{c}"' for c in sorted(others) if c != country)
    topics = "document_topics = [" + ", ".join(f'"{t}"' for t in sorted(seeded())) + "]\n"
    return (
        f'country = "{country}"\n[groups]\nregion = [{members}]\n'
        '[[share]]\nto = "region"\ncategories = ["*"]\nmax_handling = "H3"\nfields = ["*"]\n'
        + topics
        + '[[accept]]\nfrom = "region"\ncategories = ["*"]\nmax_batch = 1000\n'
        "max_rate = 1000000\n" + topics
    )
