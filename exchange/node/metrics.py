"""Prometheus metrics of one node, on their own address (`[metrics] listen`, off by default).

Counters and histograms are updated where the work happens (receipt, verification, commit,
document content); the state (outbox depth and age, links, alarms, record deadlines,
certificate expiry) is read when Prometheus scrapes, so it is never stale and costs nothing
between scrapes. Each node has its own registry: several nodes in one process (tests) never
mix their figures. Labels are country codes and fixed reason names, never outside text.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from exchange.records import deadlines
from exchange.store import records as records_store
from exchange.store import repo, retention
from exchange.store.db import aware
from exchange.store.models import Entry, RecordCaseRow

if TYPE_CHECKING:
    from exchange.node.runtime import Node

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)


class Metrics:
    def __init__(self) -> None:
        r = self.registry = CollectorRegistry(auto_describe=True)
        self.received = Counter(
            "exchange_entries_received", "Entries received and stored, by origin", ["peer"],
            registry=r,
        )  # fmt: skip
        self.replayed = Counter(
            "exchange_entries_replayed", "Entries received again (already stored)", ["peer"],
            registry=r,
        )  # fmt: skip
        self.refused = Counter(
            "exchange_entries_refused", "Batches or entries refused, by peer and reason",
            ["peer", "reason"], registry=r,
        )  # fmt: skip
        self.verify_seconds = Histogram(
            "exchange_verify_seconds", "Verifying one received batch", buckets=LATENCY_BUCKETS,
            registry=r,
        )  # fmt: skip
        self.commit_seconds = Histogram(
            "exchange_commit_seconds", "Committing one received batch", buckets=LATENCY_BUCKETS,
            registry=r,
        )  # fmt: skip
        self.document_bytes = Counter(
            "exchange_document_bytes", "Document content bytes, by peer and direction",
            ["peer", "direction"], registry=r,
        )  # fmt: skip
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def watch(self, node: Node) -> None:
        """Read the node's state on every scrape."""
        self.registry.register(_State(node))

    def serve(self, host: str, port: int) -> int:
        """Serve /metrics on host:port (0: any free port); the port served."""
        self._server, self._thread = start_http_server(port, host, registry=self.registry)
        return int(self._server.server_port)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class _State(Collector):
    def __init__(self, node: Node) -> None:
        self.node = node

    def collect(self) -> Iterator[GaugeMetricFamily]:
        node = self.node
        now = datetime.now(UTC)
        depth = GaugeMetricFamily(
            "exchange_outbox_depth", "Our entries the peer has not acknowledged", labels=["peer"]
        )
        acked = GaugeMetricFamily(
            "exchange_entries_sent", "Our entries the peer acknowledged (channel position)",
            labels=["peer"],
        )  # fmt: skip
        oldest = GaugeMetricFamily(
            "exchange_outbox_oldest_seconds", "Age of our oldest entry the peer has not acked",
            labels=["peer"],
        )  # fmt: skip
        up = GaugeMetricFamily(
            "exchange_link_up", "1 when the link to the peer is up", labels=["peer"]
        )
        contact = GaugeMetricFamily(
            "exchange_last_contact_seconds", "Seconds since the last contact with the peer",
            labels=["peer"],
        )  # fmt: skip
        with node.db.read() as s:
            chans = {c.recipient: c for c in repo.channels(s) if c.origin == node.country}
            for p in node.peers.all():
                c = chans.get(p.country)
                head, ack = (c.head_seq, c.acked_seq) if c else (0, 0)
                depth.add_metric([p.country], head - ack)
                acked.add_metric([p.country], ack)
                age = 0.0
                if head > ack:
                    first = s.execute(
                        select(Entry.stored_at).where(
                            Entry.origin == node.country,
                            Entry.recipient == p.country,
                            Entry.seq == ack + 1,
                        )
                    ).scalar_one_or_none()
                    if first is not None:
                        age = max(0.0, (now - aware(first)).total_seconds())
                oldest.add_metric([p.country], age)
                link = node.links.get(p.country)
                up.add_metric([p.country], 1.0 if link and link.connected else 0.0)
                if link and link.last_contact:
                    contact.add_metric([p.country], (now - link.last_contact).total_seconds())
            states = GaugeMetricFamily(
                "exchange_record_requests", "Record requests by direction and state",
                labels=["direction", "state"],
            )  # fmt: skip
            q = select(RecordCaseRow.direction, RecordCaseRow.state, func.count()).group_by(
                RecordCaseRow.direction, RecordCaseRow.state
            )
            for d, st, n in s.execute(q):
                states.add_metric([d, st], n)
            overdue = GaugeMetricFamily(
                "exchange_record_requests_overdue", "Open record requests past their deadline",
                labels=["direction"],
            )  # fmt: skip
            counted = records_store.counts(s, now, deadlines.WARN_BEFORE)
            for d, n in counted.overdue.items():
                overdue.add_metric([d], n)
            review = GaugeMetricFamily(
                "exchange_alerts_review_due", "Our live alerts whose review date is near or past"
            )
            review.add_metric(
                [], retention.due_soon(s, node.country, now, node.config.retention.warn_days)
            )
        yield from (depth, acked, oldest, up, contact, states, overdue, review)
        alarms = GaugeMetricFamily("exchange_trust_alarms", "Trust alarms raised now")
        alarms.add_metric([], len(node.trust_alarms()))
        yield alarms
        expiry = GaugeMetricFamily(
            "exchange_certificate_expiry_seconds",
            "Seconds until our own node key certificate expires, by purpose",
            labels=["purpose"],
        )
        names = {1: "sign", 2: "seal", 3: "tls"}
        soonest: dict[str, float] = {}
        for cert in node.trust.certificates():
            if cert.country != node.country:
                continue
            left = cert.valid_until.seconds - time.time()
            name = names.get(cert.purpose, "other")
            soonest[name] = max(soonest.get(name, left), left)
        for name, left in soonest.items():
            expiry.add_metric([name], left)
        yield expiry
