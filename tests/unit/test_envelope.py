"""DSSE envelopes: exact-bytes signatures, key ids, and refusal of weak Ed25519 public keys."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from exchange._proto.v1 import envelope_pb2
from exchange.envelope import (
    ENTRY_PAYLOAD_TYPE,
    SigningKey,
    VerifyKey,
    check_public_key,
    key_id,
    pae,
    verify,
)
from exchange.errors import KeyError_, SignatureError

PAYLOAD = b"\x08\x01some channel entry bytes"

# The eight points of small order on edwards25519, in canonical encoding.
SMALL_ORDER_POINTS = [
    "0100000000000000000000000000000000000000000000000000000000000000",  # identity (order 1)
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # (0, -1), order 2
    "0000000000000000000000000000000000000000000000000000000000000000",  # order 4
    "0000000000000000000000000000000000000000000000000000000000000080",  # order 4
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  # order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  # order 8
]

NON_CANONICAL = [
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # y = p
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # y = p + 1 (== 1)
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # y = 2^255 - 1
    "0100000000000000000000000000000000000000000000000000000000000080",  # x = 0, sign bit set
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  # x = 0, sign bit set
]

IDENTITY = bytes.fromhex("01" + "00" * 31)


@pytest.fixture
def signer() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def trusted(signer: SigningKey) -> dict[str, VerifyKey]:
    return {signer.key_id: VerifyKey.from_raw("kz", signer.public_raw)}


def _copy(env: envelope_pb2.Envelope) -> envelope_pb2.Envelope:
    out = envelope_pb2.Envelope()
    out.CopyFrom(env)
    return out


def test_sign_verify_round_trip_returns_the_signing_key(
    signer: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    env = signer.sign(ENTRY_PAYLOAD_TYPE, PAYLOAD)
    # The envelope also survives the wire: parse what was serialized and verify that.
    wire = envelope_pb2.Envelope.FromString(env.SerializeToString())
    vk = verify(wire, trusted, ENTRY_PAYLOAD_TYPE)
    assert vk.country == "kz"
    assert vk.public_raw == signer.public_raw
    assert wire.payload == PAYLOAD
    assert [s.key_id for s in wire.signatures] == [signer.key_id]


def test_signature_covers_pae_not_bare_payload(signer: SigningKey) -> None:
    env = signer.sign(ENTRY_PAYLOAD_TYPE, PAYLOAD)
    pub = Ed25519PublicKey.from_public_bytes(signer.public_raw)
    pub.verify(env.signatures[0].sig, pae(ENTRY_PAYLOAD_TYPE, PAYLOAD))
    with pytest.raises(InvalidSignature):
        pub.verify(env.signatures[0].sig, PAYLOAD)


def test_tampered_payload_refused(signer: SigningKey, trusted: dict[str, VerifyKey]) -> None:
    env = signer.sign(ENTRY_PAYLOAD_TYPE, PAYLOAD)
    for tampered_payload in (PAYLOAD + b"\x00", PAYLOAD[:-1], b"\x09" + PAYLOAD[1:], b""):
        bad = _copy(env)
        bad.payload = tampered_payload
        with pytest.raises(SignatureError, match="does not verify"):
            verify(bad, trusted, ENTRY_PAYLOAD_TYPE)


def test_tampered_payload_type_refused(signer: SigningKey, trusted: dict[str, VerifyKey]) -> None:
    env = signer.sign(ENTRY_PAYLOAD_TYPE, PAYLOAD)
    bad = _copy(env)
    bad.payload_type = "application/vnd.exchange.v1.Other+protobuf"
    with pytest.raises(SignatureError, match="unexpected payload type"):
        verify(bad, trusted, ENTRY_PAYLOAD_TYPE)
    # Even if the receiver expected the forged type, the signature binds the original one.
    with pytest.raises(SignatureError, match="does not verify"):
        verify(bad, trusted, bad.payload_type)


def test_payload_type_confusion_refused(signer: SigningKey, trusted: dict[str, VerifyKey]) -> None:
    """A signature made for one payload type must not verify as another type."""
    env = signer.sign("application/vnd.exchange.v1.Other+protobuf", PAYLOAD)
    with pytest.raises(SignatureError):
        verify(env, trusted, ENTRY_PAYLOAD_TYPE)


@pytest.mark.parametrize("index", [0, 31, 32, 63])
def test_flipped_signature_byte_refused(
    signer: SigningKey, trusted: dict[str, VerifyKey], index: int
) -> None:
    env = signer.sign(ENTRY_PAYLOAD_TYPE, PAYLOAD)
    sig = bytearray(env.signatures[0].sig)
    sig[index] ^= 0x01
    env.signatures[0].sig = bytes(sig)
    with pytest.raises(SignatureError, match="does not verify"):
        verify(env, trusted, ENTRY_PAYLOAD_TYPE)


@pytest.mark.parametrize("length", [0, 63, 65])
def test_wrong_length_signature_refused(
    signer: SigningKey, trusted: dict[str, VerifyKey], length: int
) -> None:
    env = signer.sign(ENTRY_PAYLOAD_TYPE, PAYLOAD)
    env.signatures[0].sig = (env.signatures[0].sig * 2)[:length]
    with pytest.raises(SignatureError, match="malformed signature"):
        verify(env, trusted, ENTRY_PAYLOAD_TYPE)


def test_tampered_key_id_refused(signer: SigningKey, trusted: dict[str, VerifyKey]) -> None:
    env = signer.sign(ENTRY_PAYLOAD_TYPE, PAYLOAD)
    env.signatures[0].key_id = "00" * 32
    with pytest.raises(SignatureError, match="unknown key"):
        verify(env, trusted, ENTRY_PAYLOAD_TYPE)


def test_key_id_pointing_at_another_trusted_key_refused(signer: SigningKey) -> None:
    """Relabelling a signature with another trusted key's id does not make it verify."""
    other = SigningKey.generate()
    trusted = {
        signer.key_id: VerifyKey.from_raw("kz", signer.public_raw),
        other.key_id: VerifyKey.from_raw("kg", other.public_raw),
    }
    env = signer.sign(ENTRY_PAYLOAD_TYPE, PAYLOAD)
    env.signatures[0].key_id = other.key_id
    with pytest.raises(SignatureError, match="does not verify"):
        verify(env, trusted, ENTRY_PAYLOAD_TYPE)


def test_signature_by_untrusted_key_refused(trusted: dict[str, VerifyKey]) -> None:
    stranger = SigningKey.generate()
    env = stranger.sign(ENTRY_PAYLOAD_TYPE, PAYLOAD)
    with pytest.raises(SignatureError, match="unknown key"):
        verify(env, trusted, ENTRY_PAYLOAD_TYPE)


def test_wrong_key_under_trusted_key_id_refused(signer: SigningKey) -> None:
    """An attacker's signature labelled with the trusted key id does not verify."""
    attacker = SigningKey.generate()
    trusted = {signer.key_id: VerifyKey.from_raw("kz", signer.public_raw)}
    env = attacker.sign(ENTRY_PAYLOAD_TYPE, PAYLOAD)
    env.signatures[0].key_id = signer.key_id
    with pytest.raises(SignatureError, match="does not verify"):
        verify(env, trusted, ENTRY_PAYLOAD_TYPE)


def test_unsigned_envelope_refused(signer: SigningKey, trusted: dict[str, VerifyKey]) -> None:
    env = signer.sign(ENTRY_PAYLOAD_TYPE, PAYLOAD)
    del env.signatures[:]
    with pytest.raises(SignatureError, match="exactly one signature, got 0"):
        verify(env, trusted, ENTRY_PAYLOAD_TYPE)


def test_two_signatures_refused(signer: SigningKey, trusted: dict[str, VerifyKey]) -> None:
    env = signer.sign(ENTRY_PAYLOAD_TYPE, PAYLOAD)
    env.signatures.append(env.signatures[0])
    with pytest.raises(SignatureError, match="exactly one signature, got 2"):
        verify(env, trusted, ENTRY_PAYLOAD_TYPE)


def test_pae_matches_dsse_spec_format() -> None:
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )
    assert pae("", b"") == b"DSSEv1 0  0 "
    # Lengths are byte lengths, not character counts.
    assert pae("t\u00e9", b"\x00\xff") == b"DSSEv1 3 t\xc3\xa9 2 \x00\xff"


def test_pae_length_prefix_prevents_boundary_shift() -> None:
    """Moving bytes between type and payload changes the encoding (no ambiguity)."""
    assert pae("a b", b"c") != pae("a", b"b c")


def test_key_id_is_sha256_of_raw_public_key(signer: SigningKey) -> None:
    expected = hashlib.sha256(signer.public_raw).hexdigest()
    assert signer.key_id == expected
    assert key_id(signer.public_raw) == expected
    assert VerifyKey.from_raw("kz", signer.public_raw).key_id == expected
    assert len(signer.public_raw) == 32


def test_signing_key_pem_round_trip_keeps_key_id(signer: SigningKey) -> None:
    again = SigningKey.from_pem(signer.to_pem())
    assert again.key_id == signer.key_id


@pytest.mark.parametrize("hexkey", SMALL_ORDER_POINTS)
def test_small_order_key_refused(hexkey: str) -> None:
    with pytest.raises(KeyError_, match="small-order"):
        check_public_key(bytes.fromhex(hexkey))


@pytest.mark.parametrize("hexkey", NON_CANONICAL)
def test_non_canonical_key_refused(hexkey: str) -> None:
    with pytest.raises(KeyError_, match="non-canonical"):
        check_public_key(bytes.fromhex(hexkey))


@pytest.mark.parametrize("length", [0, 31, 33, 64])
def test_wrong_length_key_refused(length: int) -> None:
    with pytest.raises(KeyError_, match="32 bytes"):
        check_public_key(b"\x07" * length)


def test_real_key_accepted(signer: SigningKey) -> None:
    check_public_key(signer.public_raw)


def test_small_order_forgery_refused() -> None:
    """The identity key with signature (R = identity, S = 0) "verifies" any message.

    With A = R = identity and S = 0, the check [S]B == R + [k]A holds for every k, i.e. for
    every message. The OpenSSL build behind pyca/cryptography here does NOT reject it (checked
    while writing this test): it loads the key and accepts the forgery. That is why
    `check_public_key` must refuse small-order keys before they are ever trusted.
    """
    forged_sig = IDENTITY + bytes(32)
    raw_key = Ed25519PublicKey.from_public_bytes(IDENTITY)
    for message in (b"any message", pae(ENTRY_PAYLOAD_TYPE, b"forged entry"), b""):
        raw_key.verify(forged_sig, message)  # no InvalidSignature: the forgery is accepted

    # Our import refuses the key, so no VerifyKey (and no trusted map) can ever hold it.
    with pytest.raises(KeyError_, match="small-order"):
        VerifyKey.from_raw("kg", IDENTITY)

    # An envelope "signed" this way, naming the identity key's id, is refused by verify().
    env = envelope_pb2.Envelope(
        payload_type=ENTRY_PAYLOAD_TYPE,
        payload=b"forged entry",
        signatures=[envelope_pb2.Signature(key_id=key_id(IDENTITY), sig=forged_sig)],
    )
    genuine = SigningKey.generate()
    trusted = {genuine.key_id: VerifyKey.from_raw("kg", genuine.public_raw)}
    with pytest.raises(SignatureError, match="unknown key"):
        verify(env, trusted, ENTRY_PAYLOAD_TYPE)
