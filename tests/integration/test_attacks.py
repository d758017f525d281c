"""Attacks and bad input over the wire against a real node: each is refused with the right
gRPC status, audited, and stores nothing; the node keeps serving."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import grpc
import pytest

from exchange._proto.v1 import envelope_pb2, exchange_pb2, exchange_pb2_grpc
from exchange.envelope import ENTRY_PAYLOAD_TYPE, SigningKey
from exchange.localregion import LocalRegion
from exchange.node.tls import make_tls_identity
from tests.conftest import PgSchemas, require_pg
from tests.integration.wire import (
    channel_as,
    channel_from,
    counts,
    make_alert,
    push,
    refused_push,
    signed_entry,
    signer_of,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def region(request: pytest.FixtureRequest) -> Iterator[LocalRegion]:
    schemas = None
    if request.param == "postgresql":
        require_pg()
        schemas = PgSchemas()
    root = Path(tempfile.mkdtemp(prefix="ex-"))
    url = (lambda c: schemas.url(c)) if schemas else None
    r = LocalRegion(
        root, ("kz", "kg"), url, limits={"max_batch_entries": 50, "max_entry_bytes": 4096}
    )
    try:
        r.start()
        yield r
    finally:
        for n in r.nodes.values():
            n.kill()
        if schemas:
            schemas.drop_all()
        shutil.rmtree(root, ignore_errors=True)


def refused(region: LocalRegion, batch: exchange_pb2.EntryBatch) -> grpc.RpcError:
    """kg pushes `batch` to kz: refused, audited, nothing stored; returns the reason."""
    return refused_push(region["kg"], region["kz"], batch)


def test_impersonation_refused(region: LocalRegion) -> None:
    """kg's valid certificate, claiming to speak for tj: PERMISSION_DENIED."""
    env = signed_entry(signer_of(region["kg"]), "tj", "kz", 1, make_alert("tj"))
    err = refused(region, exchange_pb2.EntryBatch(entries=[env]))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED


def test_pull_of_another_countrys_channel_refused(region: LocalRegion) -> None:
    kz, kg = region["kz"], region["kg"]
    with channel_from(kg, kz) as ch, pytest.raises(grpc.RpcError) as info:
        list(
            exchange_pb2_grpc.ExchangeStub(ch).Pull(
                exchange_pb2.PullRequest(origin="kz", recipient="tj"), timeout=10
            )
        )
    assert info.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_entry_signed_by_unknown_key_refused(region: LocalRegion) -> None:
    forger = SigningKey.generate()
    env = signed_entry(forger, "kg", "kz", 1, make_alert("kg"))
    err = refused(region, exchange_pb2.EntryBatch(entries=[env]))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "unknown key" in (err.details() or "")


def test_tampered_payload_refused(region: LocalRegion) -> None:
    env = signed_entry(signer_of(region["kg"]), "kg", "kz", 1, make_alert("kg"))
    env.payload = env.payload.replace(b"Transfer", b"Tranzfer")
    err = refused(region, exchange_pb2.EntryBatch(entries=[env]))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "does not verify" in (err.details() or "")


def test_unsigned_entry_refused(region: LocalRegion) -> None:
    env = signed_entry(signer_of(region["kg"]), "kg", "kz", 1, make_alert("kg"))
    del env.signatures[:]
    err = refused(region, exchange_pb2.EntryBatch(entries=[env]))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_malformed_payload_refused(region: LocalRegion) -> None:
    env = signer_of(region["kg"]).sign(ENTRY_PAYLOAD_TYPE, b"\xff\xfe not a protobuf")
    err = refused(region, exchange_pb2.EntryBatch(entries=[env]))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_invalid_alert_fields_refused(region: LocalRegion) -> None:
    alert = make_alert("kg")
    alert.alert_id = "not-a-uuid"
    env = signed_entry(signer_of(region["kg"]), "kg", "kz", 1, alert)
    err = refused(region, exchange_pb2.EntryBatch(entries=[env]))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "alert_id" in (err.details() or "")


def test_oversized_batch_refused(region: LocalRegion) -> None:
    signer = signer_of(region["kg"])
    envs = [signed_entry(signer, "kg", "kz", i + 1, make_alert("kg")) for i in range(51)]
    err = refused(region, exchange_pb2.EntryBatch(entries=envs))
    assert err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


def test_oversized_entry_refused(region: LocalRegion) -> None:
    """An entry over max_entry_bytes (4096 here) is refused before verification."""
    env = signed_entry(signer_of(region["kg"]), "kg", "kz", 1, make_alert("kg"))
    big = envelope_pb2.Envelope()
    big.CopyFrom(env)
    big.payload_type = ENTRY_PAYLOAD_TYPE + " " * 5000
    err = refused(region, exchange_pb2.EntryBatch(entries=[big]))
    assert err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


def test_gap_refused_with_head(region: LocalRegion) -> None:
    env = signed_entry(signer_of(region["kg"]), "kg", "kz", 7, make_alert("kg"))
    err = refused(region, exchange_pb2.EntryBatch(entries=[env]))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "gap" in (err.details() or "")
    assert ("x-exchange-head-seq", "0") in (err.trailing_metadata() or ())


def test_client_without_pinned_certificate_refused(region: LocalRegion) -> None:
    kz = region["kz"]
    key_pem, cert_pem = make_tls_identity("kg", SigningKey.generate().public_raw, datetime.now(UTC))
    before = counts(kz)
    with channel_as(key_pem, cert_pem, kz) as ch, pytest.raises(grpc.RpcError) as info:
        env = signed_entry(signer_of(region["kg"]), "kg", "kz", 1, make_alert("kg"))
        push(ch, exchange_pb2.EntryBatch(entries=[env]))
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE
    after = counts(kz)
    assert (after["entries"], after["versions"]) == (before["entries"], before["versions"])
    assert kz.status().serving == "SERVING"


def test_valid_entry_after_refusals_is_accepted(region: LocalRegion) -> None:
    """The refusals above changed nothing: the genuine next entry (seq 1) still applies."""
    kz, kg = region["kz"], region["kg"]
    before = counts(kz)
    env = signed_entry(signer_of(kg), "kg", "kz", 1, make_alert("kg"))
    with channel_from(kg, kz) as ch:
        [ack] = push(ch, exchange_pb2.EntryBatch(entries=[env]))
    assert (ack.head_seq, ack.applied) == (1, 1)
    after = counts(kz)
    assert after["entries"] == before["entries"] + 1
    # a replay of the same entry is acknowledged and changes nothing
    with channel_from(kg, kz) as ch:
        [ack] = push(ch, exchange_pb2.EntryBatch(entries=[env]))
    assert (ack.head_seq, ack.applied, ack.replayed) == (1, 0, 1)
    assert counts(kz)["entries"] == after["entries"]


def test_audit_log_records_refusals_and_verifies(region: LocalRegion) -> None:
    """Every refusal above is in kz's audit log, and the chain is intact."""
    import json

    kz = region["kz"]
    refusals = json.loads(
        kz.cli("audit", "list", "--event", "channel.refused", "--last", "100", "--json")
    )
    reasons = " ".join(r["detail"]["reason"] for r in refusals)
    for needle in ("unknown key", "does not verify", "gap", "exceeds"):
        assert needle in reasons
    assert all(r["peer"] == "kg" for r in refusals)
    verdict = json.loads(kz.cli("audit", "verify", "--json"))
    assert verdict["intact"] is True and verdict["events"] >= len(refusals)
