"""A certified member flooding the Trust RPC: an offer over the caps is refused whole with one
audit event; junk under the caps is verified outside any transaction and refused with one
aggregated event; what is remembered of junk is bounded; calls and signature checks are
rate-limited per peer (RESOURCE_EXHAUSTED, audited at most once a minute). In-process, through
the Trust RPC's own intake, the victim on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest

from exchange._proto.v1 import envelope_pb2, exchange_pb2, trust_pb2
from exchange.errors import MalformedInput, TooLarge
from exchange.node.status import code_of
from exchange.node.trustintake import CALL_BURST, CAPS, CHECK_BURST
from exchange.node.trustresult import MAX_REMEMBERED
from exchange.store import repo
from exchange.store.db import Database
from exchange.trust import CERTIFICATE_PAYLOAD_TYPE, REVOCATION_PAYLOAD_TYPE
from tests.unit.test_trust_store import NOW
from tests.unit.trustnet import Net, audited, counts, trust_net


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def net(database: Database, tmp_path: Path, clock: Clock) -> Net:
    with trust_net(database, tmp_path, clock) as n:
        yield n  # type: ignore[misc]


def junk_certificates(n: int, key_id: str) -> list[envelope_pb2.Envelope]:
    """Well-formed certificates for kg with a garbage signature under kg's admin key id."""
    out = []
    for _ in range(n):
        cert = trust_pb2.NodeKeyCertificate(
            country="kg", purpose=trust_pb2.KEY_PURPOSE_SIGN, public_key=os.urandom(32)
        )
        cert.valid_from.FromDatetime(NOW)
        cert.valid_until.FromDatetime(NOW + timedelta(days=30))
        env = envelope_pb2.Envelope(
            payload_type=CERTIFICATE_PAYLOAD_TYPE,
            payload=cert.SerializeToString(deterministic=True),
        )
        env.signatures.add(key_id=key_id, sig=os.urandom(64))
        out.append(env)
    return out


def junk_revocations(n: int, key_id: str) -> list[envelope_pb2.Envelope]:
    out = []
    for _ in range(n):
        rev = trust_pb2.KeyRevocation(country="kg", key_id=os.urandom(32).hex())
        rev.effective.FromDatetime(NOW)
        env = envelope_pb2.Envelope(
            payload_type=REVOCATION_PAYLOAD_TYPE, payload=rev.SerializeToString(deterministic=True)
        )
        env.signatures.add(key_id=key_id, sig=os.urandom(64))
        out.append(env)
    return out


def refused_call(net: Net, msg: exchange_pb2.TrustSync, sender: str = "kg") -> TooLarge:
    with pytest.raises(TooLarge) as info:
        net["kz"].take(sender, msg)
    assert code_of(info.value) == grpc.StatusCode.RESOURCE_EXHAUSTED
    return info.value


def test_flood_of_5000_junk_certificates_refused_whole(net: Net, clock: Clock) -> None:
    """One call, 5,000 junk-signed certificates: refused whole before any signature check,
    ONE audit event with the counts, nothing stored, nothing remembered. The same flood again
    and again within a minute adds no audit row; the next minute's first adds one with the
    count of calls refused meanwhile."""
    kz = net["kz"]
    before = counts(kz.db)
    flood = exchange_pb2.TrustSync(certificates=junk_certificates(5000, kz.admin.key_id))
    err = refused_call(net, flood)
    assert "5000 certificates (cap 4096)" in err.message
    events = audited(kz.db, "trust.refused")
    assert len(events) == 1
    assert events[0]["counts"] == {**dict.fromkeys(CAPS, 0), "certificates": 5000}
    assert events[0]["status"] == "RESOURCE_EXHAUSTED"
    assert counts(kz.db) == before
    assert len(kz.trust.refusals) == 0
    for _ in range(3):
        refused_call(net, flood)
    assert len(audited(kz.db, "trust.refused")) == 1
    clock.t += 61
    refused_call(net, flood)
    events = audited(kz.db, "trust.refused")
    assert len(events) == 2 and events[1]["unaudited_since_last"] == 3
    assert counts(kz.db) == before


def test_junk_under_the_caps_refused_with_one_aggregated_event(net: Net) -> None:
    """1,500 junk certificates and 300 junk revocations: every signature checked (outside the
    transaction), one trust.refused event with counts by kind and the first reasons; nothing
    stored. The same junk again is neither re-checked nor re-audited."""
    kz = net["kz"]
    before = counts(kz.db)
    junk = exchange_pb2.TrustSync(
        certificates=junk_certificates(1500, net["kg"].admin.key_id),
        revocations=junk_revocations(300, net["kg"].admin.key_id),
    )
    out = kz.take("kg", junk)
    assert len(out.refused) == 1800 and not out.accepted
    events = audited(kz.db, "trust.refused")
    assert len(events) == 1
    assert events[0]["refused"] == 1800
    assert events[0]["by_kind"] == {"certificate": 1500, "revocation": 300}
    assert len(events[0]["first"]) == 5  # type: ignore[arg-type]
    assert events[0]["kind"] == "CertificateSignatureInvalid"
    assert counts(kz.db) == before
    assert not kz.trust.has_news("kg", junk)
    kz.take("kg", junk)
    assert len(audited(kz.db, "trust.refused")) == 1


def test_memory_of_refused_junk_is_bounded(net: Net, clock: Clock) -> None:
    kz = net["kz"]
    for _ in range(3):
        clock.t += 3600  # refill the buckets: this test is about memory, not rate
        kz.take("kg", exchange_pb2.TrustSync(certificates=junk_certificates(2000, "x" * 64)))
    assert len(kz.trust.refusals) <= MAX_REMEMBERED
    assert len(audited(kz.db, "trust.refused")) == 3


def test_trust_calls_over_the_rate_refused(net: Net, clock: Clock) -> None:
    """kg calls as fast as it can: past the burst, RESOURCE_EXHAUSTED, audited once per minute
    (with the count of calls refused meanwhile), not once per call; tj is not affected."""
    kz = net["kz"]
    empty = exchange_pb2.TrustSync()
    for _ in range(int(CALL_BURST)):
        kz.take("kg", empty)
    before = counts(kz.db)
    for _ in range(20):
        err = refused_call(net, empty)
        assert "Trust calls/s" in err.message
    assert counts(kz.db) == before
    events = audited(kz.db, "trust.refused")
    assert len(events) == 1 and events[0]["unaudited_since_last"] == 0
    kz.take("tj", empty)  # another peer has its own bucket
    clock.t += 61
    for _ in range(int(CALL_BURST)):
        kz.take("kg", empty)  # refilled
    refused_call(net, empty)
    events = audited(kz.db, "trust.refused")
    assert len(events) == 2 and events[1]["unaudited_since_last"] == 19


def test_repeated_junk_floods_exhaust_the_signature_budget(net: Net, clock: Clock) -> None:
    """Fresh junk under the caps every call: after the burst of signature checks, the next
    flood is refused whole before any check, until the budget refills."""
    kz = net["kz"]
    n = CAPS["certificates"]
    kz.take("kg", exchange_pb2.TrustSync(certificates=junk_certificates(n, "x" * 64)))
    assert n + n > CHECK_BURST
    before, remembered = counts(kz.db), len(kz.trust.refusals)
    err = refused_call(net, exchange_pb2.TrustSync(certificates=junk_certificates(n, "x" * 64)))
    assert "signature checks/s" in err.message
    events = audited(kz.db, "trust.refused")
    assert len(events) == 2 and "signature checks/s" in str(events[1]["reason"])
    assert counts(kz.db) == before and len(kz.trust.refusals) == remembered
    clock.t += 3600
    kz.take("kg", exchange_pb2.TrustSync(certificates=junk_certificates(10, "x" * 64)))


def test_normal_gossip_converges_under_the_limits(net: Net) -> None:
    """Every node's full offer fits the caps, and rounds stay inside the rates."""
    for _ in range(5):
        for a in ("kz", "kg", "tj"):
            for b in ("kz", "kg", "tj"):
                if a != b:
                    net.gossip(a, b)
    heads = {c: net[c].trust.heads() for c in ("kz", "kg", "tj")}
    assert heads["kz"] == heads["kg"] == heads["tj"]
    assert all(audited(net[c].db, "trust.refused") == [] for c in ("kz", "kg", "tj"))


def test_trust_write_is_not_blocked_by_a_flood_in_progress(net: Net) -> None:
    """While the junk of one call is being checked, the database stays free for others: an
    audit write (the SQLite write lock, PostgreSQL's audit head row) made meanwhile does not
    wait for it. (The old code held both for seconds, writing a row per junk item.)"""
    kz = net["kz"]
    junk = exchange_pb2.TrustSync(certificates=junk_certificates(4000, "x" * 64))

    async def run() -> float:
        loop = asyncio.get_running_loop()
        flood = asyncio.ensure_future(kz.intake.take("kg", junk))
        await asyncio.sleep(0.02)
        t = loop.time()

        def write() -> None:
            with kz.db.write() as s:
                repo.append_audit(s, datetime.now(UTC), "test.write", {})

        await loop.run_in_executor(None, write)
        waited = loop.time() - t
        await flood
        return waited

    assert asyncio.run(run()) < 3.0  # the old code held the write for 8-28 s; load adds ~1 s


def test_trust_request_that_is_not_a_trust_sync_refused(net: Net) -> None:
    """Trust takes raw bytes (parsed only once the caller is within its rate): bytes that are
    not a TrustSync are INVALID_ARGUMENT, audited, nothing stored."""
    kz = net["kz"]
    before = counts(kz.db)
    with pytest.raises(MalformedInput) as info:
        asyncio.run(kz.intake.admit("kg", b"\xff\xff\xff\xff"))
    assert code_of(info.value) == grpc.StatusCode.INVALID_ARGUMENT
    events = audited(kz.db, "trust.refused")
    assert len(events) == 1 and events[0]["kind"] == "MalformedInput"
    assert counts(kz.db) == before
