"""Attacks and bad input over the wire against a real node: each is refused with the right
gRPC status, audited, and stores nothing; the node keeps serving.

The nodes run in-process (tests/inproc.py): real grpc.aio servers with mutual TLS in the
test's event loop; the wire is what it is for a process."""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)
from sqlalchemy import func, select

from exchange._proto.v1 import envelope_pb2, exchange_pb2, exchange_pb2_grpc, trust_pb2
from exchange.envelope import ENTRY_PAYLOAD_TYPE, SigningKey
from exchange.node.tls import make_tls_identity
from exchange.store.db import Database
from exchange.store.models import TrustItem
from exchange.trust import (
    BUNDLE_PAYLOAD_TYPE,
    CERTIFICATE_PAYLOAD_TYPE,
    REVOCATION_PAYLOAD_TYPE,
    issue,
    issue_revocation,
)
from tests.conftest import PgSchemas, require_pg
from tests.inproc import (
    InprocNode,
    InprocRegion,
    aio_channel_from,
    aio_peer_channel,
    audit_of,
    counts,
    pull,
    push,
    raw_call,
    refused_push,
)
from tests.integration.wire import channel_from, make_alert, signed_entry, signer_of

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=["sqlite", "postgresql"])
async def region(request: pytest.FixtureRequest) -> AsyncIterator[InprocRegion]:
    schemas = None
    if request.param == "postgresql":
        require_pg()
        schemas = PgSchemas()
    root = Path(tempfile.mkdtemp(prefix="ex-"))
    url = (lambda c: schemas.url(c)) if schemas else None
    r = InprocRegion(
        root, ("kz", "kg"), url, limits={"max_batch_entries": 50, "max_entry_bytes": 4096}
    )
    try:
        await r.start()
        yield r
    finally:
        await r.stop()
        if schemas:
            schemas.drop_all()
        shutil.rmtree(root, ignore_errors=True)


async def refused(region: InprocRegion, batch: exchange_pb2.EntryBatch) -> grpc.RpcError:
    """kg pushes `batch` to kz: refused, audited, nothing stored; returns the reason."""
    return await refused_push(region["kg"], region["kz"], batch)


async def test_impersonation_refused(region: InprocRegion) -> None:
    """kg's valid certificate, claiming to speak for tj: PERMISSION_DENIED."""
    env = signed_entry(signer_of(region["kg"]), "tj", "kz", 1, make_alert("tj"))
    err = await refused(region, exchange_pb2.EntryBatch(entries=[env]))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_pull_of_another_countrys_channel_refused(region: InprocRegion) -> None:
    kz, kg = region["kz"], region["kg"]
    async with aio_channel_from(kg, kz) as ch:
        with pytest.raises(grpc.RpcError) as info:
            await pull(ch, exchange_pb2.PullRequest(origin="kz", recipient="tj"))
    assert info.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_entry_signed_by_unknown_key_refused(region: InprocRegion) -> None:
    forger = SigningKey.generate()
    env = signed_entry(forger, "kg", "kz", 1, make_alert("kg"))
    err = await refused(region, exchange_pb2.EntryBatch(entries=[env]))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "unknown key" in (err.details() or "")


async def test_tampered_payload_refused(region: InprocRegion) -> None:
    env = signed_entry(signer_of(region["kg"]), "kg", "kz", 1, make_alert("kg"))
    env.payload = env.payload.replace(b"Transfer", b"Tranzfer")
    err = await refused(region, exchange_pb2.EntryBatch(entries=[env]))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "does not verify" in (err.details() or "")


SMUGGLED = b"\xfa\x06\x05Ivan."  # field 111 (length-delimited): a name no schema defines


@pytest.mark.parametrize("where", ["envelope", "signature"])
async def test_unknown_fields_in_the_envelope_or_signature_of_an_entry_refused(
    region: InprocRegion, where: str
) -> None:
    """kg's genuinely signed entry with a field smuggled into the unsigned wrapper (the
    envelope, or its signature): the signature still verifies, but the entry is refused as
    INVALID_ARGUMENT like unknown fields in the item, audited, and nothing is stored."""
    env = signed_entry(signer_of(region["kg"]), "kg", "kz", 1, make_alert("kg"))
    if where == "envelope":
        bad = envelope_pb2.Envelope.FromString(env.SerializeToString() + SMUGGLED)
    else:
        sig = envelope_pb2.Signature.FromString(env.signatures[0].SerializeToString() + SMUGGLED)
        bad = envelope_pb2.Envelope(
            payload_type=env.payload_type, payload=env.payload, signatures=[sig]
        )
    assert bad.ByteSize() > env.ByteSize()
    err = await refused(region, exchange_pb2.EntryBatch(entries=[bad]))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "does not define" in (err.details() or "")
    [last] = audit_of(region["kz"], "channel.refused")[-1:]
    detail = json.loads(last.detail)
    assert (last.peer, detail["kind"]) == ("kg", "MalformedInput")
    assert "Ivan" not in last.detail


async def test_unsigned_entry_refused(region: InprocRegion) -> None:
    env = signed_entry(signer_of(region["kg"]), "kg", "kz", 1, make_alert("kg"))
    del env.signatures[:]
    err = await refused(region, exchange_pb2.EntryBatch(entries=[env]))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_malformed_payload_refused(region: InprocRegion) -> None:
    env = signer_of(region["kg"]).sign(ENTRY_PAYLOAD_TYPE, b"\xff\xfe not a protobuf")
    err = await refused(region, exchange_pb2.EntryBatch(entries=[env]))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_invalid_alert_fields_refused(region: InprocRegion) -> None:
    alert = make_alert("kg")
    alert.alert_id = "not-a-uuid"
    env = signed_entry(signer_of(region["kg"]), "kg", "kz", 1, alert)
    err = await refused(region, exchange_pb2.EntryBatch(entries=[env]))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "alert_id" in (err.details() or "")


async def test_oversized_batch_refused(region: InprocRegion) -> None:
    signer = signer_of(region["kg"])
    envs = [signed_entry(signer, "kg", "kz", i + 1, make_alert("kg")) for i in range(51)]
    err = await refused(region, exchange_pb2.EntryBatch(entries=envs))
    assert err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


async def test_oversized_entry_refused(region: InprocRegion) -> None:
    """An entry over max_entry_bytes (4096 here) is refused before verification."""
    env = signed_entry(signer_of(region["kg"]), "kg", "kz", 1, make_alert("kg"))
    big = envelope_pb2.Envelope()
    big.CopyFrom(env)
    big.payload_type = ENTRY_PAYLOAD_TYPE + " " * 5000
    err = await refused(region, exchange_pb2.EntryBatch(entries=[big]))
    assert err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


async def test_gap_refused_with_head(region: InprocRegion) -> None:
    env = signed_entry(signer_of(region["kg"]), "kg", "kz", 7, make_alert("kg"))
    err = await refused(region, exchange_pb2.EntryBatch(entries=[env]))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "gap" in (err.details() or "")
    assert ("x-exchange-head-seq", "0") in list(err.trailing_metadata() or ())


async def test_client_without_pinned_certificate_refused(region: InprocRegion) -> None:
    kz = region["kz"]
    key_pem, cert_pem = make_tls_identity("kg", SigningKey.generate().public_raw, datetime.now(UTC))
    before = counts(kz)
    async with aio_peer_channel(kz, key_pem, cert_pem) as ch:
        with pytest.raises(grpc.RpcError) as info:
            env = signed_entry(signer_of(region["kg"]), "kg", "kz", 1, make_alert("kg"))
            await push(ch, exchange_pb2.EntryBatch(entries=[env]))
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE
    after = counts(kz)
    assert (after["entries"], after["versions"]) == (before["entries"], before["versions"])
    assert (await kz.status()).serving == "SERVING"


GARBAGE = b"\x0a\xff\xff\xff\xff"  # field 1, then a length that never ends: no message parses
LEAKS = ("Traceback", "Exception", "Error parsing", "DecodeError", "Unexpected", "<class")


def _refusal_event(method: str) -> str:
    return "trust.refused" if method.endswith("Trust") else "rpc.refused"


async def assert_garbage_refused(
    node: InprocNode, err: grpc.RpcError, method: str, log_from: int, peer: str, audits: int
) -> None:
    """INVALID_ARGUMENT without Python internals, one audit row naming method and kind (not
    the bytes), no traceback in the log, the node still serving."""
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT, err
    details = err.details() or ""
    assert "not a valid" in details
    assert not [w for w in LEAKS if w in details], details
    events = audit_of(node, _refusal_event(method))
    assert len(events) == audits + 1, "the refusal was not audited"
    detail = json.loads(events[-1].detail)
    assert (events[-1].peer, detail["kind"]) == (peer, "MalformedInput")
    # Trust refusals are audited by the trust intake (at most once a minute per peer and
    # reason, so a flood of garbage cannot flood the log); every other method by the guard.
    assert detail.get("method", method) == method and detail.get("item", "sync") == "sync"
    assert "ffff" not in events[-1].detail and "\\x" not in events[-1].detail
    log = node.log_path.read_bytes()[log_from:].decode(errors="replace")
    assert "Traceback" not in log and "Unexpected" not in log
    assert node.running and (await node.status()).serving == "SERVING"


@pytest.mark.parametrize(
    ("method", "shape"), [("Push", "bidi"), ("Pull", "server_stream"), ("Trust", "unary")]
)
async def test_garbage_bytes_on_the_wire_refused(
    region: InprocRegion, method: str, shape: str
) -> None:
    """A pinned peer sends bytes that are no protobuf message: refused as INVALID_ARGUMENT (not
    grpc's UNKNOWN with the parser's text), audited, nothing stored, health still SERVING."""
    kz, kg = region["kz"], region["kg"]
    event = _refusal_event(method)
    before, audits = counts(kz), len(audit_of(kz, event))
    log_from = kz.log_path.stat().st_size
    async with aio_channel_from(kg, kz) as ch:
        with pytest.raises(grpc.RpcError) as info:
            await raw_call(ch, f"/exchange.v1.Exchange/{method}", shape, GARBAGE)
        health = await health_pb2_grpc.HealthStub(ch).Check(
            health_pb2.HealthCheckRequest(), timeout=5
        )
    assert health.status == health_pb2.HealthCheckResponse.SERVING
    await assert_garbage_refused(
        kz, info.value, f"exchange.v1.Exchange.{method}", log_from, "kg", audits
    )
    after = counts(kz)
    assert (after["entries"], after["versions"]) == (before["entries"], before["versions"])


async def test_garbage_bytes_on_the_operator_socket_refused(region: InprocRegion) -> None:
    kz = region["kz"]
    before, audits = counts(kz), len(audit_of(kz, "rpc.refused"))
    log_from = kz.log_path.stat().st_size
    with pytest.raises(grpc.RpcError) as info:
        await raw_call(kz.op_channel(), "/exchange.v1.Operator/PublishAlert", "unary", GARBAGE)
    await assert_garbage_refused(
        kz, info.value, "exchange.v1.Operator.PublishAlert", log_from, "", audits
    )
    assert counts(kz)["versions"] == before["versions"]
    assert await kz.alerts("kz") == []


async def test_reflection_and_health_still_served(region: InprocRegion) -> None:
    """The guarded services are still listed by reflection (grpcurl works)."""
    kz, kg = region["kz"], region["kg"]

    def services_listed() -> object:  # the reflection client is synchronous: off the loop
        with channel_from(kg, kz) as ch:
            return ProtoReflectionDescriptorDatabase(ch).get_services()

    services = await asyncio.to_thread(services_listed)
    assert "exchange.v1.Exchange" in services and "grpc.health.v1.Health" in services


def _trust_rows(node: InprocNode) -> int:
    db = Database(node.config().db_url)
    try:
        with db.read() as s:
            return int(s.execute(select(func.count()).select_from(TrustItem)).scalar_one())
    finally:
        db.close()


def _smuggle(env: envelope_pb2.Envelope, where: str) -> envelope_pb2.Envelope:
    """`env` with SMUGGLED added to its envelope or its first signature (neither is signed)."""
    if where == "envelope":
        return envelope_pb2.Envelope.FromString(env.SerializeToString() + SMUGGLED)
    out = envelope_pb2.Envelope()
    out.CopyFrom(env)
    out.signatures[0].MergeFromString(SMUGGLED)
    return out


def _smuggled_trust_items(region: InprocRegion) -> dict[str, exchange_pb2.TrustSync]:
    """kg's offers, each signed by real admin keys (kg's own, or the region's for a bundle),
    each with one field no schema defines, in the signed payload or the unsigned wrapper."""
    assert region.trust is not None
    admins, chain = region.trust.admins, region.trust.chain
    kg_admin = admins["kg"]
    now = datetime.now(UTC)
    cert = trust_pb2.NodeKeyCertificate(
        country="kg", purpose=trust_pb2.KEY_PURPOSE_SEAL, public_key=bytes(range(1, 33))
    )
    cert.valid_from.FromDatetime(now - timedelta(hours=1))
    cert.valid_until.FromDatetime(now + timedelta(days=30))
    good_cert = issue(kg_admin, cert)
    rev = trust_pb2.KeyRevocation(country="kg", key_id="ab" * 32, reason="lost laptop")
    rev.effective.FromDatetime(now)
    good_rev = issue_revocation(kg_admin, rev)
    v2 = trust_pb2.TrustBundle.FromString(chain[-1].payload)
    v2.version += 1
    v2_payload = v2.SerializeToString(deterministic=True)
    good_v2 = envelope_pb2.Envelope(payload_type=BUNDLE_PAYLOAD_TYPE, payload=v2_payload)
    bad_v2 = envelope_pb2.Envelope(payload_type=BUNDLE_PAYLOAD_TYPE, payload=v2_payload + SMUGGLED)
    for key in admins.values():
        good_v2.signatures.extend(key.sign(BUNDLE_PAYLOAD_TYPE, v2_payload).signatures)
        bad_v2.signatures.extend(key.sign(BUNDLE_PAYLOAD_TYPE, bad_v2.payload).signatures)
    return {
        "certificate payload": exchange_pb2.TrustSync(
            certificates=[kg_admin.sign(CERTIFICATE_PAYLOAD_TYPE, good_cert.payload + SMUGGLED)]
        ),
        "certificate envelope": exchange_pb2.TrustSync(
            certificates=[_smuggle(good_cert, "envelope")]
        ),
        "certificate signature": exchange_pb2.TrustSync(
            certificates=[_smuggle(good_cert, "signature")]
        ),
        "relayed certificate envelope": exchange_pb2.TrustSync(
            certificates=[_smuggle(region.trust.certificates["kz"][0], "envelope")]
        ),
        "revocation payload": exchange_pb2.TrustSync(
            revocations=[kg_admin.sign(REVOCATION_PAYLOAD_TYPE, good_rev.payload + SMUGGLED)]
        ),
        "revocation signature": exchange_pb2.TrustSync(
            revocations=[_smuggle(good_rev, "signature")]
        ),
        "bundle payload": exchange_pb2.TrustSync(bundles=[*chain, bad_v2]),
        "bundle envelope": exchange_pb2.TrustSync(bundles=[*chain, _smuggle(good_v2, "envelope")]),
        "bundle signature": exchange_pb2.TrustSync(
            bundles=[*chain, _smuggle(good_v2, "signature")]
        ),
    }


async def test_unknown_fields_in_a_members_trust_items_refused(region: InprocRegion) -> None:
    """kg offers kz trust items over the Trust service, genuinely signed, each carrying a field
    no schema defines (in the signed payload, or in the unsigned envelope or signature, also on
    a genuine certificate it relays): each item is refused like any bad trust item (audited as
    trust.refused, the call goes on), nothing is stored, and the bundle stays at v1."""
    kz, kg = region["kz"], region["kg"]
    for name, offer in _smuggled_trust_items(region).items():
        rows = _trust_rows(kz)
        refusals = len(audit_of(kz, "trust.refused"))
        async with aio_channel_from(kg, kz) as ch:
            await exchange_pb2_grpc.ExchangeStub(ch).Trust(offer, timeout=20)
        assert _trust_rows(kz) == rows, f"{name}: something was stored"
        events = audit_of(kz, "trust.refused")[refusals:]
        reasons = [json.loads(e.detail)["reason"] for e in events if e.peer == "kg"]
        assert any("does not define" in r for r in reasons), f"{name}: {reasons}"
        assert not [e for e in events if "Ivan" in e.detail], name
        assert (await kz.keys_status()).bundle_version == 1, name
    assert kz.running and (await kz.status()).serving == "SERVING"


async def test_valid_entry_after_refusals_is_accepted(region: InprocRegion) -> None:
    """The refusals above changed nothing: the genuine next entry (seq 1) still applies."""
    kz, kg = region["kz"], region["kg"]
    before = counts(kz)
    env = signed_entry(signer_of(kg), "kg", "kz", 1, make_alert("kg"))
    async with aio_channel_from(kg, kz) as ch:
        [ack] = await push(ch, exchange_pb2.EntryBatch(entries=[env]))
    assert (ack.head_seq, ack.applied) == (1, 1)
    after = counts(kz)
    assert after["entries"] == before["entries"] + 1
    # a replay of the same entry is acknowledged and changes nothing
    async with aio_channel_from(kg, kz) as ch:
        [ack] = await push(ch, exchange_pb2.EntryBatch(entries=[env]))
    assert (ack.head_seq, ack.applied, ack.replayed) == (1, 0, 1)
    assert counts(kz)["entries"] == after["entries"]


async def test_audit_log_records_refusals_and_verifies(region: InprocRegion) -> None:
    """Every refusal above is in kz's audit log, and the chain is intact."""
    import json

    kz = region["kz"]
    refusals = json.loads(
        await kz.cli("audit", "list", "--event", "channel.refused", "--last", "100", "--json")
    )
    reasons = " ".join(r["detail"]["reason"] for r in refusals)
    for needle in ("unknown key", "does not verify", "gap", "exceeds"):
        assert needle in reasons
    assert all(r["peer"] == "kg" for r in refusals)
    verdict = json.loads(await kz.cli("audit", "verify", "--json"))
    assert verdict["intact"] is True and verdict["events"] >= len(refusals)
