"""Trust bundle rotation (TUF root-rotation rules), named after the attacks each rule stops.

Every refusal also checks that the trusted state (version, digest, chain) did not change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pytest

from exchange._proto.v1 import envelope_pb2
from exchange.envelope import SigningKey
from exchange.errors import Error
from exchange.trust import TrustedBundles
from exchange.trust.errors import (
    AdminKeyReused,
    BundleExpired,
    BundleTooLarge,
    ChainTooLong,
    MalformedBundle,
    RollbackRefused,
    ThresholdNotMet,
    TrustError,
    VersionConflict,
    VersionSkipped,
    WeakKey,
)
from tests.unit.test_trust_multisig import T0, US, YEAR, bundle_payload, sign_all

NOW = T0 + YEAR / 2
SMALL_ORDER = bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")
NON_CANONICAL = bytes.fromhex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")


@dataclass
class Region:
    kz: SigningKey = field(default_factory=SigningKey.generate)
    kg: SigningKey = field(default_factory=SigningKey.generate)
    tj: SigningKey = field(default_factory=SigningKey.generate)
    uz: SigningKey = field(default_factory=SigningKey.generate)

    def members(self) -> dict[str, Sequence[SigningKey | bytes]]:
        return {"kz": [self.kz], "kg": [self.kg], "tj": [self.tj]}

    def v(self, version: int, **kw: object) -> envelope_pb2.Envelope:
        """Version `version` of the three-member bundle, signed by kz and kg."""
        return sign_all(bundle_payload(version, self.members(), **kw), [self.kz, self.kg])  # type: ignore[arg-type]

    def trusted(self, *upto: envelope_pb2.Envelope) -> TrustedBundles:
        tb = TrustedBundles(self.v(1))
        for env in upto:
            tb.update(env, NOW)
        return tb


def snapshot(tb: TrustedBundles) -> tuple[int, str, int]:
    return tb.current.version, tb.current.digest, len(tb.chain)


def refused(tb: TrustedBundles, env: envelope_pb2.Envelope, exc: type[Error]) -> Error:
    before = snapshot(tb)
    with pytest.raises(exc) as info:
        tb.update(env, NOW)
    assert snapshot(tb) == before
    assert info.value.message  # a message a person can act on
    return info.value


# --- the attack table -------------------------------------------------------------------------


def below_threshold_of_old_admins(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    members = {**r.members(), "uz": [r.uz]}
    return r.trusted(), sign_all(bundle_payload(2, members), [r.kz, r.uz])


def below_threshold_of_new_admins(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    new = {"kz": [SigningKey.generate()], "kg": [SigningKey.generate()], "tj": [r.tj]}
    payload = bundle_payload(2, new)
    # A threshold of the old admins, but only one of the new ones (tj).
    return r.trusted(), sign_all(payload, [r.kz, r.kg, r.tj])


def one_key_signing_twice(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    return r.trusted(), sign_all(bundle_payload(2, r.members()), [r.kz, r.kz])


def one_key_listed_twice_in_one_country(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    members = {**r.members(), "kz": [r.kz, r.kz]}
    return r.trusted(), sign_all(bundle_payload(2, members), [r.kz, r.kg])


def rollback_to_an_older_version(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    return r.trusted(r.v(2), r.v(3)), r.v(2)


def rollback_to_the_anchor(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    return r.trusted(r.v(2)), r.v(1)


def same_version_different_content(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    return r.trusted(r.v(2)), r.v(2, expires=T0 + 2 * YEAR)


def skipped_version(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    return r.trusted(), r.v(3)


def expired_bundle(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    return r.trusted(), r.v(2, expires=NOW - US)


def expired_exactly_now(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    return r.trusted(), r.v(2, expires=NOW)


def mix_signatures_of_v2a_on_payload_of_v2b(
    r: Region,
) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    v2a = r.v(2, expires=T0 + 2 * YEAR)
    v2b = r.v(2, threshold=1)
    mixed = envelope_pb2.Envelope(payload_type=v2b.payload_type, payload=v2b.payload)
    mixed.signatures.extend(v2a.signatures)
    return r.trusted(), mixed


def mix_half_signatures_of_each(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    v2a = r.v(2, expires=T0 + 2 * YEAR)
    v2b = r.v(2, threshold=1)
    mixed = envelope_pb2.Envelope(payload_type=v2b.payload_type, payload=v2b.payload)
    mixed.signatures.extend([v2a.signatures[0], v2b.signatures[1]])
    return r.trusted(), mixed


def oversized_bundle(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    env = r.v(2)
    env.signatures.add(key_id="padding", sig=b"\x00" * (64 * 1024))
    return r.trusted(), env


def too_many_signatures(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    env = r.v(2)
    for _ in range(300):
        env.signatures.extend(env.signatures[:1])
    return r.trusted(), env


def key_id_reused_for_another_country(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    # kz's admin key also listed for uz: one key would speak for two countries and count twice.
    members = {**r.members(), "uz": [r.kz]}
    return r.trusted(), sign_all(bundle_payload(2, members), [r.kz, r.kg])


def key_id_label_on_another_key(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    env = sign_all(bundle_payload(2, r.members()), [r.kz, SigningKey.generate()])
    env.signatures[1].key_id = r.kg.key_id  # claims to be kg, made by a stranger
    return r.trusted(), env


def small_order_admin_key(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    members = {**r.members(), "uz": [SMALL_ORDER]}
    return r.trusted(), sign_all(bundle_payload(2, members), [r.kz, r.kg])


def non_canonical_admin_key(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    members = {**r.members(), "uz": [NON_CANONICAL]}
    return r.trusted(), sign_all(bundle_payload(2, members), [r.kz, r.kg])


def threshold_zero(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    return r.trusted(), r.v(2, threshold=0)


def threshold_above_number_of_admin_keys(
    r: Region,
) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    return r.trusted(), r.v(2, threshold=4)


def observers_vote_to_reach_threshold(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    # v2 makes uz an observer; only kz (member) and uz (observer) sign v2 -> below v1's threshold.
    payload = bundle_payload(2, r.members(), observers={"uz": [r.uz]})
    return r.trusted(), sign_all(payload, [r.kz, r.uz])


def wrong_payload_type(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    payload = bundle_payload(2, r.members())
    return r.trusted(), sign_all(payload, [r.kz, r.kg], "application/vnd.exchange.v1.Alert")


def signed_garbage(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    return r.trusted(), sign_all(b"\xff\xff\xff garbage", [r.kz, r.kg])


def duplicate_country(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    payload = bundle_payload(2, r.members(), observers={"kz": [r.uz]})
    return r.trusted(), sign_all(payload, [r.kz, r.kg])


def chain_too_long(r: Region) -> tuple[TrustedBundles, envelope_pb2.Envelope]:
    tb = TrustedBundles(r.v(1), max_chain=2)
    tb.update(r.v(2), NOW)
    return tb, r.v(3)


ATTACKS: list[tuple[Callable[[Region], tuple[TrustedBundles, envelope_pb2.Envelope]], type]] = [
    (below_threshold_of_old_admins, ThresholdNotMet),
    (below_threshold_of_new_admins, ThresholdNotMet),
    (one_key_signing_twice, ThresholdNotMet),
    (one_key_listed_twice_in_one_country, AdminKeyReused),
    (rollback_to_an_older_version, RollbackRefused),
    (rollback_to_the_anchor, RollbackRefused),
    (same_version_different_content, VersionConflict),
    (skipped_version, VersionSkipped),
    (expired_bundle, BundleExpired),
    (expired_exactly_now, BundleExpired),
    (mix_signatures_of_v2a_on_payload_of_v2b, ThresholdNotMet),
    (mix_half_signatures_of_each, ThresholdNotMet),
    (oversized_bundle, BundleTooLarge),
    (too_many_signatures, BundleTooLarge),
    (key_id_reused_for_another_country, AdminKeyReused),
    (key_id_label_on_another_key, ThresholdNotMet),
    (small_order_admin_key, WeakKey),
    (non_canonical_admin_key, WeakKey),
    (threshold_zero, MalformedBundle),
    (threshold_above_number_of_admin_keys, MalformedBundle),
    (observers_vote_to_reach_threshold, ThresholdNotMet),
    (wrong_payload_type, MalformedBundle),
    (signed_garbage, MalformedBundle),
    (duplicate_country, MalformedBundle),
    (chain_too_long, ChainTooLong),
]


@pytest.mark.parametrize(("attack", "expected"), ATTACKS, ids=[a.__name__ for a, _ in ATTACKS])
def test_bundle_attack_refused(
    attack: Callable[[Region], tuple[TrustedBundles, envelope_pb2.Envelope]], expected: type[Error]
) -> None:
    tb, env = attack(Region())
    err = refused(tb, env, expected)
    assert isinstance(err, TrustError)


@pytest.mark.parametrize(("attack", "expected"), ATTACKS, ids=[a.__name__ for a, _ in ATTACKS])
def test_bundle_attack_refused_in_a_walk(
    attack: Callable[[Region], tuple[TrustedBundles, envelope_pb2.Envelope]], expected: type[Error]
) -> None:
    tb, env = attack(Region())
    before = snapshot(tb)
    if attack in (rollback_to_an_older_version, rollback_to_the_anchor):
        # A walk skips versions already in the chain (a peer serves its whole chain): no change.
        tb.walk([env], NOW)
    else:
        with pytest.raises(expected):
            tb.walk([env], NOW)
    assert snapshot(tb) == before


# --- anchor, freeze, clock edges --------------------------------------------------------------


def test_anchor_below_its_own_threshold_refused() -> None:
    r = Region()
    with pytest.raises(ThresholdNotMet):
        TrustedBundles(sign_all(bundle_payload(1, r.members()), [r.kz]))


def test_anchor_with_small_order_key_refused() -> None:
    r = Region()
    members = {**r.members(), "uz": [SMALL_ORDER]}
    with pytest.raises(WeakKey):
        TrustedBundles(sign_all(bundle_payload(1, members), [r.kz, r.kg]))


def test_expired_bundle_freezes_trust() -> None:
    r = Region()
    tb = TrustedBundles(r.v(1, expires=NOW))
    assert not tb.is_frozen(NOW - US)
    assert tb.is_frozen(NOW)
    assert tb.is_frozen(NOW + US)
    # A fresh successor thaws it.
    tb.update(r.v(2, expires=NOW + YEAR), NOW + US)
    assert not tb.is_frozen(NOW + US)


@pytest.mark.parametrize(
    ("offset", "accepted"), [(-US, True), (0 * US, False), (US, False)], ids=["-1us", "0", "+1us"]
)
def test_bundle_expiry_clock_edges(offset: datetime, accepted: bool) -> None:
    r = Region()
    tb = r.trusted()
    env = r.v(2, expires=NOW)
    now = NOW + offset  # type: ignore[operator]
    if accepted:
        assert tb.update(env, now).version == 2
    else:
        before = snapshot(tb)
        with pytest.raises(BundleExpired):
            tb.update(env, now)
        assert snapshot(tb) == before


def test_naive_now_is_a_programming_error() -> None:
    r = Region()
    with pytest.raises(ValueError):
        r.trusted().update(r.v(2), datetime(2030, 6, 1))


# --- happy paths ------------------------------------------------------------------------------


def test_v1_v2_v3_update() -> None:
    r = Region()
    tb = r.trusted()
    tb.update(r.v(2), NOW)
    assert tb.update(r.v(3), NOW).version == 3
    assert [e.payload for e in tb.chain] == [r.v(i).payload for i in (1, 2, 3)]


def test_same_bytes_again_is_a_no_op() -> None:
    r = Region()
    tb = r.trusted(r.v(2))
    before = snapshot(tb)
    tb.update(r.v(2), NOW)
    assert snapshot(tb) == before


def test_offline_node_walks_a_peers_whole_chain() -> None:
    r = Region()
    peer = r.trusted(r.v(2), r.v(3))
    node = r.trusted()
    assert node.walk(peer.chain, NOW).version == 3
    assert [e.payload for e in node.chain] == [e.payload for e in peer.chain]


def test_walk_accepts_expired_intermediate_versions_if_the_last_is_fresh() -> None:
    r = Region()
    node = r.trusted()
    chain = [r.v(2, expires=NOW - YEAR / 4), r.v(3, expires=NOW + YEAR)]
    assert node.walk(chain, NOW).version == 3


def test_walk_is_all_or_nothing() -> None:
    r = Region()
    node = r.trusted()
    before = snapshot(node)
    bad_v3 = sign_all(bundle_payload(3, r.members()), [r.kz])
    with pytest.raises(ThresholdNotMet):
        node.walk([r.v(2), bad_v3], NOW)
    assert snapshot(node) == before


def test_walk_ending_on_an_expired_version_changes_nothing() -> None:
    r = Region()
    node = r.trusted()
    before = snapshot(node)
    with pytest.raises(BundleExpired):
        node.walk([r.v(2), r.v(3, expires=NOW)], NOW)
    assert snapshot(node) == before


def test_rotate_every_admin_key_then_old_keys_no_longer_count() -> None:
    r = Region()
    tb = r.trusted()
    new = {c: SigningKey.generate() for c in ("kz", "kg", "tj")}
    v2 = bundle_payload(2, {c: [k] for c, k in new.items()})
    tb.update(sign_all(v2, [r.kz, r.kg, new["kz"], new["tj"]]), NOW)
    v3 = bundle_payload(3, {c: [k] for c, k in new.items()})
    refused(tb, sign_all(v3, [r.kz, r.kg, new["kz"]]), ThresholdNotMet)
    assert tb.update(sign_all(v3, [new["kz"], new["kg"]]), NOW).version == 3


def test_add_a_country() -> None:
    r = Region()
    tb = r.trusted()
    members = {**r.members(), "uz": [r.uz]}
    v2 = tb.update(sign_all(bundle_payload(2, members, threshold=3), [r.kz, r.tj, r.uz]), NOW)
    assert [p.country for p in v2.members] == ["kz", "kg", "tj", "uz"]
    assert v2.threshold == 3
