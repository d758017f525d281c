"""The node's trust store on a real database (SQLite and PostgreSQL), and the per-entry signer
rules at the edges of every window. Each refusal checks that nothing was stored or trusted."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from exchange._proto.v1 import envelope_pb2, exchange_pb2, trust_pb2
from exchange.envelope import SigningKey, VerifyKey
from exchange.errors import Error
from exchange.node.truststore import NodeTrust
from exchange.store.db import Database
from exchange.store.models import KeyLogRow, TrustItem
from exchange.trust import (
    BUNDLE_PAYLOAD_TYPE,
    issue,
    issue_node_certificates,
    issue_revocation,
    node_key_id,
)
from exchange.trust.errors import (
    AnchorNotConfirmed,
    CertificateExpired,
    CertificateNotYetValid,
    KeyRevoked,
)
from exchange.trust.signers import MAX_SKEW_NS, TrustedSigners

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
NS = 1_000_000_000
T = int(NOW.timestamp()) * NS


# -- signer rules at the edges -------------------------------------------------------------------


def signers(revoked: dict[str, int] | None = None) -> TrustedSigners:
    vk = VerifyKey.from_raw("kg", SigningKey.generate().public_raw)
    return TrustedSigners(
        "kg",
        {"k": vk},
        {"k": ((T, T + 100 * NS), (T + 200 * NS, T + 300 * NS))},
        revoked or {},
    )


@pytest.mark.parametrize(
    ("signed", "now", "error"),
    [
        (T, T, None),  # exactly at valid_from: in effect
        (T - 1, T - 1, CertificateNotYetValid),  # before the key took effect
        (T - 1, T, None),  # made earlier, vouched for once the key is in effect (re-signing)
        (T + 100 * NS - 1, T + 150 * NS, None),  # last nanosecond of the first window
        (T + 100 * NS, T + 150 * NS, CertificateExpired),  # at valid_until: rotated out
        (T + 250 * NS, T + 250 * NS, None),  # a second (re-issued) window
        (T + 300 * NS, T + 300 * NS, CertificateExpired),
        (T + 50 * NS, T + 50 * NS - MAX_SKEW_NS, None),  # exactly the allowed skew ahead
        (T + 50 * NS, T + 50 * NS - MAX_SKEW_NS - 1, CertificateNotYetValid),  # beyond it
    ],
)
def test_signer_windows_and_clock_skew(signed: int, now: int, error: type[Error] | None) -> None:
    s = signers()
    if error is None:
        s.check("k", signed, now)
    else:
        with pytest.raises(error):
            s.check("k", signed, now)


@pytest.mark.parametrize(
    ("signed", "now", "refused"),
    [
        (T + 9 * NS, T + 9 * NS, False),  # signed and received before the revocation
        (T + 10 * NS, T + 10 * NS, True),  # at the effective time
        (T + 11 * NS, T + 11 * NS, True),
        (T + 9 * NS, T + 10 * NS, True),  # claims before, received at/after: whatever it claims
        (T + 1 * NS, T + 60 * NS, True),
    ],
)
def test_revoked_key_refused_whatever_time_it_claims(signed: int, now: int, refused: bool) -> None:
    s = signers({"k": T + 10 * NS})
    if refused:
        with pytest.raises(KeyRevoked):
            s.check("k", signed, now)
    else:
        s.check("k", signed, now)


# -- the store -----------------------------------------------------------------------------------


def bundle(
    version: int, admins: dict[str, SigningKey], signers_: list[SigningKey], days: int = 365
) -> envelope_pb2.Envelope:
    tb = trust_pb2.TrustBundle(version=version, threshold=2)
    tb.expires.FromDatetime(NOW + timedelta(days=days))
    for c, k in sorted(admins.items()):
        tb.members.add(country=c, admin_keys=[k.public_raw])
    payload = tb.SerializeToString(deterministic=True)
    env = envelope_pb2.Envelope(payload_type=BUNDLE_PAYLOAD_TYPE, payload=payload)
    for k in signers_:
        env.signatures.extend(k.sign(BUNDLE_PAYLOAD_TYPE, payload).signatures)
    return env


@pytest.fixture
def admins() -> dict[str, SigningKey]:
    return {c: SigningKey.generate() for c in ("kz", "kg", "tj")}


def certs_for(
    admin: SigningKey, country: str, days: float = 365
) -> tuple[SigningKey, list[envelope_pb2.Envelope]]:
    node = SigningKey.generate()
    keys = {
        trust_pb2.KEY_PURPOSE_SIGN: node.public_raw,
        trust_pb2.KEY_PURPOSE_TLS: hashlib.sha256(country.encode()).digest(),
    }
    return node, issue_node_certificates(
        admin, country, keys, NOW - timedelta(hours=1), NOW + timedelta(days=days)
    )


def rows(db: Database) -> tuple[int, int]:
    with db.read() as s:
        return (
            int(s.execute(select(func.count()).select_from(TrustItem)).scalar_one()),
            int(s.execute(select(func.count()).select_from(KeyLogRow)).scalar_one()),
        )


def test_import_restore_and_signers(database: Database, admins: dict[str, SigningKey]) -> None:
    database.migrate()
    trust = NodeTrust("kz")
    kg_node, kg_certs = certs_for(admins["kg"], "kg")
    with database.write() as s:
        out = trust.import_items(s, [*kg_certs, bundle(1, admins, list(admins.values()))], NOW)
    assert not out.refused and len(out.accepted) == 3
    assert kg_node.key_id in trust.signers("kg")
    # Own key log: the bundle version (kz logs every bundle it accepts), not kg's certificates.
    assert trust.heads()["kz"].seq == 1
    again = NodeTrust("kz")
    with database.read() as s:
        again.restore(s)
    assert set(again.signers("kg")) == {kg_node.key_id}
    assert again.heads() == trust.heads()
    assert again.bundle is not None and again.bundle.version == 1


def test_refusals_store_nothing(database: Database, admins: dict[str, SigningKey]) -> None:
    database.migrate()
    trust = NodeTrust("kz")
    with database.write() as s:
        trust.import_items(s, [bundle(1, admins, list(admins.values()))], NOW)
    _, wrong_admin = certs_for(admins["kz"], "kg")  # kz's admin certifying for kg
    mallory = SigningKey.generate()
    _, stranger = certs_for(mallory, "kg")
    kg_node, kg_certs = certs_for(admins["kg"], "kg")
    reuse = trust_pb2.NodeKeyCertificate(
        country="tj", purpose=trust_pb2.KEY_PURPOSE_SIGN, public_key=kg_node.public_raw
    )
    reuse.valid_from.FromDatetime(NOW)
    reuse.valid_until.FromDatetime(NOW + timedelta(days=1))
    with database.write() as s:
        trust.import_items(s, kg_certs, NOW)
    before = rows(database)
    cases = {
        "certificate signed by another country's admin key": wrong_admin[0],
        "certificate signed by a key outside the bundle": stranger[0],
        "node key already certified for another country": issue(admins["tj"], reuse),
        "bundle below the threshold of the old admins": bundle(2, admins, [admins["kz"]]),
        "not a trust item": envelope_pb2.Envelope(payload_type="text/plain", payload=b"hi"),
    }
    for name, env in cases.items():
        with database.write() as s:
            out = trust.import_items(s, [env], NOW)
        assert len(out.refused) == 1 and not out.accepted, name
        assert rows(database) == before, f"{name}: something was stored"
    assert set(trust.signers("tj")) == set()


def test_peer_cannot_set_the_trust_anchor(
    database: Database, admins: dict[str, SigningKey]
) -> None:
    database.migrate()
    trust = NodeTrust("kz")
    msg = exchange_pb2.TrustSync(bundles=[bundle(1, admins, list(admins.values()))])
    with database.write() as s:
        out = trust.apply_sync(s, "kg", msg, NOW)
    assert trust.bundle is None and rows(database) == (0, 0)
    assert not out.accepted


def test_revocation_and_split_view_persist(
    database: Database, admins: dict[str, SigningKey]
) -> None:
    database.migrate()
    trust = NodeTrust("kz")
    kg_node, kg_certs = certs_for(admins["kg"], "kg")
    rev = trust_pb2.KeyRevocation(
        country="kg", key_id=node_key_id(b"x" * 32, trust_pb2.KEY_PURPOSE_SIGN), reason="test"
    )
    rev.effective.FromDatetime(NOW)
    with database.write() as s:
        trust.import_items(
            s,
            [
                bundle(1, admins, list(admins.values())),
                *kg_certs,
                issue_revocation(admins["kg"], rev),
            ],
            NOW,
        )
    assert trust.signers("kg").revoked == {
        node_key_id(b"x" * 32, trust_pb2.KEY_PURPOSE_SIGN): int(NOW.timestamp()) * NS
    }
    # kg's node sends its key log; then two checkpoints signed by kg name different entries.
    from exchange.trust import KIND_CERTIFICATE, KeyLog
    from exchange.trust.checkpoint import sign_checkpoint

    kg_log = KeyLog("kg")
    kg_log.append(kg_log.next_entry(KIND_CERTIFICATE, kg_certs[0]))
    with database.write() as s:
        trust.apply_sync(
            s, "kg", exchange_pb2.TrustSync(key_log_entries=[kg_log.entries()[0].encode()]), NOW
        )
    lie = exchange_pb2.TrustSync(
        checkpoints=[
            sign_checkpoint(kg_node, "kg", 1, kg_log.head().hash, NOW),
            sign_checkpoint(kg_node, "kg", 1, bytes(32 * [7]), NOW),
        ]
    )
    with database.write() as s:
        out = trust.apply_sync(s, "tj", lie, NOW)
    assert out.alarms and "split view" in out.alarms[0]
    again = NodeTrust("kz")
    with database.read() as s:
        again.restore(s)
    assert "kg" in again.frozen() and len(again.frozen()["kg"].evidence) == 2
    assert any("revoked" in a for a in again.alarms(NOW))
    assert again.signers("kg").revoked == trust.signers("kg").revoked
    with database.write() as s:
        assert again.resolve(s, "kg") == 1
    assert "kg" not in again.frozen()


@pytest.mark.parametrize(("days", "level"), [(40, None), (29, "warning"), (6, "URGENT")])
def test_expiry_warnings(
    database: Database, admins: dict[str, SigningKey], days: int, level: str | None
) -> None:
    database.migrate()
    trust = NodeTrust("kz")
    _, kg_certs = certs_for(admins["kg"], "kg", days=days)
    with database.write() as s:
        trust.import_items(s, [bundle(1, admins, list(admins.values())), *kg_certs], NOW)
    keys, warnings = trust.keys_report(NOW, {})
    node_rows = [k for k in keys if not str(k["purpose"]).startswith("admin")]
    assert {k["state"] for k in node_rows} == {"valid"}
    assert {k["key_id"] for k in node_rows} >= {hashlib.sha256(b"kg").hexdigest()}
    if level is None:
        assert warnings == []
    else:
        assert len(warnings) == 2 and all(w.startswith(level) for w in warnings)


def test_lost_admin_key_replaced_by_threshold(
    database: Database, admins: dict[str, SigningKey]
) -> None:
    """kg lost its admin key: kz and tj sign v2 with a new kg key; certificates from the old
    key stop being trusted, and kg's new certificates, imported with v2, are."""
    database.migrate()
    trust = NodeTrust("kz")
    old_node, old_certs = certs_for(admins["kg"], "kg")
    with database.write() as s:
        trust.import_items(s, [bundle(1, admins, list(admins.values())), *old_certs], NOW)
    assert set(trust.signers("kg")) == {old_node.key_id}
    new_admins = {**admins, "kg": SigningKey.generate()}
    v2 = bundle(2, new_admins, [admins["kz"], admins["tj"]])
    new_node, new_certs = certs_for(new_admins["kg"], "kg")
    with database.write() as s:
        out = trust.import_items(s, [*new_certs, v2], NOW)
    assert not out.refused
    assert set(trust.signers("kg")) == {new_node.key_id}


def test_sync_rounds_without_news_skip_the_database(
    database: Database, admins: dict[str, SigningKey]
) -> None:
    """Our own offer coming back is no news; to a fresh node it is; a different head for an
    entry we hold is (a split view); a head for a country we know nothing of is not."""
    database.migrate()
    kz = NodeTrust("kz")
    items = [bundle(1, admins, list(admins.values())), *certs_for(admins["kg"], "kg")[1]]
    with database.write() as s:
        kz.import_items(s, items, NOW)
    # kg's round: the same chain, certificates and kz head as kz holds, and kg's own (here
    # empty) key log: nothing to write.
    offer = kz.offer([])
    del offer.key_log_entries[:]
    assert kz.has_news("kg", offer) is False
    assert NodeTrust("tj").has_news("kz", kz.offer([])) is True
    lie = exchange_pb2.TrustSync()
    lie.heads.add(country="kz", seq=1, hash=bytes(32))
    assert kz.has_news("tj", lie) is True
    unknown = exchange_pb2.TrustSync()
    unknown.heads.add(country="zz", seq=5, hash=bytes(32))
    assert kz.has_news("tj", unknown) is False


@pytest.mark.parametrize("confirmed", ["", "00" * 32, "wrong"])
def test_first_anchor_without_its_confirmed_digest_installs_nothing(
    database: Database, admins: dict[str, SigningKey], confirmed: str
) -> None:
    """The Operator RPC passes the digest a person confirmed; a node with no anchor takes no
    other first bundle (nor the certificates that came with it)."""
    database.migrate()
    trust = NodeTrust("kz")
    v1 = bundle(1, admins, list(admins.values()))
    _, kg_certs = certs_for(admins["kg"], "kg")
    with database.write() as s:
        out = trust.import_items(s, [v1, *kg_certs], NOW, anchor_digest=confirmed)
    assert not out.accepted and isinstance(out.refused[0][1], AnchorNotConfirmed)
    assert trust.bundle is None and rows(database) == (0, 0)
    with database.write() as s:
        ok = trust.import_items(s, [v1], NOW, anchor_digest=hashlib.sha256(v1.payload).hexdigest())
    assert not ok.refused and trust.bundle is not None and trust.bundle.version == 1


@pytest.mark.parametrize("named_by", ["fingerprint", "legacy id"])
def test_tls_key_revoked_by_its_fingerprint_or_its_former_id(
    database: Database, admins: dict[str, SigningKey], named_by: str
) -> None:
    """A TLS key's id is its SPKI fingerprint; a revocation that names it by the id used
    before (the sha256 of the fingerprint) still drops its pin: an upgrade never un-revokes."""
    database.migrate()
    trust = NodeTrust("kz")
    _, kg_certs = certs_for(admins["kg"], "kg")
    spki = hashlib.sha256(b"kg").digest()  # what certs_for certifies as kg's TLS key
    assert node_key_id(spki, trust_pb2.KEY_PURPOSE_TLS) == spki.hex()
    with database.write() as s:
        trust.import_items(s, [bundle(1, admins, list(admins.values())), *kg_certs], NOW)
    assert set(trust.tls_pins("kg", NOW)) == {spki.hex()}
    kid = spki.hex() if named_by == "fingerprint" else hashlib.sha256(spki).hexdigest()
    rev = trust_pb2.KeyRevocation(country="kg", key_id=kid, reason="key exposed")
    rev.effective.FromDatetime(NOW - timedelta(minutes=1))
    with database.write() as s:
        trust.import_items(s, [issue_revocation(admins["kg"], rev)], NOW)
    assert trust.tls_pins("kg", NOW) == {}
    assert not trust.certified("kg", trust_pb2.KEY_PURPOSE_TLS, spki, NOW)
