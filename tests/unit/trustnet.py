"""An in-process trust region for gossip tests: each country's NodeTrust on its own real
database (the victim on the test's backend), taking offers through the same TrustIntake the
Trust RPC runs (rate, caps, signatures before any transaction, bounded audit)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from exchange._proto.v1 import envelope_pb2, exchange_pb2, trust_pb2
from exchange.envelope import SigningKey
from exchange.node.trustintake import TrustIntake
from exchange.node.trustresult import Outcome
from exchange.node.truststore import NodeTrust
from exchange.store.db import Database
from exchange.store.models import AuditEvent, KeyCheckpoint, KeyLogFreeze, KeyLogRow, TrustItem
from exchange.trust import issue_node_certificates, issue_revocation
from tests.unit.test_trust_store import NOW, bundle

COUNTRIES = ("kz", "kg", "tj")


@dataclass
class Country:
    country: str
    admin: SigningKey
    key: SigningKey  # the node's signing key in use
    db: Database
    trust: NodeTrust = field(init=False)
    intake: TrustIntake = field(init=False)

    def certs(self, key: SigningKey, days: float = 365) -> list[envelope_pb2.Envelope]:
        keys = {
            trust_pb2.KEY_PURPOSE_SIGN: key.public_raw,
            trust_pb2.KEY_PURPOSE_TLS: hashlib.sha256(
                self.country.encode() + key.public_raw
            ).digest(),
        }
        return issue_node_certificates(
            self.admin, self.country, keys, NOW - timedelta(hours=1), NOW + timedelta(days=days)
        )

    def import_items(self, items: list[envelope_pb2.Envelope]) -> Outcome:
        with self.db.write() as s:
            out = self.trust.import_items(s, items, NOW)
        assert not out.refused, out.refused
        return out

    def offer(self) -> exchange_pb2.TrustSync:
        return self.trust.offer([], NOW)

    def take(self, sender: str, msg: exchange_pb2.TrustSync, inbound: bool = True) -> Outcome:
        async def call() -> Outcome:
            if inbound:  # as the Trust RPC: the caller's rate, then the bytes parsed
                msg_ = await self.intake.admit(sender, msg.SerializeToString())
                return await self.intake.take(sender, msg_)
            return await self.intake.take(sender, msg)  # an answer to our own call

        return asyncio.run(call())

    def revoke(self, key: SigningKey) -> envelope_pb2.Envelope:
        rev = trust_pb2.KeyRevocation(country=self.country, key_id=key.key_id, reason="rotated")
        rev.effective.FromDatetime(NOW - timedelta(minutes=1))
        return issue_revocation(self.admin, rev)


@dataclass
class Net:
    nodes: dict[str, Country]
    items: list[envelope_pb2.Envelope]  # bundle v1 and every node's certificates

    def __getitem__(self, c: str) -> Country:
        return self.nodes[c]

    def gossip(self, a: str, b: str) -> None:
        """One round: a calls b (b takes a's offer) and takes b's answer."""
        self[b].take(a, self[a].offer())
        self[a].take(b, self[b].offer(), inbound=False)


def counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {
            m.__tablename__: int(s.execute(select(func.count()).select_from(m)).scalar_one())
            for m in (TrustItem, KeyLogRow, KeyCheckpoint, KeyLogFreeze)
        }


def audited(db: Database, event: str) -> list[dict[str, object]]:
    with db.read() as s:
        q = select(AuditEvent.detail).where(AuditEvent.event == event)
        rows = s.scalars(q.order_by(AuditEvent.seq))
        return [json.loads(d) for d in rows]


@contextmanager
def trust_net(
    victim_db: Database, tmp: Path, clock: Callable[[], float] | None = None
) -> Iterator[Net]:
    """kz (the victim, on `victim_db`), kg and tj (SQLite under `tmp`), each holding bundle v1
    and every node's certificates, as after `exchange keys import`."""
    pools = (ThreadPoolExecutor(2), ThreadPoolExecutor(2))
    dbs: list[Database] = []
    admins = {c: SigningKey.generate() for c in COUNTRIES}
    nodes: dict[str, Country] = {}
    for c in COUNTRIES:
        db = victim_db if c == "kz" else Database(f"sqlite:///{tmp / (c + '.db')}")
        if c != "kz":
            db.migrate()
            dbs.append(db)
        node = Country(c, admins[c], SigningKey.generate(), db)
        node.trust = NodeTrust(c, signer=lambda node=node: node.key)  # type: ignore[misc]
        kw = {"clock": clock} if clock is not None else {}
        node.intake = TrustIntake(node.trust, db, pools[0], pools[1], **kw)
        nodes[c] = node
    items = [bundle(1, admins, list(admins.values()))]
    for n in nodes.values():
        items.extend(n.certs(n.key))
    for n in nodes.values():
        n.import_items(items)
    try:
        yield Net(nodes, items)
    finally:
        for p in pools:
            p.shutdown(wait=True)
        for db in dbs:
            db.close()
