"""The trust model in running nodes: certified keys only, rotation, revocation over the
channels, bundle gossip, split views and revoked TLS keys. Each attack is refused, audited and
leaves nothing stored or trusted; the tests of one region run in file order (later ones build on
the rotation and revocation done earlier). The nodes run in-process (tests/inproc.py)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest
import pytest_asyncio
from sqlalchemy import func, select

from exchange._proto.v1 import envelope_pb2, exchange_pb2, exchange_pb2_grpc, trust_pb2
from exchange.envelope import SigningKey
from exchange.localregion import LocalNode, make_bundle, next_entry, open_policy
from exchange.node import identity
from exchange.node.trustintake import CALL_BURST, CALLS_PER_SECOND
from exchange.store.db import Database
from exchange.store.models import AuditEvent, TrustItem
from exchange.trust import issue, issue_revocation
from exchange.trust.checkpoint import sign_checkpoint
from exchange.trust.files import write_items
from tests.conftest import PgSchemas, require_pg
from tests.inproc import (
    InprocNode,
    InprocRegion,
    aio_channel_from,
    counts,
    push,
    refused_push,
    wait_until,
)
from tests.integration.wire import make_alert, signer_of
from tests.unit.test_trust_flood import junk_certificates

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]


async def _region(
    request: pytest.FixtureRequest, countries: tuple[str, ...], **kw: object
) -> AsyncIterator[InprocRegion]:
    schemas = None
    if request.param == "postgresql":
        require_pg()
        schemas = PgSchemas()
    root = Path(tempfile.mkdtemp(prefix="ex-"))
    url = (lambda c: schemas.url(c)) if schemas else None
    r = InprocRegion(root, countries, url, sync={"trust_interval_seconds": 0.5}, **kw)
    try:
        yield r
    finally:
        await r.stop()
        if schemas:
            schemas.drop_all()
        if not os.environ.get("EXCHANGE_TEST_KEEP"):
            shutil.rmtree(root, ignore_errors=True)


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=["sqlite", "postgresql"])
async def region(request: pytest.FixtureRequest) -> AsyncIterator[InprocRegion]:
    async for r in _region(request, ("kz", "kg", "tj")):
        await r.start()
        yield r


def db_of(node: LocalNode) -> Database:
    return Database(node.config().db_url)


def trust_rows(node: LocalNode) -> int:
    db = db_of(node)
    try:
        with db.read() as s:
            return int(s.execute(select(func.count()).select_from(TrustItem)).scalar_one())
    finally:
        db.close()


def audited(node: LocalNode, event: str) -> list[str]:
    db = db_of(node)
    try:
        with db.read() as s:
            q = select(AuditEvent.detail).where(AuditEvent.event == event)
            return list(s.scalars(q.order_by(AuditEvent.seq)))  # PostgreSQL keeps no order
    finally:
        db.close()


def forged(
    signer: SigningKey, origin: str, target: LocalNode, signed_at: datetime
) -> exchange_pb2.EntryBatch:
    """A well-formed next entry on origin -> target, signed by `signer`, claiming `signed_at`."""
    return next_entry(signer, origin, target, make_alert(origin, "Escape from custody"), signed_at)


async def refused(sender: LocalNode, target: InprocNode, batch: exchange_pb2.EntryBatch) -> str:
    return (await refused_push(sender, target, batch)).details() or ""


async def trust_call(sender: LocalNode, target: LocalNode, msg: exchange_pb2.TrustSync) -> None:
    async with aio_channel_from(sender, target) as ch:
        await exchange_pb2_grpc.ExchangeStub(ch).Trust(msg, timeout=20)


async def cli(node: InprocNode, *args: str) -> Any:
    """`exchange ARGS` for node, in-process: a CompletedProcess."""
    return await node.run(*args)


# -- keys without a valid certificate ----------------------------------------------------------


async def test_signing_key_without_certificate_refused(region: InprocRegion) -> None:
    """kg's real TLS identity, but the entry is signed by a key no admin certified."""
    err = await refused(
        region["kg"], region["kz"], forged(SigningKey.generate(), "kg", region["kz"], _now())
    )
    assert "unknown key" in err


async def test_item_claiming_a_future_time_refused(region: InprocRegion) -> None:
    """Clock skew edge: more than five minutes in the receiver's future."""
    batch = forged(signer_of(region["kg"]), "kg", region["kz"], _now() + timedelta(minutes=6))
    assert "future" in await refused(region["kg"], region["kz"], batch)


async def test_certificate_signed_by_another_countrys_admin_refused(region: InprocRegion) -> None:
    """kz's admin certifies a key for kg: refused at import, nothing stored."""
    assert region.trust is not None
    kz = region["kz"]
    cert = trust_pb2.NodeKeyCertificate(
        country="kg",
        purpose=trust_pb2.KEY_PURPOSE_SIGN,
        public_key=SigningKey.generate().public_raw,
    )
    cert.valid_from.FromDatetime(_now())
    cert.valid_until.FromDatetime(_now() + timedelta(days=30))
    path = region.root / "wrong-admin.certs"
    write_items(path, [issue(region.trust.admins["kz"], cert)])
    before = trust_rows(kz)
    r = await cli(kz, "keys", "import", str(path))
    assert r.returncode == 1
    assert "signed by the admin key of 'kz'" in r.stderr and "Traceback" not in r.stderr
    assert trust_rows(kz) == before


# -- bundle attacks over gossip ----------------------------------------------------------------


def _bad_bundles(region: InprocRegion) -> dict[str, envelope_pb2.Envelope]:
    assert region.trust is not None
    admins = region.trust.admins
    mallory = SigningKey.generate()
    return {
        "below threshold of the old admins": make_bundle(
            2, admins, threshold=2, signers=[admins["kg"]]
        ),
        "skipped version": make_bundle(3, admins, threshold=2),
        "same version, different content": make_bundle(1, admins, threshold=1),
        "signed by strangers": make_bundle(
            2, {**admins, "uz": mallory}, threshold=2, signers=[mallory]
        ),
    }


async def test_bundle_attacks_over_gossip_refused(region: InprocRegion) -> None:
    assert region.trust is not None
    kz, kg = region["kz"], region["kg"]
    for name, bad in _bad_bundles(region).items():
        before_rows, before_refused = trust_rows(kz), len(audited(kz, "trust.refused"))
        msg = exchange_pb2.TrustSync(bundles=[*region.trust.chain, bad])
        await trust_call(kg, kz, msg)
        assert (await kz.keys_status()).bundle_version == 1, name
        assert trust_rows(kz) == before_rows, f"{name}: something was stored"
        assert len(audited(kz, "trust.refused")) == before_refused + 1, f"{name}: not audited"


# -- split view ----------------------------------------------------------------------------------


async def test_unsigned_head_about_another_country_cannot_freeze_it(region: InprocRegion) -> None:
    """tj tells kz that kg's key log holds another entry, without kg's signature: a warning
    (audited once), no freeze; kg's key changes are still trusted."""
    kz = region["kz"]

    async def _cond1() -> bool:
        return bool(any(h.country == "kg" for h in (await kz.keys_status()).key_log_heads))

    await wait_until(_cond1, 20, "kz to learn kg's key log")
    warned = len(audited(kz, "trust.warning"))
    lie = exchange_pb2.TrustSync()
    lie.heads.add(country="kg", seq=1, hash=hashlib.sha256(b"another entry").digest())
    for _ in range(3):
        await trust_call(region["tj"], kz, lie)
    assert not any("split view" in a for a in (await kz.keys_status()).alarms)
    assert len(audited(kz, "trust.warning")) == warned + 1


async def test_split_view_freezes_country_until_resolved(region: InprocRegion) -> None:
    """tj relays a checkpoint signed by kg's own key that names another entry at a seq kz
    holds: proof that kg signed two histories. kz freezes kg's key changes, shows the evidence,
    until an administrator resolves it."""
    assert region.trust is not None
    kz, kg, tj = region["kz"], region["kg"], region["tj"]
    r = await cli(kz, "keys", "resolve", "kg", "--reason", "nothing to resolve yet")
    assert r.returncode == 1 and "not frozen" in r.stderr and "Traceback" not in r.stderr
    seq = next(h.seq for h in (await kz.keys_status()).key_log_heads if h.country == "kg")
    other = sign_checkpoint(signer_of(kg), "kg", seq, hashlib.sha256(b"another").digest(), _now())
    await trust_call(tj, kz, exchange_pb2.TrustSync(checkpoints=[other]))
    status = await kz.keys_status()
    assert any("split view in the key log of 'kg'" in a for a in status.alarms)
    assert [f.country for f in status.frozen] == ["kg"] and status.frozen[0].evidence
    assert audited(kz, "trust.alarm")
    shown = await cli(kz, "keys", "status")
    assert "evidence against kg: checkpoint kg#" in shown.stdout
    # A key change from kg is now refused, and nothing is stored.
    cert = trust_pb2.NodeKeyCertificate(
        country="kg", purpose=trust_pb2.KEY_PURPOSE_SEAL, public_key=bytes(range(1, 33))
    )
    cert.valid_from.FromDatetime(_now())
    cert.valid_until.FromDatetime(_now() + timedelta(days=30))
    path = region.root / "kg-during-freeze.certs"
    write_items(path, [issue(region.trust.admins["kg"], cert)])
    before = trust_rows(kz)
    r = await cli(kz, "keys", "import", str(path))
    assert r.returncode == 1 and "frozen" in r.stderr
    assert trust_rows(kz) == before
    # The administrator resolves it; kg's log is fetched again from kg.
    r = await cli(kz, "keys", "resolve", "kg", "--reason", "tj's report was a test")
    assert r.returncode == 0, r.stderr

    async def _cond2() -> bool:
        return bool(
            not any("split view" in a for a in (await kz.keys_status()).alarms)
            and any(h.country == "kg" for h in (await kz.keys_status()).key_log_heads)
        )

    await wait_until(_cond2, 20, "kz to unfreeze kg and fetch its log again")
    assert kg.running


async def test_trust_calls_over_the_rate_refused(region: InprocRegion) -> None:
    """kg calls Trust at kz in a tight loop: past the burst, RESOURCE_EXHAUSTED; audited at
    most once a minute, not per call; nothing stored; gossip recovers afterwards."""
    kz, kg = region["kz"], region["kg"]
    before_rows, before_refused = trust_rows(kz), len(audited(kz, "trust.refused"))
    codes = []
    async with aio_channel_from(kg, kz) as ch:
        stub = exchange_pb2_grpc.ExchangeStub(ch)
        for _ in range(int(CALL_BURST) + 40):
            try:
                await stub.Trust(exchange_pb2.TrustSync(), timeout=10)
                codes.append(grpc.StatusCode.OK)
            except grpc.RpcError as err:
                codes.append(err.code())
    refused = [c for c in codes if c != grpc.StatusCode.OK]
    assert refused and set(refused) == {grpc.StatusCode.RESOURCE_EXHAUSTED}
    assert len(audited(kz, "trust.refused")) == before_refused + 1
    assert trust_rows(kz) == before_rows


async def test_flood_of_junk_certificates_refused_whole(region: InprocRegion) -> None:
    """5,000 junk-signed certificates in one Trust call: RESOURCE_EXHAUSTED, one audit event
    with the counts, nothing stored."""
    kz, kg = region["kz"], region["kg"]
    await asyncio.sleep(CALL_BURST / CALLS_PER_SECOND)  # the previous test emptied kg's bucket
    before_rows, before_refused = trust_rows(kz), len(audited(kz, "trust.refused"))
    flood = exchange_pb2.TrustSync(certificates=junk_certificates(5000, "0" * 64))
    async with aio_channel_from(kg, kz) as ch:
        with pytest.raises(grpc.RpcError) as info:
            await exchange_pb2_grpc.ExchangeStub(ch).Trust(flood, timeout=20)
    assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "5000 certificates (cap 4096)" in (info.value.details() or "")
    # kg's own gossip may be refused for its rate meanwhile (audited apart, without counts):
    # the flood itself is one event with the counts.
    events = [json.loads(e) for e in audited(kz, "trust.refused")[before_refused:]]
    floods = [e for e in events if "counts" in e]
    assert len(floods) == 1 and floods[0]["counts"]["certificates"] == 5000, events
    assert trust_rows(kz) == before_rows


# -- rotation and revocation ---------------------------------------------------------------------


async def test_signing_key_rotation_keeps_delivering(region: InprocRegion) -> None:
    """kg rotates its signing key: next key, certificate, import; the node switches itself."""
    assert region.trust is not None
    kz, kg, tj = region["kz"], region["kg"], region["tj"]
    old = signer_of(kg)
    r = await cli(kg, "keys", "node", "rotate", "--purpose", "sign")
    assert r.returncode == 0, r.stderr
    nxt = SigningKey.from_pem((kg.state_dir / "sign.next.key").read_bytes())
    certs = region.trust.certify(kg, {trust_pb2.KEY_PURPOSE_SIGN: nxt.public_raw})
    await kg.import_trust(certs)

    async def _cond3() -> bool:
        return bool((await kg.status()).sign_key_id == nxt.key_id)

    await wait_until(_cond3, 20, "kg to switch signing keys")
    assert signer_of(kg).key_id == nxt.key_id
    # What kg signs now reaches kz and tj.
    await kg.cli("alerts", "publish", "--file", str(_alert_file(kg)))
    await region.wait_converged("kg")
    assert await kz.versions("kg") == await tj.versions("kg") != {}
    # Keep the old key for the revocation test.
    region.nodes["kg"].__dict__["old_signer"] = old


async def test_tls_key_rotation_without_restart(region: InprocRegion) -> None:
    """kz rotates its TLS key with a certificate that takes effect in a few seconds: peers
    learn the next certificate first, then both sides switch at valid_from, no restart."""
    assert region.trust is not None
    kz, kg, tj = region["kz"], region["kg"], region["tj"]
    r = await cli(kz, "keys", "node", "rotate", "--purpose", "tls")
    assert r.returncode == 0, r.stderr
    nxt = identity.pending(kz.state_dir)["tls"]
    start = _now() + timedelta(seconds=4)
    await kz.import_trust(
        region.trust.certify(kz, {trust_pb2.KEY_PURPOSE_TLS: nxt}, valid_from=start)
    )

    async def _cond4() -> bool:
        return bool((await kz.status()).fingerprint == nxt.hex())

    await wait_until(_cond4, 30, "kz to switch TLS keys")
    for n in (kg, tj):

        async def _cond11(n: InprocNode = n) -> bool:
            return bool(nxt.hex() in await _pinned_fp(n, "kz"))

        await wait_until(_cond11, 30, f"{n.country} to pin it")
    await kz.cli("alerts", "publish", "--file", str(_alert_file(kz)))
    await region.wait_converged("kz")


async def _pinned_fp(node: InprocNode, country: str) -> str:
    from exchange._proto.v1 import operator_pb2

    peers = (await node.call("ListPeers", operator_pb2.ListPeersRequest())).peers
    return next((p.fingerprint for p in peers if p.country == country), "")


async def test_item_signed_after_revocation_refused(region: InprocRegion) -> None:
    """kg's admin revokes the old key; it reaches kz and tj over the channels; a forgery with
    the old key is refused at both, audited, stored nowhere, and alarmed in status."""
    assert region.trust is not None
    kz, kg, tj = region["kz"], region["kg"], region["tj"]
    old: SigningKey = kg.__dict__["old_signer"]
    rev = trust_pb2.KeyRevocation(country="kg", key_id=old.key_id, reason="stolen laptop")
    rev.effective.FromDatetime(_now() - timedelta(seconds=1))
    await kg.import_trust([issue_revocation(region.trust.admins["kg"], rev)])
    for n in (kz, tj):

        async def _cond12(n: InprocNode = n) -> bool:
            return bool(any(old.key_id[:16] in a for a in (await n.status()).alarms))

        await wait_until(_cond12, 20, f"the revocation to reach {n.country}")
    for n in (kz, tj):
        for claimed in (_now(), _now() - timedelta(hours=1)):  # whatever time it claims
            err = await refused(kg, n, forged(old, "kg", n, claimed))
            assert "revoked" in err
        assert any("signed by a revoked key" in a for a in (await n.status()).alarms)
    # What an operator sees.
    shown = await cli(kz, "status")
    assert shown.returncode == 0 and "ALARM" in shown.stdout and "revoked" in shown.stdout
    keys = json.loads((await cli(kz, "keys", "status", "--json")).stdout)
    states = {k["key_id"]: k["state"] for k in keys["keys"]}
    assert states[old.key_id] == "revoked"
    assert any(old.key_id[:16] in a for a in keys["alarms"])
    # kg's current key still delivers.
    await kg.cli("alerts", "publish", "--file", str(_alert_file(kg)))
    await region.wait_converged("kg")


async def test_offline_node_walks_the_bundle_chain(region: InprocRegion) -> None:
    """tj is down while v2 and v3 are published at kz; on restart it walks v1 -> v2 -> v3 from
    what kz serves over gRPC."""
    assert region.trust is not None
    kz, kg, tj = region["kz"], region["kg"], region["tj"]
    await tj.stop()
    admins = region.trust.admins
    v2, v3 = make_bundle(2, admins, threshold=2), make_bundle(3, admins, threshold=2)
    await kz.import_trust([v2])
    await kz.import_trust([v3])
    assert (await kz.keys_status()).bundle_version == 3

    async def _cond5() -> bool:
        return bool((await kg.keys_status()).bundle_version == 3)

    await wait_until(_cond5, 20, "kg to walk to v3")
    await tj.start()

    async def _cond6() -> bool:
        return bool((await tj.keys_status()).bundle_version == 3)

    await wait_until(_cond6, 30, "tj to walk to v3 after restart")
    region.trust.chain += [v2, v3]


async def test_mtls_from_revoked_tls_key_refused(region: InprocRegion) -> None:
    """kg's TLS key is revoked: kz drops the pin without a restart and refuses the handshake
    or the call; nothing is stored."""
    assert region.trust is not None
    kz, kg = region["kz"], region["kg"]
    spki = bytes.fromhex((await kg.status()).fingerprint)
    rev = trust_pb2.KeyRevocation(country="kg", key_id=spki.hex(), reason="key exposed")
    rev.effective.FromDatetime(_now())
    await kz.import_trust([issue_revocation(region.trust.admins["kg"], rev)])

    async def _cond7() -> bool:
        return bool(not await _pinned_fp(kz, "kg"))

    await wait_until(_cond7, 20, "kz to drop kg's TLS pin")
    before = counts(kz)
    batch = forged(signer_of(kg), "kg", kz, _now())
    async with aio_channel_from(kg, kz) as ch:
        with pytest.raises(grpc.RpcError) as info:
            await push(ch, batch)
    assert info.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.PERMISSION_DENIED)
    after = counts(kz)
    assert after["entries"] == before["entries"] and after["versions"] == before["versions"]
    assert kz.running


def _alert_file(node: LocalNode) -> Path:
    path = node.root / f"{node.country}-{time.monotonic_ns()}.toml"
    path.write_text(
        'category = "transfer-notice"\nrisk = "medium"\nhandling = "H1"\n'
        'summary = "Transfer between facilities"\n'
    )
    return path


def _now() -> datetime:
    return datetime.now(UTC)


# -- a country joins; a key rotated out ----------------------------------------------------------


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=["sqlite", "postgresql"])
async def growing(request: pytest.FixtureRequest) -> AsyncIterator[InprocRegion]:
    everyone = ("kz", "kg", "tj", "uz")
    policies = {c: open_policy(c, everyone) for c in everyone}
    async for r in _region(request, everyone, policies=policies):
        yield r


async def test_new_country_joins_by_bundle_v2(growing: InprocRegion) -> None:
    """uz is added as bundle v2, signed by a threshold of v1's admins and of its own; the
    bundle walks to every node; uz, anchored at v1, walks to v2 and receives alerts."""
    r = growing
    members = [r[c] for c in ("kz", "kg", "tj")]
    uz = r["uz"]
    for n in r.nodes.values():
        n.init()
    from exchange.localregion import RegionTrust

    trust = RegionTrust.create(members)
    r.trust = trust
    trust.admins["uz"] = SigningKey.generate()
    v2 = make_bundle(2, trust.admins, threshold=2, signers=[trust.admins["kz"], trust.admins["tj"]])
    for n in r.nodes.values():
        await n.start()
    for n in members:
        await n.import_trust(trust.all_items())
    for a in members:
        for b in members:
            if a is not b:
                await a.add_peer(b)
    kz = r["kz"]
    await kz.import_trust([v2])
    for n in members:

        async def _cond13(n: InprocNode = n) -> bool:
            return bool((await n.keys_status()).bundle_version == 2)

        await wait_until(_cond13, 20, f"v2 at {n.country}")
    trust.chain.append(v2)
    uz_certs = trust.certify(uz)
    # Before it has the bundle, uz can trust no peer: a plain error, nothing stored.
    r = await cli(uz, "peers", "add", "kz", "--address", kz.address)
    assert r.returncode == 1 and "no region trust bundle" in r.stderr
    assert "Traceback" not in r.stderr
    # uz is anchored at v1 and walks to v2 in one import; it gets the members' certificates.
    await uz.import_trust(trust.all_items())
    assert (await uz.keys_status()).bundle_version == 2
    await kz.import_trust(uz_certs)  # kz passes them on to kg and tj
    await kz.add_peer(uz)
    await uz.add_peer(kz)
    await kz.cli("alerts", "publish", "--file", str(_alert_file(kz)))

    async def _cond8() -> bool:
        return bool(len(await uz.versions("kz")) == 1)

    await wait_until(_cond8, 30, "uz to receive kz's alert")


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=["sqlite", "postgresql"])
async def short(request: pytest.FixtureRequest) -> AsyncIterator[InprocRegion]:
    async for r in _region(request, ("kz", "kg")):
        r.sign_seconds = {"kg": 6.0}
        await r.start()
        yield r


async def test_signing_key_used_after_its_window_refused(short: InprocRegion) -> None:
    """kg's signing certificate ends 6 s after bootstrap: what it signs after is refused."""
    kz, kg = short["kz"], short["kg"]
    await asyncio.sleep(7)
    err = await refused(kg, kz, forged(signer_of(kg), "kg", kz, _now()))
    assert "rotated out" in err or "outside its certificate" in err
    assert any("signing key has no valid certificate" in a for a in (await kg.status()).alarms)


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=["sqlite", "postgresql"])
async def pair(request: pytest.FixtureRequest) -> AsyncIterator[InprocRegion]:
    async for r in _region(request, ("kz", "kg")):
        await r.start()
        yield r


async def test_backlog_survives_rotation_and_revocation(pair: InprocRegion) -> None:
    """kz is down while kg queues alerts signed with its old key; kg rotates and revokes that
    key; when kz comes back, kg's backlog arrives re-signed with the new key and is stored,
    while nothing signed by the old key itself is accepted."""
    assert pair.trust is not None
    kz, kg = pair["kz"], pair["kg"]
    await kz.stop()
    for _ in range(3):
        await kg.cli("alerts", "publish", "--file", str(_alert_file(kg)))
    old = signer_of(kg)
    assert (await cli(kg, "keys", "node", "rotate", "--purpose", "sign")).returncode == 0
    nxt = SigningKey.from_pem((kg.state_dir / "sign.next.key").read_bytes())
    await kg.import_trust(pair.trust.certify(kg, {trust_pb2.KEY_PURPOSE_SIGN: nxt.public_raw}))

    async def _cond9() -> bool:
        return bool((await kg.status()).sign_key_id == nxt.key_id)

    await wait_until(_cond9, 20, "kg to switch signing keys")
    rev = trust_pb2.KeyRevocation(country="kg", key_id=old.key_id, reason="rotated out")
    rev.effective.FromDatetime(_now())
    await kg.import_trust([issue_revocation(pair.trust.admins["kg"], rev)])
    await kz.start()
    await pair.wait_converged("kg")
    assert len(await kz.versions("kg")) == 3

    async def _cond10() -> bool:
        return bool(any(old.key_id[:16] in a for a in (await kz.status()).alarms))

    await wait_until(_cond10, 20, "kz to hold it")
    assert "revoked" in await refused(kg, kz, forged(old, "kg", kz, _now()))
