"""Raw peer clients for attack tests: speak the Exchange protocol with a node's own TLS keys."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc
import uuid6
from sqlalchemy import func, select

from exchange._proto.v1 import alert_pb2, channel_pb2, envelope_pb2, exchange_pb2, exchange_pb2_grpc
from exchange.alerts.model import timestamp
from exchange.envelope import ENTRY_PAYLOAD_TYPE, SigningKey
from exchange.localregion import LocalNode
from exchange.node.tls import server_name
from exchange.store.db import Database
from exchange.store.models import AlertVersion, AuditEvent, Entry


def channel_as(key_pem: bytes, cert_pem: bytes, target: LocalNode) -> grpc.Channel:
    """A client channel to target presenting the given TLS identity, pinning target's cert."""
    creds = grpc.ssl_channel_credentials(
        root_certificates=(target.state_dir / "tls.crt").read_bytes(),
        private_key=key_pem,
        certificate_chain=cert_pem,
    )
    return grpc.secure_channel(
        target.address,
        creds,
        options=[("grpc.ssl_target_name_override", server_name(target.country))],
    )


def channel_from(node: LocalNode, target: LocalNode) -> grpc.Channel:
    return channel_as(
        (node.state_dir / "tls.key").read_bytes(), (node.state_dir / "tls.crt").read_bytes(), target
    )


def signer_of(node: LocalNode) -> SigningKey:
    return SigningKey.from_pem((node.state_dir / "sign.key").read_bytes())


def make_alert(origin: str, summary: str = "Transfer between facilities") -> alert_pb2.Alert:
    a = alert_pb2.Alert(
        alert_id=str(uuid6.uuid7()),
        version=1,
        origin=origin,
        category=alert_pb2.CATEGORY_TRANSFER_NOTICE,
        risk=alert_pb2.RISK_MEDIUM,
        handling=alert_pb2.HANDLING_H1,
        summary=summary,
    )
    a.issued_at.CopyFrom(timestamp(datetime.now(UTC)))
    return a


def signed_entry(
    signer: SigningKey,
    origin: str,
    recipient: str,
    seq: int,
    alert: alert_pb2.Alert,
    prev_hash: bytes = bytes(32),
) -> envelope_pb2.Envelope:
    entry = channel_pb2.ChannelEntry(
        origin=origin, recipient=recipient, seq=seq, prev_hash=prev_hash
    )
    entry.signed_at.CopyFrom(timestamp(datetime.now(UTC)))
    entry.alert.CopyFrom(alert)
    return signer.sign(ENTRY_PAYLOAD_TYPE, entry.SerializeToString())


def push(channel: grpc.Channel, *batches: exchange_pb2.EntryBatch) -> list[exchange_pb2.Ack]:
    stub = exchange_pb2_grpc.ExchangeStub(channel)
    return list(stub.Push(iter(batches), timeout=20))


def counts(node: LocalNode) -> dict[str, int]:
    """Rows a node holds: entries received, alert versions, audit events."""
    db = Database(node.config().db_url)
    try:
        with db.read() as s:
            return {
                "entries": s.execute(select(func.count()).select_from(Entry)).scalar_one(),
                "versions": s.execute(select(func.count()).select_from(AlertVersion)).scalar_one(),
                "refusals": s.execute(
                    select(func.count())
                    .select_from(AuditEvent)
                    .where(AuditEvent.event.in_(["channel.refused", "rpc.refused"]))
                ).scalar_one(),
            }
    finally:
        db.close()
