"""Shared builders for the trust tests, and the multi-signature verifier's counting rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from google.protobuf.timestamp_pb2 import Timestamp

from exchange._proto.v1 import envelope_pb2, trust_pb2
from exchange.envelope import SigningKey, VerifyKey
from exchange.trust import BUNDLE_PAYLOAD_TYPE, valid_signers

T0 = datetime(2030, 1, 1, tzinfo=UTC)
YEAR = timedelta(days=365)
US = timedelta(microseconds=1)


def ts(dt: datetime) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(dt)
    return out


def bundle_payload(
    version: int,
    members: Mapping[str, Sequence[SigningKey | bytes]],
    *,
    threshold: int = 2,
    expires: datetime = T0 + YEAR,
    observers: Mapping[str, Sequence[SigningKey | bytes]] | None = None,
) -> bytes:
    def raw(k: SigningKey | bytes) -> bytes:
        return k.public_raw if isinstance(k, SigningKey) else k

    msg = trust_pb2.TrustBundle(version=version, expires=ts(expires), threshold=threshold)
    for country, keys in members.items():
        msg.members.add(country=country, admin_keys=[raw(k) for k in keys])
    for country, keys in (observers or {}).items():
        msg.observers.add(country=country, admin_keys=[raw(k) for k in keys])
    return msg.SerializeToString(deterministic=True)


def sign_all(
    payload: bytes, signers: Iterable[SigningKey], payload_type: str = BUNDLE_PAYLOAD_TYPE
) -> envelope_pb2.Envelope:
    env = envelope_pb2.Envelope(payload_type=payload_type, payload=payload)
    for key in signers:
        env.signatures.extend(key.sign(payload_type, payload).signatures)
    return env


def _keys(*signers: SigningKey) -> dict[str, VerifyKey]:
    return {k.key_id: VerifyKey.from_raw("kz", k.public_raw) for k in signers}


def test_each_key_counts_once() -> None:
    a = SigningKey.generate()
    env = sign_all(b"payload", [a, a, a])
    assert valid_signers(env, _keys(a)) == {a.key_id}


def test_unknown_keys_are_ignored() -> None:
    a, stranger = SigningKey.generate(), SigningKey.generate()
    env = sign_all(b"payload", [stranger, a])
    assert valid_signers(env, _keys(a)) == {a.key_id}


def test_signature_labelled_with_a_trusted_key_id_but_made_by_another_key_does_not_count() -> None:
    a, attacker = SigningKey.generate(), SigningKey.generate()
    env = sign_all(b"payload", [attacker])
    env.signatures[0].key_id = a.key_id
    assert valid_signers(env, _keys(a)) == frozenset()


def test_signatures_cover_the_exact_payload_bytes() -> None:
    a = SigningKey.generate()
    env = sign_all(b"payload", [a])
    env.payload = b"payload "
    assert valid_signers(env, _keys(a)) == frozenset()
    env = sign_all(b"payload", [a])
    env.payload_type = "application/other"
    assert valid_signers(env, _keys(a)) == frozenset()


def test_invalid_signature_before_a_valid_one_of_the_same_key_still_counts_once() -> None:
    a = SigningKey.generate()
    env = sign_all(b"payload", [a])
    env.signatures.add(key_id=a.key_id, sig=b"\x00" * 64)  # valid first, then junk
    env2 = envelope_pb2.Envelope(payload_type=env.payload_type, payload=env.payload)
    env2.signatures.add(key_id=a.key_id, sig=b"\x00" * 64)
    env2.signatures.extend(sign_all(b"payload", [a]).signatures)
    assert valid_signers(env, _keys(a)) == {a.key_id}
    assert valid_signers(env2, _keys(a)) == {a.key_id}
