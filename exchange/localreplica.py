"""A replica of a local node: another `exchange serve` process of the same country, on the
same PostgreSQL database and keys, with its own port and its own files (used by the tests and
bench/replicas.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import grpc
from sqlalchemy import func, select

from exchange._proto.v1 import alert_pb2, operator_pb2
from exchange.localregion import LocalNode, RegionError
from exchange.store.db import Database
from exchange.store.models import Entry


@dataclass
class LocalReplica(LocalNode):
    replica: str = "b"
    config_file: Path | None = None  # a config of its own (default: the node's)

    @property
    def config_path(self) -> Path:
        return self.config_file or super().config_path

    @property
    def run_dir(self) -> Path:
        return self.state_dir / "replicas" / self.replica

    @property
    def log_path(self) -> Path:
        return self.root / f"{self.country}-{self.replica}.log"

    def serve_args(self) -> list[str]:
        listen = f"127.0.0.1:{self.port}"
        return [*super().serve_args(), "--replica", self.replica, "--listen", listen]

    def kept_port(self) -> None:
        pass  # the port is given on the command line; the config is the node's own


def leases(node: LocalNode) -> list[str]:
    """The leases a running node process holds now (from its node.json)."""
    try:
        data = json.loads((node.run_dir / "node.json").read_text())
    except (OSError, ValueError):
        return []
    return list(data.get("leases", [])) if node.running else []


def holder(nodes: Sequence[LocalNode], lease: str) -> LocalNode | None:
    """The one running process that holds `lease`; None if none does; raises if several."""
    found = [n for n in nodes if lease in leases(n)]
    if len(found) > 1:
        raise RegionError(f"{len(found)} processes hold the lease {lease}")
    return found[0] if found else None


def publish_at(nodes: Sequence[LocalNode], start: int, summary: str) -> str:
    """Publish one alert at nodes[start], or at the next one that answers, with one
    idempotency key throughout: a retry after a process died never makes a second alert."""
    alert = alert_pb2.Alert(
        category=alert_pb2.CATEGORY_TRANSFER_NOTICE,
        risk=alert_pb2.RISK_MEDIUM,
        handling=alert_pb2.HANDLING_H1,
        summary=summary,
    )
    req = operator_pb2.PublishAlertRequest(alert=alert, idempotency_key=str(uuid.uuid4()))
    last: Exception | None = None
    for i in range(len(nodes) * 3):
        node = nodes[(start + i) % len(nodes)]
        if not node.running:
            continue
        try:
            return str(node.call("PublishAlert", req).alert.alert_id)
        except (grpc.RpcError, RegionError) as exc:  # died meanwhile: the next one
            last = exc
    raise RegionError(f"no process published the alert: {last}")


def channel_tally(receiver: LocalNode, origin: str) -> tuple[int, int, int, set[str]]:
    """What `receiver`'s database holds of origin's channel: entries, distinct (item, version),
    the highest seq, and the item ids."""
    db = Database(receiver.config().db_url)
    try:
        with db.read() as s:
            where = (Entry.origin == origin, Entry.recipient == receiver.country)
            total = s.execute(select(func.count()).select_from(Entry).where(*where)).scalar_one()
            pairs_q = select(Entry.item_id, Entry.version).where(*where).distinct().subquery()
            pairs = s.execute(select(func.count()).select_from(pairs_q)).scalar_one()
            top = s.execute(select(func.max(Entry.seq)).where(*where)).scalar_one()
            ids = set(s.execute(select(Entry.item_id).where(*where)).scalars())
    finally:
        db.close()
    return int(total), int(pairs), int(top or 0), ids


def replica_of(node: LocalNode, name: str) -> LocalReplica:
    """Replica `name` of an initialised node (same config, keys and database)."""
    base = {f.name: getattr(node, f.name) for f in fields(LocalNode)}
    return LocalReplica(**{**base, "port": 0, "proc": None, "address": ""}, replica=name)
