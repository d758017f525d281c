"""The trust model in running nodes: certified keys only, rotation, revocation over the
channels, bundle gossip, split views and revoked TLS keys. Each attack is refused, audited and
leaves nothing stored or trusted; the tests of one region run in file order (later ones build on
the rotation and revocation done earlier)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from sqlalchemy import func, select

from exchange._proto.v1 import envelope_pb2, exchange_pb2, exchange_pb2_grpc, trust_pb2
from exchange.envelope import SigningKey
from exchange.localregion import (
    LocalNode,
    LocalRegion,
    make_bundle,
    next_entry,
    open_policy,
    wait_for,
)
from exchange.node import identity
from exchange.node.trustintake import CALL_BURST, CALLS_PER_SECOND
from exchange.store.db import Database
from exchange.store.models import AuditEvent, TrustItem
from exchange.trust import issue, issue_revocation
from exchange.trust.checkpoint import sign_checkpoint
from exchange.trust.files import write_items
from tests.conftest import PgSchemas, require_pg
from tests.integration.wire import (
    channel_from,
    counts,
    make_alert,
    push,
    refused_push,
    signer_of,
)
from tests.unit.test_trust_flood import junk_certificates

pytestmark = pytest.mark.integration


def _region(
    request: pytest.FixtureRequest, countries: tuple[str, ...], **kw: object
) -> Iterator[LocalRegion]:
    schemas = None
    if request.param == "postgresql":
        require_pg()
        schemas = PgSchemas()
    root = Path(tempfile.mkdtemp(prefix="ex-"))
    url = (lambda c: schemas.url(c)) if schemas else None
    r = LocalRegion(root, countries, url, sync={"trust_interval_seconds": 0.5}, **kw)  # type: ignore[arg-type]
    try:
        yield r
    finally:
        for n in r.nodes.values():
            n.kill()
        if schemas:
            schemas.drop_all()
        if not os.environ.get("EXCHANGE_TEST_KEEP"):
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def region(request: pytest.FixtureRequest) -> Iterator[LocalRegion]:
    for r in _region(request, ("kz", "kg", "tj")):
        r.start()
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
            return list(s.scalars(select(AuditEvent.detail).where(AuditEvent.event == event)))
    finally:
        db.close()


def forged(
    signer: SigningKey, origin: str, target: LocalNode, signed_at: datetime
) -> exchange_pb2.EntryBatch:
    """A well-formed next entry on origin -> target, signed by `signer`, claiming `signed_at`."""
    return next_entry(signer, origin, target, make_alert(origin, "Escape from custody"), signed_at)


def refused(sender: LocalNode, target: LocalNode, batch: exchange_pb2.EntryBatch) -> str:
    return refused_push(sender, target, batch).details() or ""


def trust_call(sender: LocalNode, target: LocalNode, msg: exchange_pb2.TrustSync) -> None:
    with channel_from(sender, target) as ch:
        exchange_pb2_grpc.ExchangeStub(ch).Trust(msg, timeout=20)


def cli(node: LocalNode, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "exchange", *args, "--config", str(node.config_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


# -- keys without a valid certificate ----------------------------------------------------------


def test_signing_key_without_certificate_refused(region: LocalRegion) -> None:
    """kg's real TLS identity, but the entry is signed by a key no admin certified."""
    err = refused(
        region["kg"], region["kz"], forged(SigningKey.generate(), "kg", region["kz"], _now())
    )
    assert "unknown key" in err


def test_item_claiming_a_future_time_refused(region: LocalRegion) -> None:
    """Clock skew edge: more than five minutes in the receiver's future."""
    batch = forged(signer_of(region["kg"]), "kg", region["kz"], _now() + timedelta(minutes=6))
    assert "future" in refused(region["kg"], region["kz"], batch)


def test_certificate_signed_by_another_countrys_admin_refused(region: LocalRegion) -> None:
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
    r = cli(kz, "keys", "import", str(path))
    assert r.returncode == 1
    assert "signed by the admin key of 'kz'" in r.stderr and "Traceback" not in r.stderr
    assert trust_rows(kz) == before


# -- bundle attacks over gossip ----------------------------------------------------------------


def _bad_bundles(region: LocalRegion) -> dict[str, envelope_pb2.Envelope]:
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


def test_bundle_attacks_over_gossip_refused(region: LocalRegion) -> None:
    assert region.trust is not None
    kz, kg = region["kz"], region["kg"]
    for name, bad in _bad_bundles(region).items():
        before_rows, before_refused = trust_rows(kz), len(audited(kz, "trust.refused"))
        msg = exchange_pb2.TrustSync(bundles=[*region.trust.chain, bad])
        trust_call(kg, kz, msg)
        assert kz.keys_status().bundle_version == 1, name
        assert trust_rows(kz) == before_rows, f"{name}: something was stored"
        assert len(audited(kz, "trust.refused")) == before_refused + 1, f"{name}: not audited"


# -- split view ----------------------------------------------------------------------------------


def test_unsigned_head_about_another_country_cannot_freeze_it(region: LocalRegion) -> None:
    """tj tells kz that kg's key log holds another entry, without kg's signature: a warning
    (audited once), no freeze; kg's key changes are still trusted."""
    kz = region["kz"]
    wait_for(
        lambda: any(h.country == "kg" for h in kz.keys_status().key_log_heads),
        20,
        "kz to learn kg's key log",
    )
    warned = len(audited(kz, "trust.warning"))
    lie = exchange_pb2.TrustSync()
    lie.heads.add(country="kg", seq=1, hash=hashlib.sha256(b"another entry").digest())
    for _ in range(3):
        trust_call(region["tj"], kz, lie)
    assert not any("split view" in a for a in kz.keys_status().alarms)
    assert len(audited(kz, "trust.warning")) == warned + 1


def test_split_view_freezes_country_until_resolved(region: LocalRegion) -> None:
    """tj relays a checkpoint signed by kg's own key that names another entry at a seq kz
    holds: proof that kg signed two histories. kz freezes kg's key changes, shows the evidence,
    until an administrator resolves it."""
    assert region.trust is not None
    kz, kg, tj = region["kz"], region["kg"], region["tj"]
    r = cli(kz, "keys", "resolve", "kg", "--reason", "nothing to resolve yet")
    assert r.returncode == 1 and "not frozen" in r.stderr and "Traceback" not in r.stderr
    seq = next(h.seq for h in kz.keys_status().key_log_heads if h.country == "kg")
    other = sign_checkpoint(signer_of(kg), "kg", seq, hashlib.sha256(b"another").digest(), _now())
    trust_call(tj, kz, exchange_pb2.TrustSync(checkpoints=[other]))
    status = kz.keys_status()
    assert any("split view in the key log of 'kg'" in a for a in status.alarms)
    assert [f.country for f in status.frozen] == ["kg"] and status.frozen[0].evidence
    assert audited(kz, "trust.alarm")
    shown = cli(kz, "keys", "status")
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
    r = cli(kz, "keys", "import", str(path))
    assert r.returncode == 1 and "frozen" in r.stderr
    assert trust_rows(kz) == before
    # The administrator resolves it; kg's log is fetched again from kg.
    r = cli(kz, "keys", "resolve", "kg", "--reason", "tj's report was a test")
    assert r.returncode == 0, r.stderr
    wait_for(
        lambda: (
            not any("split view" in a for a in kz.keys_status().alarms)
            and any(h.country == "kg" for h in kz.keys_status().key_log_heads)
        ),
        20,
        "kz to unfreeze kg and fetch its log again",
    )
    assert kg.running


def test_trust_calls_over_the_rate_refused(region: LocalRegion) -> None:
    """kg calls Trust at kz in a tight loop: past the burst, RESOURCE_EXHAUSTED; audited at
    most once a minute, not per call; nothing stored; gossip recovers afterwards."""
    kz, kg = region["kz"], region["kg"]
    before_rows, before_refused = trust_rows(kz), len(audited(kz, "trust.refused"))
    codes = []
    with channel_from(kg, kz) as ch:
        stub = exchange_pb2_grpc.ExchangeStub(ch)
        for _ in range(int(CALL_BURST) + 40):
            try:
                stub.Trust(exchange_pb2.TrustSync(), timeout=10)
                codes.append(grpc.StatusCode.OK)
            except grpc.RpcError as err:
                codes.append(err.code())
    refused = [c for c in codes if c != grpc.StatusCode.OK]
    assert refused and set(refused) == {grpc.StatusCode.RESOURCE_EXHAUSTED}
    assert len(audited(kz, "trust.refused")) == before_refused + 1
    assert trust_rows(kz) == before_rows


def test_flood_of_junk_certificates_refused_whole(region: LocalRegion) -> None:
    """5,000 junk-signed certificates in one Trust call: RESOURCE_EXHAUSTED, one audit event
    with the counts, nothing stored."""
    kz, kg = region["kz"], region["kg"]
    time.sleep(CALL_BURST / CALLS_PER_SECOND)  # the previous test emptied kg's bucket
    before_rows, before_refused = trust_rows(kz), len(audited(kz, "trust.refused"))
    flood = exchange_pb2.TrustSync(certificates=junk_certificates(5000, "0" * 64))
    with channel_from(kg, kz) as ch, pytest.raises(grpc.RpcError) as info:
        exchange_pb2_grpc.ExchangeStub(ch).Trust(flood, timeout=20)
    assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "5000 certificates (cap 4096)" in (info.value.details() or "")
    events = audited(kz, "trust.refused")[before_refused:]
    assert len(events) == 1 and json.loads(events[0])["counts"]["certificates"] == 5000
    assert trust_rows(kz) == before_rows


# -- rotation and revocation ---------------------------------------------------------------------


def test_signing_key_rotation_keeps_delivering(region: LocalRegion) -> None:
    """kg rotates its signing key: next key, certificate, import; the node switches itself."""
    assert region.trust is not None
    kz, kg, tj = region["kz"], region["kg"], region["tj"]
    old = signer_of(kg)
    r = cli(kg, "keys", "node", "rotate", "--purpose", "sign")
    assert r.returncode == 0, r.stderr
    nxt = SigningKey.from_pem((kg.state_dir / "sign.next.key").read_bytes())
    certs = region.trust.certify(kg, {trust_pb2.KEY_PURPOSE_SIGN: nxt.public_raw})
    kg.import_trust(certs)
    wait_for(lambda: kg.status().sign_key_id == nxt.key_id, 20, "kg to switch signing keys")
    assert signer_of(kg).key_id == nxt.key_id
    # What kg signs now reaches kz and tj.
    kg.cli("alerts", "publish", "--file", str(_alert_file(kg)))
    region.wait_converged("kg")
    assert kz.versions("kg") == tj.versions("kg") != {}
    # Keep the old key for the revocation test.
    region.nodes["kg"].__dict__["old_signer"] = old


def test_tls_key_rotation_without_restart(region: LocalRegion) -> None:
    """kz rotates its TLS key with a certificate that takes effect in a few seconds: peers
    learn the next certificate first, then both sides switch at valid_from, no restart."""
    assert region.trust is not None
    kz, kg, tj = region["kz"], region["kg"], region["tj"]
    r = cli(kz, "keys", "node", "rotate", "--purpose", "tls")
    assert r.returncode == 0, r.stderr
    nxt = identity.pending(kz.state_dir)["tls"]
    start = _now() + timedelta(seconds=4)
    kz.import_trust(region.trust.certify(kz, {trust_pb2.KEY_PURPOSE_TLS: nxt}, valid_from=start))
    wait_for(lambda: kz.status().fingerprint == nxt.hex(), 30, "kz to switch TLS keys")
    for n in (kg, tj):
        wait_for(lambda n=n: nxt.hex() in _pinned_fp(n, "kz"), 30, f"{n.country} to pin it")  # type: ignore[misc]
    kz.cli("alerts", "publish", "--file", str(_alert_file(kz)))
    region.wait_converged("kz")


def _pinned_fp(node: LocalNode, country: str) -> str:
    from exchange._proto.v1 import operator_pb2

    peers = node.call("ListPeers", operator_pb2.ListPeersRequest()).peers
    return next((p.fingerprint for p in peers if p.country == country), "")


def test_item_signed_after_revocation_refused(region: LocalRegion) -> None:
    """kg's admin revokes the old key; it reaches kz and tj over the channels; a forgery with
    the old key is refused at both, audited, stored nowhere, and alarmed in status."""
    assert region.trust is not None
    kz, kg, tj = region["kz"], region["kg"], region["tj"]
    old: SigningKey = kg.__dict__["old_signer"]
    rev = trust_pb2.KeyRevocation(country="kg", key_id=old.key_id, reason="stolen laptop")
    rev.effective.FromDatetime(_now() - timedelta(seconds=1))
    kg.import_trust([issue_revocation(region.trust.admins["kg"], rev)])
    for n in (kz, tj):
        wait_for(
            lambda n=n: any(old.key_id[:16] in a for a in n.status().alarms),  # type: ignore[misc]
            20,
            f"the revocation to reach {n.country}",
        )
    for n in (kz, tj):
        for claimed in (_now(), _now() - timedelta(hours=1)):  # whatever time it claims
            err = refused(kg, n, forged(old, "kg", n, claimed))
            assert "revoked" in err
        assert any("signed by a revoked key" in a for a in n.status().alarms)
    # What an operator sees.
    shown = cli(kz, "status")
    assert shown.returncode == 0 and "ALARM" in shown.stdout and "revoked" in shown.stdout
    keys = json.loads(cli(kz, "keys", "status", "--json").stdout)
    states = {k["key_id"]: k["state"] for k in keys["keys"]}
    assert states[old.key_id] == "revoked"
    assert any(old.key_id[:16] in a for a in keys["alarms"])
    # kg's current key still delivers.
    kg.cli("alerts", "publish", "--file", str(_alert_file(kg)))
    region.wait_converged("kg")


def test_offline_node_walks_the_bundle_chain(region: LocalRegion) -> None:
    """tj is down while v2 and v3 are published at kz; on restart it walks v1 -> v2 -> v3 from
    what kz serves over gRPC."""
    assert region.trust is not None
    kz, kg, tj = region["kz"], region["kg"], region["tj"]
    tj.stop()
    admins = region.trust.admins
    v2, v3 = make_bundle(2, admins, threshold=2), make_bundle(3, admins, threshold=2)
    kz.import_trust([v2])
    kz.import_trust([v3])
    assert kz.keys_status().bundle_version == 3
    wait_for(lambda: kg.keys_status().bundle_version == 3, 20, "kg to walk to v3")
    tj.start()
    wait_for(lambda: tj.keys_status().bundle_version == 3, 30, "tj to walk to v3 after restart")
    region.trust.chain += [v2, v3]


def test_mtls_from_revoked_tls_key_refused(region: LocalRegion) -> None:
    """kg's TLS key is revoked: kz drops the pin without a restart and refuses the handshake
    or the call; nothing is stored."""
    assert region.trust is not None
    kz, kg = region["kz"], region["kg"]
    spki = bytes.fromhex(kg.status().fingerprint)
    rev = trust_pb2.KeyRevocation(country="kg", key_id=spki.hex(), reason="key exposed")
    rev.effective.FromDatetime(_now())
    kz.import_trust([issue_revocation(region.trust.admins["kg"], rev)])
    wait_for(lambda: not _pinned_fp(kz, "kg"), 20, "kz to drop kg's TLS pin")
    before = counts(kz)
    batch = forged(signer_of(kg), "kg", kz, _now())
    with channel_from(kg, kz) as ch, pytest.raises(grpc.RpcError) as info:
        push(ch, batch)
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


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def growing(request: pytest.FixtureRequest) -> Iterator[LocalRegion]:
    everyone = ("kz", "kg", "tj", "uz")
    policies = {c: open_policy(c, everyone) for c in everyone}
    yield from _region(request, everyone, policies=policies)


def test_new_country_joins_by_bundle_v2(growing: LocalRegion) -> None:
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
        n.start()
    for n in members:
        n.import_trust(trust.all_items())
    for a in members:
        for b in members:
            if a is not b:
                a.add_peer(b)
    kz = r["kz"]
    kz.import_trust([v2])
    for n in members:
        wait_for(lambda n=n: n.keys_status().bundle_version == 2, 20, f"v2 at {n.country}")  # type: ignore[misc]
    trust.chain.append(v2)
    uz_certs = trust.certify(uz)
    # Before it has the bundle, uz can trust no peer: a plain error, nothing stored.
    r = cli(uz, "peers", "add", "kz", "--address", kz.address)
    assert r.returncode == 1 and "no region trust bundle" in r.stderr
    assert "Traceback" not in r.stderr
    # uz is anchored at v1 and walks to v2 in one import; it gets the members' certificates.
    uz.import_trust(trust.all_items())
    assert uz.keys_status().bundle_version == 2
    kz.import_trust(uz_certs)  # kz passes them on to kg and tj
    kz.add_peer(uz)
    uz.add_peer(kz)
    kz.cli("alerts", "publish", "--file", str(_alert_file(kz)))
    wait_for(lambda: len(uz.versions("kz")) == 1, 30, "uz to receive kz's alert")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def short(request: pytest.FixtureRequest) -> Iterator[LocalRegion]:
    for r in _region(request, ("kz", "kg")):
        r.sign_seconds = {"kg": 6.0}
        r.start()
        yield r


def test_signing_key_used_after_its_window_refused(short: LocalRegion) -> None:
    """kg's signing certificate ends 6 s after bootstrap: what it signs after is refused."""
    kz, kg = short["kz"], short["kg"]
    time.sleep(7)
    err = refused(kg, kz, forged(signer_of(kg), "kg", kz, _now()))
    assert "rotated out" in err or "outside its certificate" in err
    assert any("signing key has no valid certificate" in a for a in kg.status().alarms)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def pair(request: pytest.FixtureRequest) -> Iterator[LocalRegion]:
    for r in _region(request, ("kz", "kg")):
        r.start()
        yield r


def test_backlog_survives_rotation_and_revocation(pair: LocalRegion) -> None:
    """kz is down while kg queues alerts signed with its old key; kg rotates and revokes that
    key; when kz comes back, kg's backlog arrives re-signed with the new key and is stored,
    while nothing signed by the old key itself is accepted."""
    assert pair.trust is not None
    kz, kg = pair["kz"], pair["kg"]
    kz.stop()
    for _ in range(3):
        kg.cli("alerts", "publish", "--file", str(_alert_file(kg)))
    old = signer_of(kg)
    assert cli(kg, "keys", "node", "rotate", "--purpose", "sign").returncode == 0
    nxt = SigningKey.from_pem((kg.state_dir / "sign.next.key").read_bytes())
    kg.import_trust(pair.trust.certify(kg, {trust_pb2.KEY_PURPOSE_SIGN: nxt.public_raw}))
    wait_for(lambda: kg.status().sign_key_id == nxt.key_id, 20, "kg to switch signing keys")
    rev = trust_pb2.KeyRevocation(country="kg", key_id=old.key_id, reason="rotated out")
    rev.effective.FromDatetime(_now())
    kg.import_trust([issue_revocation(pair.trust.admins["kg"], rev)])
    kz.start()
    pair.wait_converged("kg")
    assert len(kz.versions("kg")) == 3
    wait_for(lambda: any(old.key_id[:16] in a for a in kz.status().alarms), 20, "kz to hold it")
    assert "revoked" in refused(kg, kz, forged(old, "kg", kz, _now()))
