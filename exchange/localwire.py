"""Speaking the peer protocol directly to a local node: raw channels with a chosen TLS identity
and hand-made entries, as a hostile member could send them (tests and the demo)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import grpc
import uuid6
from google.protobuf.message import Message

from exchange._proto.v1 import (
    alert_pb2,
    channel_pb2,
    exchange_pb2,
    exchange_pb2_grpc,
)
from exchange.alerts.model import timestamp
from exchange.envelope import ENTRY_PAYLOAD_TYPE, SigningKey
from exchange.items.registry import handler_for_item
from exchange.node.tls import server_name
from exchange.store import repo
from exchange.store.db import Database

if TYPE_CHECKING:
    from exchange.localregion import LocalNode


def peer_credentials(
    target: LocalNode, key_pem: bytes, cert_pem: bytes
) -> tuple[grpc.ChannelCredentials, list[tuple[str, str]]]:
    """Credentials and options for a raw client of `target` presenting the given TLS identity
    and pinning target's own certificate (for a blocking or a grpc.aio channel)."""
    creds = grpc.ssl_channel_credentials(
        root_certificates=(target.state_dir / "tls.crt").read_bytes(),
        private_key=key_pem,
        certificate_chain=cert_pem,
    )
    return creds, [("grpc.ssl_target_name_override", server_name(target.country))]


def peer_channel(target: LocalNode, key_pem: bytes, cert_pem: bytes) -> grpc.Channel:
    """A raw client channel to `target` presenting the given TLS identity: how tests and the
    demo speak the peer protocol directly."""
    creds, options = peer_credentials(target, key_pem, cert_pem)
    return grpc.secure_channel(target.address, creds, options=options)


def channel_from(sender: LocalNode, target: LocalNode) -> grpc.Channel:
    """A raw client channel to `target` with sender's own TLS key and certificate."""
    return peer_channel(
        target,
        (sender.state_dir / "tls.key").read_bytes(),
        (sender.state_dir / "tls.crt").read_bytes(),
    )


def make_alert(
    origin: str,
    summary: str = "Transfer between facilities",
    category: alert_pb2.Category.ValueType = alert_pb2.CATEGORY_TRANSFER_NOTICE,
) -> alert_pb2.Alert:
    a = alert_pb2.Alert(
        alert_id=str(uuid6.uuid7()),
        version=1,
        origin=origin,
        category=category,
        risk=alert_pb2.RISK_MEDIUM,
        handling=alert_pb2.HANDLING_H1,
        summary=summary,
    )
    a.issued_at.CopyFrom(timestamp(datetime.now(UTC)))
    return a


def next_entry(
    signer: SigningKey,
    origin: str,
    target: LocalNode,
    alert: alert_pb2.Alert | Message,
    signed_at: datetime | None = None,
) -> exchange_pb2.EntryBatch:
    """A well-formed entry at the next position of origin's channel to target (read from
    target's database), signed by `signer`, claiming `signed_at` (default now)."""
    db = Database(target.config().db_url)
    try:
        with db.read() as s:
            head = repo.channel_head(s, origin, target.country)
    finally:
        db.close()
    entry = channel_pb2.ChannelEntry(
        origin=origin, recipient=target.country, seq=head.seq + 1, prev_hash=head.hash
    )
    entry.signed_at.CopyFrom(timestamp(signed_at or datetime.now(UTC)))
    handler = handler_for_item(alert)  # an alert, or an item of any other kind
    if handler.schema > 1:
        entry.schema = handler.schema
    getattr(entry, handler.member).CopyFrom(alert)
    env = signer.sign(ENTRY_PAYLOAD_TYPE, entry.SerializeToString())
    return exchange_pb2.EntryBatch(entries=[env])


def forge_alert(sender: LocalNode, target: LocalNode, signer: SigningKey, summary: str) -> str:
    """Push one alert as `sender` (its own TLS identity) signed by `signer`, at the next
    position of sender's channel to target: what a thief of a signing key could do. Returns
    the refusal target gave; raises RegionError if target accepted it."""
    alert = make_alert(sender.country, summary, alert_pb2.CATEGORY_ESCAPE)
    batch = next_entry(signer, sender.country, target, alert)
    with channel_from(sender, target) as ch:
        try:
            list(exchange_pb2_grpc.ExchangeStub(ch).Push(iter([batch]), timeout=20))
        except grpc.RpcError as err:
            return str(err.details() or err.code().name)
    from exchange.localregion import RegionError  # it imports this module

    raise RegionError(f"{target.country} accepted a forged alert")
