"""The trust state machine without a database (exchange.node.truststate, trustgossip): given
what it holds, the items and the time, it decides and records the changes to make; a refusal
records nothing. The same decisions on a real database are tests/unit/test_trust_store.py."""

from __future__ import annotations

from datetime import timedelta

from exchange._proto.v1 import envelope_pb2, trust_pb2
from exchange.envelope import SigningKey
from exchange.node.trustchanges import AppendLog, Changes, Held, KeepItem, Unfreeze
from exchange.node.trustgossip import TrustGossip
from exchange.node.trustplan import prepare
from exchange.trust import issue_revocation
from tests.unit.test_trust_store import NOW, bundle, certs_for

SIGN = trust_pb2.KEY_PURPOSE_SIGN


def region() -> tuple[dict[str, SigningKey], dict[str, SigningKey], list[envelope_pb2.Envelope]]:
    admins = {c: SigningKey.generate() for c in ("kz", "kg", "tj")}
    nodes, items = {}, [bundle(1, admins, list(admins.values()))]
    for c, admin in admins.items():
        nodes[c], certs = certs_for(admin, c)
        items.extend(certs)
    return admins, nodes, items


def state(country: str, nodes: dict[str, SigningKey]) -> TrustGossip:
    return TrustGossip(country, signer=lambda: nodes[country])


def test_import_decides_and_records_every_row_to_write() -> None:
    _, nodes, items = region()
    kz = state("kz", nodes)
    ch = Changes(NOW)
    out = kz.import_all(ch, items, NOW)
    assert not out.refused
    kept = [op for op in ch.ops if isinstance(op, KeepItem)]
    assert sorted(op.kind for op in kept) == ["bundle"] + ["certificate"] * 6
    own_log = [op for op in ch.ops if isinstance(op, AppendLog)]
    # kz's key log: the bundle and kz's own two certificates, in order from 1
    assert [op.seq for op in own_log] == [1, 2, 3] and {op.country for op in own_log} == {"kz"}
    assert kz.certified("kg", SIGN, nodes["kg"].public_raw, NOW)


def test_wrong_anchor_refused_records_nothing() -> None:
    _, nodes, items = region()
    kz = state("kz", nodes)
    ch = Changes(NOW)
    out = kz.import_all(ch, items, NOW, anchor_digest="00" * 32)
    assert [k for k, _ in out.refused] == ["bundle"]
    assert ch.ops == [] and kz.bundle is None


def test_certificate_from_an_unknown_admin_refused_records_nothing() -> None:
    _, nodes, items = region()
    kz = state("kz", nodes)
    kz.import_all(Changes(NOW), items, NOW)
    forged_key, forged = certs_for(SigningKey.generate(), "kg")
    ch = Changes(NOW)
    out = kz.import_all(ch, forged, NOW)
    assert len(out.refused) == 2 and ch.ops == []
    assert not kz.certified("kg", SIGN, forged_key.public_raw, NOW)


def test_replayed_items_change_nothing() -> None:
    _, nodes, items = region()
    kz = state("kz", nodes)
    kz.import_all(Changes(NOW), items, NOW)
    version = kz.version
    ch = Changes(NOW)
    out = kz.import_all(ch, items, NOW)
    assert not out.refused and all(not new for _, _, new in out.accepted)
    assert ch.ops == [] and kz.version == version


def test_state_loaded_from_its_own_changes_trusts_the_same() -> None:
    """What the storage step writes is enough to rebuild the state (a restart)."""
    _, nodes, items = region()
    kz = state("kz", nodes)
    ch = Changes(NOW)
    kz.import_all(ch, items, NOW)
    again = state("kz", nodes)
    again.load(
        Held(
            items=tuple(op for op in ch.ops if isinstance(op, KeepItem)),
            log_entries=tuple(op.entry for op in ch.ops if isinstance(op, AppendLog)),
        )
    )
    assert again.heads() == kz.heads()
    assert again.certificates() == kz.certificates()
    for c, key in nodes.items():
        assert again.certified(c, SIGN, key.public_raw, NOW)


def test_revocation_takes_effect_at_its_time_and_is_recorded() -> None:
    admins, nodes, items = region()
    kz = state("kz", nodes)
    kz.import_all(Changes(NOW), items, NOW)
    rev = trust_pb2.KeyRevocation(country="kg", key_id=nodes["kg"].key_id, reason="lost")
    rev.effective.FromDatetime(NOW + timedelta(minutes=5))
    ch = Changes(NOW)
    out = kz.import_all(ch, [issue_revocation(admins["kg"], rev)], NOW)
    assert not out.refused
    assert [op.kind for op in ch.ops if isinstance(op, KeepItem)] == ["revocation"]
    assert kz.certified("kg", SIGN, nodes["kg"].public_raw, NOW + timedelta(minutes=4))
    assert not kz.certified("kg", SIGN, nodes["kg"].public_raw, NOW + timedelta(minutes=5))


def test_gossip_plan_taken_records_the_senders_key_log() -> None:
    """kg takes kz's offer: kz's own key log entries are recorded for kg's store."""
    _, nodes, items = region()
    kz, kg = state("kz", nodes), state("kg", nodes)
    kz.import_all(Changes(NOW), items, NOW)
    kg.import_all(Changes(NOW), items, NOW)
    offer = kz.offer([], NOW)
    assert kg.has_news("kz", offer)
    plan = prepare(kg.snapshot(offer), offer, NOW)
    ch = Changes(NOW)
    kg.take_plan(ch, "kz", offer, plan, NOW)
    logged = [op for op in ch.ops if isinstance(op, AppendLog)]
    assert logged and {op.country for op in logged} == {"kz"}
    assert kg.heads()["kz"] == kz.heads()["kz"]
    # The same offer again: nothing new, nothing to write.
    assert not kg.has_news("kz", offer)
    ch2 = Changes(NOW)
    kg.take_plan(ch2, "kz", offer, prepare(kg.snapshot(offer), offer, NOW), NOW)
    assert ch2.ops == []


def test_lifting_a_freeze_records_the_unfreeze() -> None:
    _, nodes, items = region()
    kz = state("kz", nodes)
    kz.import_all(Changes(NOW), items, NOW)
    ch = Changes(NOW)
    kz.lift_freeze(ch, "kz")
    assert ch.ops == [Unfreeze("kz")]
