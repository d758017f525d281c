"""TLS identity: P-256 self-signed certificates pinned by SPKI sha256, carrying the signing key."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from exchange.envelope import SigningKey
from exchange.errors import KeyError_, PeerError
from exchange.node.tls import (
    CERT_DAYS,
    SIGN_KEY_OID,
    fingerprint_of_pem,
    format_fingerprint,
    inspect_peer_certificate,
    make_tls_identity,
    parse_fingerprint,
    server_name,
    spki_fingerprint,
)

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def sign_raw() -> bytes:
    return SigningKey.generate().public_raw


@pytest.fixture(scope="module")
def kz_identity(sign_raw: bytes) -> tuple[bytes, bytes]:
    return make_tls_identity("kz", sign_raw, NOW)


def forged_cert(
    subject_key: ec.EllipticCurvePrivateKey,
    signer_key: ec.EllipticCurvePrivateKey,
    country: str,
    sign_raw: bytes | None,
) -> bytes:
    """A certificate for subject_key's public key, signed by signer_key, as PEM."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, server_name(country))])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(subject_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(minutes=5))
        .not_valid_after(NOW + timedelta(days=30))
    )
    if sign_raw is not None:
        builder = builder.add_extension(
            x509.UnrecognizedExtension(SIGN_KEY_OID, sign_raw), critical=False
        )
    return builder.sign(signer_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


def test_identity_is_p256_self_signed_and_carries_signing_key(
    kz_identity: tuple[bytes, bytes], sign_raw: bytes
) -> None:
    key_pem, cert_pem = kz_identity
    cert = x509.load_pem_x509_certificate(cert_pem)
    key = serialization.load_pem_private_key(key_pem, password=None)

    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert isinstance(key.curve, ec.SECP256R1)
    pub = cert.public_key()
    assert isinstance(pub, ec.EllipticCurvePublicKey)
    assert isinstance(pub.curve, ec.SECP256R1)
    assert pub.public_numbers() == key.public_key().public_numbers()
    assert cert.issuer == cert.subject
    cert.verify_directly_issued_by(cert)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == ("kz.node.exchange")
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["kz.node.exchange"]
    assert cert.not_valid_before_utc <= NOW < cert.not_valid_after_utc
    assert cert.not_valid_after_utc == NOW + timedelta(days=CERT_DAYS)
    ext = cert.extensions.get_extension_for_oid(SIGN_KEY_OID).value
    assert isinstance(ext, x509.UnrecognizedExtension)
    assert ext.value == sign_raw


def test_fingerprint_is_sha256_of_spki(kz_identity: tuple[bytes, bytes]) -> None:
    _, cert_pem = kz_identity
    cert = x509.load_pem_x509_certificate(cert_pem)
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert spki_fingerprint(cert) == hashlib.sha256(spki).hexdigest()
    assert fingerprint_of_pem(cert_pem) == spki_fingerprint(cert)


def test_pinned_fingerprint_accepted_pem_and_der(
    kz_identity: tuple[bytes, bytes], sign_raw: bytes
) -> None:
    _, cert_pem = kz_identity
    fp = fingerprint_of_pem(cert_pem)
    der = x509.load_pem_x509_certificate(cert_pem).public_bytes(serialization.Encoding.DER)
    for form in (cert_pem, der):
        peer = inspect_peer_certificate(form, fp, "kz")
        assert (peer.country, peer.fingerprint, peer.sign_public_raw) == ("kz", fp, sign_raw)
        assert peer.pem == cert_pem


def test_each_identity_has_its_own_key(sign_raw: bytes) -> None:
    _, a = make_tls_identity("kz", sign_raw, NOW)
    _, b = make_tls_identity("kz", sign_raw, NOW)
    assert fingerprint_of_pem(a) != fingerprint_of_pem(b)


def test_fingerprint_mismatch_refused(kz_identity: tuple[bytes, bytes], sign_raw: bytes) -> None:
    _, cert_pem = kz_identity
    _, other_pem = make_tls_identity("kz", sign_raw, NOW)  # an impostor's node for kz
    with pytest.raises(PeerError, match="mismatch") as info:
        inspect_peer_certificate(cert_pem, fingerprint_of_pem(other_pem), "kz")
    assert "do not add this peer" in info.value.hint


def test_certificate_of_another_country_refused(sign_raw: bytes) -> None:
    _, kg_pem = make_tls_identity("kg", sign_raw, NOW)
    with pytest.raises(PeerError, match="not a node of 'kz'"):
        inspect_peer_certificate(kg_pem, fingerprint_of_pem(kg_pem), "kz")


def test_pinned_key_with_foreign_signature_refused(sign_raw: bytes) -> None:
    """The pinned public key in a cert signed by someone else cannot vouch for a signing key."""
    victim = ec.generate_private_key(ec.SECP256R1())
    attacker = ec.generate_private_key(ec.SECP256R1())
    attacker_sign_raw = SigningKey.generate().public_raw
    pem = forged_cert(victim, attacker, "kz", attacker_sign_raw)
    victim_fp = spki_fingerprint(x509.load_pem_x509_certificate(pem))
    with pytest.raises(PeerError, match="not properly self-signed"):
        inspect_peer_certificate(pem, victim_fp, "kz")


def test_certificate_without_signing_key_refused() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = forged_cert(key, key, "kz", None)
    with pytest.raises(PeerError, match="carries no signing key"):
        inspect_peer_certificate(pem, fingerprint_of_pem(pem), "kz")


def test_format_and_parse_fingerprint_round_trip(kz_identity: tuple[bytes, bytes]) -> None:
    fp = fingerprint_of_pem(kz_identity[1])
    grouped = format_fingerprint(fp)
    assert len(grouped.split(" ")) == 16
    assert parse_fingerprint(grouped) == fp


@pytest.mark.parametrize(
    "text",
    [
        "ab" * 32,
        ("AB" * 32),
        ":".join(["ab"] * 32),
        " ".join(["abab"] * 16),
        "-".join(["abab"] * 16),
        "  " + "ab" * 32 + "  ",
    ],
)
def test_parse_fingerprint_accepts_common_forms(text: str) -> None:
    assert parse_fingerprint(text) == "ab" * 32


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ab" * 31,
        "ab" * 32 + "a",
        "ab" * 33,
        "g" + "a" * 63,
        "ab" * 31 + "a\u00e9",
        "0x" + "a" * 62,
    ],
)
def test_parse_fingerprint_refuses_bad_forms(text: str) -> None:
    with pytest.raises(KeyError_, match="64 hex digits"):
        parse_fingerprint(text)
