"""Raw peer clients for attack tests: speak the Exchange protocol with a node's own TLS keys."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc
import pytest
from sqlalchemy import func, select

from exchange._proto.v1 import alert_pb2, channel_pb2, envelope_pb2, exchange_pb2, exchange_pb2_grpc
from exchange.alerts.model import timestamp
from exchange.audit import Event
from exchange.envelope import ENTRY_PAYLOAD_TYPE, SigningKey
from exchange.localregion import LocalNode, peer_channel
from exchange.localregion import channel_from as channel_from  # re-exported for the tests
from exchange.localregion import make_alert as make_alert
from exchange.store import repo
from exchange.store.db import Database
from exchange.store.models import AlertVersion, AuditEvent, Entry


def channel_as(key_pem: bytes, cert_pem: bytes, target: LocalNode) -> grpc.Channel:
    """A client channel to target presenting the given TLS identity, pinning target's cert."""
    return peer_channel(target, key_pem, cert_pem)


def signer_of(node: LocalNode) -> SigningKey:
    return SigningKey.from_pem((node.state_dir / "sign.key").read_bytes())


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


def refused_push(
    sender: LocalNode, target: LocalNode, batch: exchange_pb2.EntryBatch
) -> grpc.RpcError:
    """Push `batch` as sender; it must be refused, audited once, and store nothing."""
    before = counts(target)
    with channel_from(sender, target) as ch, pytest.raises(grpc.RpcError) as info:
        push(ch, batch)
    after = counts(target)
    assert after["entries"] == before["entries"], "a refused entry was stored"
    assert after["versions"] == before["versions"], "a refused alert version was stored"
    assert after["refusals"] == before["refusals"] + 1, "the refusal was not audited"
    assert target.running and target.status().serving == "SERVING"
    return info.value


def audit_of(node: LocalNode, event: str) -> list[Event]:
    """The node's audit events of one kind, oldest first."""
    db = Database(node.config().db_url)
    try:
        with db.read() as s:
            return repo.audit_events(s, event)
    finally:
        db.close()


def raw_call(channel: grpc.Channel, path: str, shape: str, body: bytes) -> object:
    """Call `path` with `body` as the request's bytes, unparsed: what a buggy or hostile peer
    can put on the wire. shape: unary, server_stream or bidi."""

    def same(b: bytes) -> bytes:
        return b

    if shape == "bidi":
        bidi = channel.stream_stream(path, request_serializer=same, response_deserializer=same)
        return list(bidi(iter([body]), timeout=10))
    if shape == "server_stream":
        stream = channel.unary_stream(path, request_serializer=same, response_deserializer=same)
        return list(stream(body, timeout=10))
    unary = channel.unary_unary(path, request_serializer=same, response_deserializer=same)
    return unary(body, timeout=10)
