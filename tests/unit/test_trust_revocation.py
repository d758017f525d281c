"""Key revocation and rotation overlap, named after the attacks each check stops.

Every refusal also checks that nothing was trusted: the revocation set and the bundle chain are
exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from exchange._proto.v1 import envelope_pb2, trust_pb2
from exchange.envelope import SigningKey
from exchange.errors import Error, MalformedInput
from exchange.trust import (
    REVOCATION_PAYLOAD_TYPE,
    RevocationSet,
    check_item_signer,
    issue,
    issue_revocation,
    node_key_id,
    rotation_check,
    verify_certificate,
    verify_revocation,
)
from exchange.trust.errors import (
    CertificateExpired,
    CertificateNotYetValid,
    KeyRevoked,
    MalformedRevocation,
    RevocationSignatureInvalid,
    RevocationWrongCountry,
    TrustFrozen,
)
from tests.unit.test_trust_certs import FROM, NOW, UNTIL, Region, cert
from tests.unit.test_trust_multisig import T0, US, YEAR, sign_all, ts

EFFECTIVE = T0 + timedelta(days=40)


def revocation(
    country: str = "kz",
    key_id: str | None = None,
    effective: datetime = EFFECTIVE,
    reason: str = "key compromised",
) -> trust_pb2.KeyRevocation:
    return trust_pb2.KeyRevocation(
        country=country,
        key_id=node_key_id(SigningKey.generate().public_raw, trust_pb2.KEY_PURPOSE_SIGN)
        if key_id is None
        else key_id,
        effective=ts(effective),
        reason=reason,
    )


def forge(signer: SigningKey, rev: trust_pb2.KeyRevocation) -> envelope_pb2.Envelope:
    """Sign without issue_revocation()'s field checks, as an attacker's tool would."""
    return signer.sign(REVOCATION_PAYLOAD_TYPE, rev.SerializeToString())


def snapshot(r: Region, revoked: RevocationSet) -> tuple[object, ...]:
    return (
        r.bundle.version,
        r.bundle.digest,
        len(r.trusted.chain),
        len(revoked),
        tuple(x.SerializeToString(deterministic=True) for x in revoked.revoked()),
    )


def refused(
    r: Region,
    env: envelope_pb2.Envelope,
    exc: type[Error],
    *,
    now: datetime = NOW,
    revoked: RevocationSet | None = None,
) -> None:
    """`env` is refused with `exc`, and no revocation was recorded or trusted."""
    revoked = RevocationSet() if revoked is None else revoked
    before = snapshot(r, revoked)
    with pytest.raises(exc) as info:
        revoked.add(verify_revocation(env, r.bundle, now))
    assert info.value.message
    assert snapshot(r, revoked) == before


def revoked_set(r: Region, rev: trust_pb2.KeyRevocation) -> RevocationSet:
    out = RevocationSet()
    assert out.add(verify_revocation(issue_revocation(r.kz, rev), r.bundle, NOW))
    return out


# --- happy paths ------------------------------------------------------------------------------


def test_revocation_issued_and_verified() -> None:
    r = Region()
    rev = revocation()
    assert verify_revocation(issue_revocation(r.kz, rev), r.bundle, NOW) == rev


def test_observer_revokes_its_own_node_key() -> None:
    r = Region()
    rev = revocation("uz")
    assert verify_revocation(issue_revocation(r.uz, rev), r.bundle, NOW) == rev


def test_back_dated_revocation_is_accepted() -> None:
    r = Region()
    rev = revocation(effective=NOW - YEAR)  # back-dated to when the compromise began
    assert verify_revocation(issue_revocation(r.kz, rev), r.bundle, NOW) == rev


# --- item signed after its key was revoked ----------------------------------------------------


@pytest.mark.parametrize(
    ("signed_at", "revoked"),
    [
        (EFFECTIVE - US, False),
        (EFFECTIVE, True),
        (EFFECTIVE + US, True),
        (EFFECTIVE + YEAR, True),
    ],
    ids=["effective-1us", "effective", "effective+1us", "effective+1y"],
)
def test_item_signed_after_its_key_was_revoked_refused(signed_at: datetime, revoked: bool) -> None:
    r = Region()
    key = SigningKey.generate()
    rs = revoked_set(r, revocation(key_id=key.key_id))
    before = snapshot(r, rs)
    if revoked:
        with pytest.raises(KeyRevoked, match="revoked"):
            rs.check(key.key_id, signed_at, country="kz")
        with pytest.raises(KeyRevoked):
            rs.check(key.key_id, ts(signed_at), country="kz")
    else:
        rs.check(key.key_id, signed_at, country="kz")
        rs.check(key.key_id, ts(signed_at), country="kz")
    assert snapshot(r, rs) == before


def test_nanosecond_effective_time_is_exact() -> None:
    r = Region()
    key = SigningKey.generate()
    rev = revocation(key_id=key.key_id)
    rev.effective.nanos += 500
    rs = revoked_set(r, rev)
    just_before = Timestamp(seconds=rev.effective.seconds, nanos=rev.effective.nanos - 1)
    rs.check(key.key_id, just_before, country="kz")
    with pytest.raises(KeyRevoked):
        rs.check(key.key_id, rev.effective, country="kz")
    # A µs clock at EFFECTIVE is 500 ns before the revocation: still valid.
    rs.check(key.key_id, EFFECTIVE, country="kz")


def test_other_keys_are_not_affected_by_a_revocation() -> None:
    r = Region()
    rs = revoked_set(r, revocation())
    rs.check(SigningKey.generate().key_id, EFFECTIVE + YEAR, country="kz")


def test_revocation_cannot_void_another_countrys_key() -> None:
    # kz's admin names kg's node key in a revocation of its own: kg's key stays valid.
    r = Region()
    kg_key = SigningKey.generate()
    rs = revoked_set(r, revocation("kz", key_id=kg_key.key_id))
    rs.check(kg_key.key_id, EFFECTIVE + YEAR, country="kg")
    with pytest.raises(KeyRevoked):
        rs.check(kg_key.key_id, EFFECTIVE + YEAR, country="kz")


def test_a_later_revocation_does_not_shorten_an_earlier_one() -> None:
    r = Region()
    key = SigningKey.generate()
    rs = revoked_set(r, revocation(key_id=key.key_id))
    later = verify_revocation(
        issue_revocation(r.kz, revocation(key_id=key.key_id, effective=EFFECTIVE + YEAR)),
        r.bundle,
        NOW,
    )
    before = snapshot(r, rs)
    assert not rs.add(later)
    assert snapshot(r, rs) == before
    with pytest.raises(KeyRevoked):
        rs.check(key.key_id, EFFECTIVE, country="kz")


def test_an_earlier_revocation_tightens_the_effective_time() -> None:
    r = Region()
    key = SigningKey.generate()
    rs = revoked_set(r, revocation(key_id=key.key_id))
    earlier = revocation(key_id=key.key_id, effective=EFFECTIVE - YEAR)
    assert rs.add(verify_revocation(issue_revocation(r.kz, earlier), r.bundle, NOW))
    assert rs.effective("kz", key.key_id) == ts(EFFECTIVE - YEAR)
    assert len(rs) == 1


def test_replaying_a_revocation_is_idempotent() -> None:
    r = Region()
    rev = revocation()
    rs = revoked_set(r, rev)
    before = snapshot(r, rs)
    assert not rs.add(verify_revocation(issue_revocation(r.kz, rev), r.bundle, NOW))
    assert snapshot(r, rs) == before


def test_out_of_range_signed_at_refused() -> None:
    r = Region()
    rs = revoked_set(r, revocation())
    with pytest.raises(MalformedInput):
        rs.check("ab" * 32, Timestamp(seconds=2**62), country="kz")
    with pytest.raises(ValueError, match="timezone-aware"):
        rs.check("ab" * 32, datetime(2030, 1, 1), country="kz")


# --- forged revocations -----------------------------------------------------------------------


def test_revocation_signed_by_another_countrys_admin_key_refused() -> None:
    r = Region()
    refused(r, issue_revocation(r.kg, revocation("kz")), RevocationWrongCountry)


def test_observer_revoking_a_members_key_refused() -> None:
    r = Region()
    refused(r, issue_revocation(r.uz, revocation("kz")), RevocationWrongCountry)


@pytest.mark.parametrize("country", ["kz", "ru"], ids=["claims-member", "own-country"])
def test_revocation_from_a_non_member_refused(country: str) -> None:
    r = Region()
    refused(
        r, issue_revocation(SigningKey.generate(), revocation(country)), RevocationSignatureInvalid
    )


def test_revocation_signed_by_a_node_key_refused() -> None:
    # A node key (even a certified one) is not an admin key.
    r = Region()
    node = SigningKey.generate()
    verify_certificate(issue(r.kz, cert(public_key=node.public_raw)), r.bundle, NOW)
    refused(r, issue_revocation(node, revocation()), RevocationSignatureInvalid)


def test_revocation_payload_swapped_after_signing_refused() -> None:
    r = Region()
    env = issue_revocation(r.kz, revocation())
    env.payload = revocation().SerializeToString()
    refused(r, env, RevocationSignatureInvalid)


def test_revocation_with_two_signatures_refused() -> None:
    r = Region()
    env = sign_all(revocation().SerializeToString(), [r.kz, r.kg], REVOCATION_PAYLOAD_TYPE)
    refused(r, env, RevocationSignatureInvalid)


def test_certificate_presented_as_revocation_refused() -> None:
    r = Region()
    refused(r, issue(r.kz, cert()), RevocationSignatureInvalid)


def test_oversized_revocation_refused() -> None:
    r = Region()
    refused(r, forge(r.kz, revocation(reason="x" * 5000)), MalformedRevocation)


def test_revocation_under_a_frozen_bundle_refused() -> None:
    r = Region()
    refused(r, issue_revocation(r.kz, revocation()), TrustFrozen, now=T0 + YEAR)


def test_revocation_does_not_reach_an_existing_set_when_refused() -> None:
    r = Region()
    rs = revoked_set(r, revocation())
    refused(r, issue_revocation(r.kg, revocation("kz")), RevocationWrongCountry, revoked=rs)


MALFORMED: list[tuple[str, Callable[[], trust_pb2.KeyRevocation]]] = [
    ("bad-country", lambda: revocation("KZ")),
    ("short-key-id", lambda: revocation(key_id="ab" * 31)),
    ("upper-key-id", lambda: revocation(key_id="AB" * 32)),
    ("no-effective", lambda: trust_pb2.KeyRevocation(country="kz", key_id="ab" * 32)),
    ("long-reason", lambda: revocation(reason="x" * 1025)),
    (
        "effective-out-of-range",
        lambda: trust_pb2.KeyRevocation(
            country="kz", key_id="ab" * 32, effective=Timestamp(seconds=2**62)
        ),
    ),
]


@pytest.mark.parametrize("make", [m for _, m in MALFORMED], ids=[i for i, _ in MALFORMED])
def test_malformed_revocation_refused(make: Callable[[], trust_pb2.KeyRevocation]) -> None:
    r = Region()
    rev = make()
    with pytest.raises(MalformedRevocation):
        issue_revocation(r.kz, rev)
    refused(r, forge(r.kz, rev), MalformedRevocation)
    with pytest.raises(MalformedRevocation):
        RevocationSet().add(rev)


def test_garbage_revocation_payload_refused() -> None:
    r = Region()
    refused(r, r.kz.sign(REVOCATION_PAYLOAD_TYPE, b"\xff\xff\xff"), MalformedRevocation)


# --- old key used after the overlap (rotation) ------------------------------------------------


ROTATION_EDGES = [
    (FROM - US, CertificateNotYetValid),
    (FROM, None),
    (UNTIL - US, None),
    (UNTIL, CertificateExpired),
    (UNTIL + US, CertificateExpired),
]


@pytest.mark.parametrize(
    ("signed_at", "expected"),
    ROTATION_EDGES,
    ids=["from-1us", "from", "until-1us", "until", "until+1us"],
)
def test_old_key_used_after_the_overlap_refused(
    signed_at: datetime, expected: type[Error] | None
) -> None:
    old = cert()
    if expected is None:
        rotation_check(old, signed_at)
        rotation_check(old, ts(signed_at))
    else:
        with pytest.raises(expected, match="signed at"):
            rotation_check(old, signed_at)
        with pytest.raises(expected):
            rotation_check(old, ts(signed_at))


def test_rotation_overlap_old_and_new_key_both_verify() -> None:
    # TJ rotates: the new key takes effect at its valid_from, the old one covers items signed
    # before its valid_until, even when they arrive later.
    old = cert("tj", valid_from=FROM, valid_until=UNTIL)
    new = cert("tj", valid_from=UNTIL - timedelta(days=5), valid_until=UNTIL + YEAR)
    in_overlap = UNTIL - timedelta(days=1)
    rotation_check(old, in_overlap)
    rotation_check(new, in_overlap)
    with pytest.raises(CertificateExpired):
        rotation_check(old, UNTIL + timedelta(days=1))
    rotation_check(new, UNTIL + timedelta(days=1))


def test_check_item_signer_applies_both_rules() -> None:
    r = Region()
    node = SigningKey.generate()
    c = cert(public_key=node.public_raw)
    rs = revoked_set(r, revocation(key_id=node.key_id))
    check_item_signer(c, rs, EFFECTIVE - US)
    with pytest.raises(KeyRevoked):
        check_item_signer(c, rs, EFFECTIVE)
    with pytest.raises(CertificateExpired):
        check_item_signer(c, RevocationSet(), UNTIL)


def test_unrevoked_key_has_no_effective_time() -> None:
    assert RevocationSet().effective("kz", "ab" * 32) is None
