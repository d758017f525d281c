"""Key log heads travel as checkpoints signed by their own country: a member's claim about
another country (unsigned, or signed by itself) never freezes that country; two checkpoints the
country itself signed that conflict do, with both kept as the evidence. In-process nodes on real
databases (the victim kz on SQLite and PostgreSQL), through the Trust RPC's own intake."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest

from exchange._proto.v1 import envelope_pb2, exchange_pb2, trust_pb2
from exchange.envelope import SigningKey, VerifyKey
from exchange.errors import Error
from exchange.node.truststore import NodeTrust
from exchange.store.db import Database
from exchange.trust.checkpoint import CHECKPOINT_PAYLOAD_TYPE, open_checkpoint, sign_checkpoint
from exchange.trust.errors import (
    CertificateExpired,
    CheckpointSignatureInvalid,
    KeyLogFrozen,
    KeyRevoked,
    MalformedCheckpoint,
)
from exchange.trust.signers import TrustedSigners
from tests.unit.test_trust_store import NOW, NS
from tests.unit.trustnet import Net, audited, counts, trust_net

OTHER = hashlib.sha256(b"another history").digest()


@pytest.fixture
def net(database: Database, tmp_path: Path) -> Net:
    with trust_net(database, tmp_path) as n:
        n.gossip("tj", "kz")  # kz learns tj's key log and checkpoint from tj's own node
        yield n  # type: ignore[misc]


def unsigned_checkpoint(country: str, seq: int, h: bytes) -> envelope_pb2.Envelope:
    msg = trust_pb2.KeyLogCheckpoint(country=country, seq=seq, hash=h)
    msg.signed_at.FromDatetime(NOW)
    return envelope_pb2.Envelope(
        payload_type=CHECKPOINT_PAYLOAD_TYPE, payload=msg.SerializeToString(deterministic=True)
    )


def junk_signed(country: str, seq: int, h: bytes, key_id: str) -> envelope_pb2.Envelope:
    env = unsigned_checkpoint(country, seq, h)
    env.signatures.add(key_id=key_id, sig=bytes(64))
    return env


def tj_rotates(net: Net) -> None:
    """tj certifies a new signing key and revokes the old one; kz must accept both."""
    tj = net["tj"]
    old, tj.key = tj.key, SigningKey.generate()
    tj.import_items([*tj.certs(tj.key), tj.revoke(old)])
    net.gossip("tj", "kz")
    kz = net["kz"].trust
    assert tj.key.key_id in kz.signers("tj")
    assert old.key_id in kz.signers("tj").revoked
    assert "tj" not in kz.frozen()


def test_forged_head_for_another_country_cannot_freeze_it(net: Net) -> None:
    """kg tells kz that tj's log holds another entry: unsigned head, unsigned checkpoint, and a
    checkpoint with a junk signature under tj's key id. tj is not frozen; the head is one
    warning, the checkpoints one refusal, however many rounds kg repeats them."""
    kz = net["kz"]
    tj_seq = kz.trust.heads()["tj"].seq
    before = counts(kz.db)
    lie = exchange_pb2.TrustSync(
        checkpoints=[
            unsigned_checkpoint("tj", tj_seq, OTHER),
            junk_signed("tj", 1, OTHER, net["tj"].key.key_id),
        ]
    )
    lie.heads.add(country="tj", seq=1, hash=OTHER)
    for _ in range(3):
        out = kz.take("kg", lie)
        assert not out.alarms
    assert kz.trust.frozen() == {}
    assert counts(kz.db) == before, "something was stored"
    assert len(audited(kz.db, "trust.warning")) == 1
    refused = audited(kz.db, "trust.refused")
    assert len(refused) == 1 and refused[0]["refused"] == 2
    assert refused[0]["kind"] == "CheckpointSignatureInvalid"
    assert audited(kz.db, "trust.alarm") == []
    tj_rotates(net)


def test_checkpoint_for_tj_signed_by_kg_refused(net: Net) -> None:
    """kg signs 'tj's checkpoints' with its own certified key, two that conflict: refused (a
    country signs only its own), no freeze, nothing stored, audited once."""
    kz, kg = net["kz"], net["kg"]
    before = counts(kz.db)
    lie = exchange_pb2.TrustSync(
        checkpoints=[
            sign_checkpoint(kg.key, "tj", 1, OTHER, NOW),
            sign_checkpoint(kg.key, "tj", 1, hashlib.sha256(b"a third").digest(), NOW),
        ]
    )
    kz.take("kg", lie)
    kz.take("kg", lie)
    assert kz.trust.frozen() == {}
    assert counts(kz.db) == before
    refused = audited(kz.db, "trust.refused")
    assert len(refused) == 1 and refused[0]["kind"] == "CheckpointWrongCountry"
    assert "signed by a signing key of 'kg'" in str(refused[0]["reason"])
    tj_rotates(net)


def test_two_checkpoints_signed_by_tj_that_conflict_freeze_it_with_the_evidence(
    net: Net, database: Database
) -> None:
    """tj's key signed two histories; kg relays the second. kz freezes tj, keeps both
    checkpoints as the evidence (persisted), and refuses tj's key changes."""
    kz, tj = net["kz"], net["tj"]
    real = next(e for e in tj.offer().checkpoints if e.signatures[0].key_id == tj.key.key_id)
    seq = kz.trust.heads()["tj"].seq
    other = sign_checkpoint(tj.key, "tj", seq, OTHER, NOW)
    out = kz.take("kg", exchange_pb2.TrustSync(checkpoints=[other]))
    assert out.alarms and "two checkpoints signed by 'tj'" in out.alarms[0]
    assert len(audited(kz.db, "trust.alarm")) == 1
    fr = kz.trust.frozen()["tj"]
    real_bytes = real.SerializeToString(deterministic=True)
    assert fr.evidence == (real_bytes, other.SerializeToString(deterministic=True))
    # Persisted: a restarted kz is still frozen and holds the same evidence.
    again = NodeTrust("kz")
    with database.read() as s:
        again.restore(s)
    assert again.frozen()["tj"].evidence == fr.evidence
    # A key change of tj is now refused, and nothing is stored.
    before = counts(kz.db)
    tj.key = SigningKey.generate()
    with database.write() as s, pytest.raises(KeyLogFrozen):
        kz.trust.accept(s, tj.certs(tj.key)[0], NOW)
    assert counts(kz.db) == before


def test_country_showing_two_histories_is_caught_where_relays_meet(net: Net) -> None:
    """tj shows kz one history and kg another (both signed by tj). Each node relays the
    checkpoint it holds; where they meet, both kz and kg freeze tj, each with both checkpoints."""
    kz, kg, tj = net["kz"], net["kg"], net["tj"]
    seq = kz.trust.heads()["tj"].seq
    kg.take(
        "tj", exchange_pb2.TrustSync(checkpoints=[sign_checkpoint(tj.key, "tj", seq, OTHER, NOW)])
    )
    assert kg.trust.frozen() == {}  # kg holds no entries of tj: nothing to contradict yet
    net.gossip("kg", "kz")
    assert "tj" in kz.trust.frozen() and "tj" in kg.trust.frozen()
    assert len(kz.trust.frozen()["tj"].evidence) == len(kg.trust.frozen()["tj"].evidence) == 2


def test_checkpoint_contradicting_tjs_own_entries_freezes_it(net: Net) -> None:
    """A checkpoint signed by tj at a seq kz holds from tj's own node, with another hash."""
    kz, tj = net["kz"], net["tj"]
    assert kz.trust.heads()["tj"].seq >= 2
    out = kz.take(
        "kg", exchange_pb2.TrustSync(checkpoints=[sign_checkpoint(tj.key, "tj", 2, OTHER, NOW)])
    )
    assert out.alarms and "contradicts the log its checkpoint" in out.alarms[0]
    assert len(kz.trust.frozen()["tj"].evidence) == 2


def test_longer_checkpoint_that_does_not_extend_the_log_freezes_once_entries_arrive(
    net: Net,
) -> None:
    """A tj-signed checkpoint ahead of kz's log is held; when tj's own node sends the entries up
    to that seq and they differ, the contradiction is proven and tj is frozen."""
    kz, tj = net["kz"], net["tj"]
    ahead = kz.trust.heads()["tj"].seq + 2
    kz.take(
        "kg", exchange_pb2.TrustSync(checkpoints=[sign_checkpoint(tj.key, "tj", ahead, OTHER, NOW)])
    )
    assert kz.trust.frozen() == {}
    new = SigningKey.generate()
    tj.import_items(tj.certs(new))  # two more entries in tj's log, hashing otherwise
    out = kz.take("tj", tj.offer())
    assert out.alarms and "contradict its signed checkpoint" in out.alarms[0]
    assert "tj" in kz.trust.frozen()


def test_conflicting_checkpoint_of_our_own_country_is_an_alarm_not_a_freeze(net: Net) -> None:
    """Someone holds a checkpoint signed by kz's key for a history kz's log does not have:
    kz's key signed two histories. An alarm (once), never a freeze of kz itself."""
    kz = net["kz"]
    forged = sign_checkpoint(kz.key, "kz", 1, OTHER, NOW)
    for _ in range(2):
        kz.take("kg", exchange_pb2.TrustSync(checkpoints=[forged]))
    alarms = audited(kz.db, "trust.alarm")
    assert len(alarms) == 1 and "signing key signed another history" in str(alarms[0]["alarm"])
    assert kz.trust.frozen() == {}
    kz.import_items(kz.certs(SigningKey.generate()))  # our own key changes go on


def test_checkpoints_signed_on_each_head_change_and_relayed(net: Net) -> None:
    """Normal gossip: kz signs a checkpoint of its head, signs again after a change; kg holds
    the newest and relays it to tj, which verifies it. No warning, refusal or alarm anywhere."""
    kz, kg, tj = net["kz"], net["kg"], net["tj"]

    def own(node: str) -> trust_pb2.KeyLogCheckpoint:
        env = next(
            e
            for e in net[node].offer().checkpoints
            if e.signatures[0].key_id == net[node].key.key_id
        )
        return trust_pb2.KeyLogCheckpoint.FromString(env.payload)

    first = own("kz")
    assert first.seq == kz.trust.heads()["kz"].seq
    kz.import_items(kz.certs(SigningKey.generate()))
    assert own("kz").seq == first.seq + 2
    net.gossip("kz", "kg")
    net.gossip("kg", "tj")
    held = tj.trust.witness.held["kz"]
    assert (held.seq, held.country) == (own("kz").seq, "kz")
    for c in ("kz", "kg", "tj"):
        db = net[c].db
        assert audited(db, "trust.warning") == audited(db, "trust.refused") == []
        assert audited(db, "trust.alarm") == []
    # A round with nothing new costs no transaction: has_news is False both ways.
    assert not kg.trust.has_news("kz", kz.offer())
    assert not tj.trust.has_news("kg", kg.offer())


# -- the checkpoint itself ---------------------------------------------------------------------


def _signers(key: SigningKey, *, revoked_ns: int | None = None) -> dict[str, TrustedSigners]:
    t = int(NOW.timestamp()) * NS
    vk = VerifyKey.from_raw("tj", key.public_raw)
    revoked = {key.key_id: revoked_ns} if revoked_ns is not None else {}
    s = TrustedSigners(
        "tj", {key.key_id: vk}, {key.key_id: ((t - 3600 * NS, t + 30 * NS),)}, revoked
    )
    return {key.key_id: s}


def _payload(**fields: object) -> bytes:
    msg = trust_pb2.KeyLogCheckpoint(country="tj", seq=1, hash=OTHER)
    msg.signed_at.FromDatetime(NOW)
    for k, v in fields.items():
        if k == "signed_at":
            msg.ClearField("signed_at")
            if v is not None:
                msg.signed_at.FromDatetime(v)  # type: ignore[arg-type]
        else:
            setattr(msg, k, v)
    return msg.SerializeToString(deterministic=True)


KEY = SigningKey.generate()
T0 = int(NOW.timestamp()) * NS


@pytest.mark.parametrize(
    ("env", "signers", "error"),
    [
        (KEY.sign(CHECKPOINT_PAYLOAD_TYPE, _payload()), _signers(KEY), None),
        (
            KEY.sign(CHECKPOINT_PAYLOAD_TYPE, _payload() + b"\x78\x01"),
            _signers(KEY),
            MalformedCheckpoint,
        ),
        (KEY.sign(CHECKPOINT_PAYLOAD_TYPE, _payload(seq=0)), _signers(KEY), MalformedCheckpoint),
        (
            KEY.sign(CHECKPOINT_PAYLOAD_TYPE, _payload(hash=b"x" * 31)),
            _signers(KEY),
            MalformedCheckpoint,
        ),
        (
            KEY.sign(CHECKPOINT_PAYLOAD_TYPE, _payload(country="TJ")),
            _signers(KEY),
            MalformedCheckpoint,
        ),
        (
            KEY.sign(CHECKPOINT_PAYLOAD_TYPE, _payload(signed_at=None)),
            _signers(KEY),
            MalformedCheckpoint,
        ),
        (KEY.sign("text/plain", _payload()), _signers(KEY), CheckpointSignatureInvalid),
        (
            SigningKey.generate().sign(CHECKPOINT_PAYLOAD_TYPE, _payload()),
            _signers(KEY),
            CheckpointSignatureInvalid,
        ),
        (
            KEY.sign(CHECKPOINT_PAYLOAD_TYPE, _payload(signed_at=NOW + timedelta(seconds=45))),
            _signers(KEY),
            CertificateExpired,
        ),
        (
            KEY.sign(CHECKPOINT_PAYLOAD_TYPE, _payload()),
            _signers(KEY, revoked_ns=T0 - NS),
            KeyRevoked,
        ),
    ],
    ids=[
        "valid",
        "non-canonical",
        "seq-0",
        "short-hash",
        "bad-country",
        "no-time",
        "wrong-payload-type",
        "uncertified-key",
        "outside-the-key-window",
        "revoked-key",
    ],
)
def test_malformed_or_badly_signed_checkpoint_refused(
    env: envelope_pb2.Envelope, signers: dict[str, TrustedSigners], error: type[Error] | None
) -> None:
    now = T0 + 60 * NS
    if error is None:
        cp = open_checkpoint(env, signers, now)
        assert (cp.country, cp.seq, cp.hash, cp.key_id) == ("tj", 1, OTHER, KEY.key_id)
        return
    with pytest.raises(error) as info:
        open_checkpoint(env, signers, now)
    assert info.value.message


def test_checkpoint_with_two_signatures_refused() -> None:
    env = KEY.sign(CHECKPOINT_PAYLOAD_TYPE, _payload())
    env.signatures.extend(KEY.sign(CHECKPOINT_PAYLOAD_TYPE, _payload()).signatures)
    with pytest.raises(CheckpointSignatureInvalid):
        open_checkpoint(env, _signers(KEY), T0)
    oversized = KEY.sign(CHECKPOINT_PAYLOAD_TYPE, _payload() + b"\x00" * 600)
    with pytest.raises(MalformedCheckpoint):
        open_checkpoint(oversized, _signers(KEY), T0)
