"""Node key certificates and admin keys, named after the attacks each check stops."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from exchange._proto.v1 import envelope_pb2, trust_pb2
from exchange.envelope import SigningKey
from exchange.errors import Error
from exchange.trust import (
    CERTIFICATE_PAYLOAD_TYPE,
    Bundle,
    TrustedBundles,
    certified_key,
    create_admin_key,
    encrypt_admin_key,
    fingerprint,
    issue,
    load_admin_key,
    read_admin_key,
    verify_certificate,
)
from exchange.trust.errors import (
    AdminKeyFileError,
    CertificateExpired,
    CertificateNotYetValid,
    CertificateSignatureInvalid,
    CertificateWrongCountry,
    KeyNotCertified,
    MalformedCertificate,
    TrustFrozen,
    WeakKey,
    WrongPassphrase,
)
from tests.unit.test_trust_multisig import T0, US, YEAR, bundle_payload, sign_all, ts

FROM = T0 + timedelta(days=10)
UNTIL = T0 + timedelta(days=100)
NOW = T0 + timedelta(days=50)
SMALL_ORDER = bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")
X25519_ORDER_8 = bytes.fromhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")


class Region:
    def __init__(self) -> None:
        self.kz, self.kg, self.tj, self.uz = (SigningKey.generate() for _ in range(4))
        payload = bundle_payload(
            1,
            {"kz": [self.kz], "kg": [self.kg], "tj": [self.tj]},
            observers={"uz": [self.uz]},
        )
        self.trusted = TrustedBundles(sign_all(payload, [self.kz, self.kg]))

    @property
    def bundle(self) -> Bundle:
        return self.trusted.current


def cert(
    country: str = "kz",
    purpose: trust_pb2.KeyPurpose.ValueType = trust_pb2.KEY_PURPOSE_SIGN,
    public_key: bytes | None = None,
    valid_from: datetime = FROM,
    valid_until: datetime = UNTIL,
) -> trust_pb2.NodeKeyCertificate:
    return trust_pb2.NodeKeyCertificate(
        country=country,
        purpose=purpose,
        public_key=SigningKey.generate().public_raw if public_key is None else public_key,
        valid_from=ts(valid_from),
        valid_until=ts(valid_until),
    )


def forge(signer: SigningKey, c: trust_pb2.NodeKeyCertificate) -> envelope_pb2.Envelope:
    """Sign without issue()'s field checks, as an attacker's tool would."""
    return signer.sign(CERTIFICATE_PAYLOAD_TYPE, c.SerializeToString())


def x25519_public() -> bytes:
    return (
        X25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def refused(r: Region, env: envelope_pb2.Envelope, exc: type[Error], now: datetime = NOW) -> None:
    before = (r.bundle.version, r.bundle.digest, len(r.trusted.chain))
    with pytest.raises(exc) as info:
        verify_certificate(env, r.bundle, now)
    assert info.value.message
    assert (r.bundle.version, r.bundle.digest, len(r.trusted.chain)) == before


# --- happy paths ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("purpose", "key"),
    [
        (trust_pb2.KEY_PURPOSE_SIGN, lambda: SigningKey.generate().public_raw),
        (trust_pb2.KEY_PURPOSE_SEAL, x25519_public),
        (trust_pb2.KEY_PURPOSE_TLS, lambda: b"\x42" * 32),
    ],
    ids=["sign", "seal", "tls"],
)
def test_certificate_issued_and_verified(purpose: int, key: object) -> None:
    r = Region()
    c = cert(purpose=purpose, public_key=key())  # type: ignore[arg-type, operator]
    got = verify_certificate(issue(r.kz, c), r.bundle, NOW)
    assert got == c


def test_observer_certifies_its_own_node_key() -> None:
    r = Region()
    assert verify_certificate(issue(r.uz, cert("uz")), r.bundle, NOW).country == "uz"


def test_certified_key_finds_the_certificate_for_exactly_this_key() -> None:
    r = Region()
    c = cert()
    other = issue(r.kz, cert())
    got = certified_key(
        [other, issue(r.kz, c)],
        country="kz",
        purpose=trust_pb2.KEY_PURPOSE_SIGN,
        public_key=c.public_key,
        bundle=r.bundle,
        now=NOW,
    )
    assert got == c


# --- attacks ----------------------------------------------------------------------------------


def test_node_key_without_a_certificate_refused() -> None:
    r = Region()
    with pytest.raises(KeyNotCertified):
        certified_key(
            [issue(r.kz, cert())],  # a certificate for some other key
            country="kz",
            purpose=trust_pb2.KEY_PURPOSE_SIGN,
            public_key=SigningKey.generate().public_raw,
            bundle=r.bundle,
            now=NOW,
        )


def test_node_key_with_an_expired_certificate_refused() -> None:
    r = Region()
    c = cert(valid_until=NOW)
    env = issue(r.kz, c)
    refused(r, env, CertificateExpired)
    with pytest.raises(KeyNotCertified, match="expired"):
        certified_key(
            [env],
            country="kz",
            purpose=trust_pb2.KEY_PURPOSE_SIGN,
            public_key=c.public_key,
            bundle=r.bundle,
            now=NOW,
        )


def test_certificate_signed_by_another_countrys_admin_key_refused() -> None:
    r = Region()
    refused(r, issue(r.kg, cert("kz")), CertificateWrongCountry)


def test_observer_certifying_a_members_key_refused() -> None:
    r = Region()
    refused(r, issue(r.uz, cert("kz")), CertificateWrongCountry)


def test_certificate_signed_by_an_unknown_key_refused() -> None:
    r = Region()
    refused(r, issue(SigningKey.generate(), cert()), CertificateSignatureInvalid)


def test_certificate_with_two_signatures_refused() -> None:
    r = Region()
    c = cert()
    env = sign_all(c.SerializeToString(), [r.kz, r.kg], CERTIFICATE_PAYLOAD_TYPE)
    refused(r, env, CertificateSignatureInvalid)


def test_certificate_payload_swapped_after_signing_refused() -> None:
    r = Region()
    env = issue(r.kz, cert())
    env.payload = cert().SerializeToString()
    refused(r, env, CertificateSignatureInvalid)


def test_bundle_envelope_presented_as_certificate_refused() -> None:
    r = Region()
    refused(r, r.trusted.chain[0], CertificateSignatureInvalid)


def test_small_order_signing_key_refused() -> None:
    r = Region()
    with pytest.raises(WeakKey):
        issue(r.kz, cert(public_key=SMALL_ORDER))
    refused(r, forge(r.kz, cert(public_key=SMALL_ORDER)), WeakKey)


def test_low_order_sealing_key_refused() -> None:
    r = Region()
    c = cert(purpose=trust_pb2.KEY_PURPOSE_SEAL, public_key=X25519_ORDER_8)
    refused(r, forge(r.kz, c), WeakKey)
    refused(r, forge(r.kz, cert(purpose=trust_pb2.KEY_PURPOSE_SEAL, public_key=bytes(32))), WeakKey)


@pytest.mark.parametrize(
    "c",
    [
        cert(purpose=trust_pb2.KEY_PURPOSE_UNSPECIFIED),
        cert(purpose=trust_pb2.KEY_PURPOSE_TLS, public_key=b"\x01" * 31),
        cert(valid_from=UNTIL, valid_until=FROM),
        cert(country="KZ"),
        trust_pb2.NodeKeyCertificate(country="kz", purpose=trust_pb2.KEY_PURPOSE_TLS),
    ],
    ids=["no-purpose", "short-tls-hash", "window-reversed", "bad-country", "no-window"],
)
def test_malformed_certificate_refused(c: trust_pb2.NodeKeyCertificate) -> None:
    r = Region()
    with pytest.raises(MalformedCertificate):
        issue(r.kz, c)
    refused(r, forge(r.kz, c), MalformedCertificate)


def test_certificate_under_a_frozen_bundle_refused() -> None:
    r = Region()
    env = issue(r.kz, cert(valid_until=T0 + 2 * YEAR))
    refused(r, env, TrustFrozen, now=T0 + YEAR)


# --- clock skew at the edges of the validity window ------------------------------------------

EDGES = [
    (FROM - US, CertificateNotYetValid),
    (FROM, None),
    (FROM + US, None),
    (UNTIL - US, None),
    (UNTIL, CertificateExpired),
    (UNTIL + US, CertificateExpired),
]


@pytest.mark.parametrize(
    ("now", "expected"),
    EDGES,
    ids=["from-1us", "from", "from+1us", "until-1us", "until", "until+1us"],
)
def test_certificate_clock_edges(now: datetime, expected: type[Error] | None) -> None:
    r = Region()
    env = issue(r.kz, cert())
    if expected is None:
        assert verify_certificate(env, r.bundle, now).country == "kz"
    else:
        refused(r, env, expected, now=now)


def test_nanosecond_valid_from_is_not_rounded_down() -> None:
    r = Region()
    c = cert()
    c.valid_from.nanos += 500  # 500 ns after FROM: at FROM (µs clock) not yet valid
    refused(r, issue(r.kz, c), CertificateNotYetValid, now=FROM)
    assert verify_certificate(issue(r.kz, c), r.bundle, FROM + US)


# --- admin keys -------------------------------------------------------------------------------


def test_admin_key_roundtrip_with_passphrase(tmp_path: Path) -> None:
    key, pem = create_admin_key("correct horse battery staple")
    assert pem.startswith(b"-----BEGIN EXCHANGE ADMIN KEY-----")
    loaded = load_admin_key(pem, "correct horse battery staple")
    assert loaded.public_raw == key.public_raw
    path = tmp_path / "kz.admin.pem"
    path.write_bytes(encrypt_admin_key(key, b"another"))
    assert read_admin_key(path, b"another").public_raw == key.public_raw


def test_admin_key_wrong_passphrase_refused() -> None:
    _, pem = create_admin_key("right")
    with pytest.raises(WrongPassphrase, match="passphrase"):
        load_admin_key(pem, "wrong")


def test_unencrypted_admin_key_refused() -> None:
    with pytest.raises(AdminKeyFileError, match="not encrypted"):  # an unencrypted PKCS#8
        load_admin_key(SigningKey.generate().to_pem(), "anything")


def test_empty_passphrase_refused() -> None:
    with pytest.raises(AdminKeyFileError):
        create_admin_key("")


def test_missing_admin_key_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AdminKeyFileError, match="cannot read"):
        read_admin_key(tmp_path / "absent.pem", "x")


def test_fingerprint_reads_over_the_phone() -> None:
    key = SigningKey.generate()
    fp = fingerprint(key.public_raw)
    groups = fp.split(" ")
    assert len(groups) == 16
    assert all(len(g) == 4 for g in groups)
    assert "".join(groups) == key.key_id
