"""TLS identity: ECDSA P-256 self-signed certificates pinned by SPKI sha256.

gRPC's TLS stack refuses Ed25519 certificates, so TLS uses P-256. The certificate also carries
the node's Ed25519 signing public key in a private extension: because the certificate is
self-signed by the pinned key, a peer that checks the SPKI fingerprint and the self-signature
learns the signing key with the same assurance as the fingerprint, from one out-of-band value.
"""

from __future__ import annotations

import hashlib
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from exchange.errors import KeyError_, PeerError

SIGN_KEY_OID = x509.ObjectIdentifier("2.25.100414768504253955840551769536274234405")
CERT_DAYS = 825


def server_name(country: str) -> str:
    """The DNS name a node's certificate carries; clients override the target name to it."""
    return f"{country}.node.exchange"


def spki_fingerprint(cert: x509.Certificate) -> str:
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(spki).hexdigest()


def fingerprint_of_pem(pem: bytes) -> str:
    return spki_fingerprint(x509.load_pem_x509_certificate(pem))


def format_fingerprint(fp: str) -> str:
    """Groups of four hex digits, easier to read aloud and compare."""
    return " ".join(fp[i : i + 4] for i in range(0, len(fp), 4))


def parse_fingerprint(text: str) -> str:
    fp = "".join(ch for ch in text.lower() if ch not in " :-")
    if len(fp) != 64 or any(ch not in "0123456789abcdef" for ch in fp):
        raise KeyError_(
            "a fingerprint is 64 hex digits (sha256 of the peer's TLS public key)",
            hint="copy it from the peer's `exchange init` or `exchange status` output",
        )
    return fp


def make_tls_identity(country: str, sign_public_raw: bytes, now: datetime) -> tuple[bytes, bytes]:
    """Create (private key PEM, certificate PEM) for a node."""
    key = ec.generate_private_key(ec.SECP256R1())
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # During a TLS key rotation a peer trusts two certificates of one node at once: distinct
    # subjects (and key identifiers) let TLS find the right one for each handshake.
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, server_name(country)),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"exchange node {country}"),
            x509.NameAttribute(
                NameOID.ORGANIZATIONAL_UNIT_NAME, f"key {hashlib.sha256(spki).hexdigest()[:16]}"
            ),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=CERT_DAYS))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(server_name(country))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(x509.UnrecognizedExtension(SIGN_KEY_OID, sign_public_raw), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class PeerCertificate:
    country: str
    fingerprint: str
    sign_public_raw: bytes
    pem: bytes


def inspect_peer_certificate(
    der_or_pem: bytes, expected_fp: str | None, country: str
) -> PeerCertificate:
    """Check a peer's self-signed certificate names `country`, and, when an administrator was
    given one, that it has `expected_fp` (its key must still be certified: see the caller)."""
    if der_or_pem.startswith(b"-----BEGIN"):
        cert = x509.load_pem_x509_certificate(der_or_pem)
    else:
        cert = x509.load_der_x509_certificate(der_or_pem)
    actual = spki_fingerprint(cert)
    if expected_fp is not None and actual != expected_fp:
        raise PeerError(
            f"fingerprint mismatch for {country}: the node answering has {actual[:16]}..., "
            f"you were given {expected_fp[:16]}...",
            hint="do not add this peer; confirm the fingerprint with its administrator",
        )
    try:
        cert.verify_directly_issued_by(cert)
    except (InvalidSignature, ValueError, TypeError):
        raise PeerError(f"the certificate of {country} is not properly self-signed") from None
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not names or names[0].value != server_name(country):
        raise PeerError(
            f"the node at that address is not a node of {country!r} "
            f"(its certificate names {names[0].value if names else 'nobody'!s})",
            hint="check the country code and the address",
        )
    try:
        ext = cert.extensions.get_extension_for_oid(SIGN_KEY_OID).value
    except x509.ExtensionNotFound:
        raise PeerError(f"the certificate of {country} carries no signing key") from None
    raw = ext.value if isinstance(ext, x509.UnrecognizedExtension) else b""
    pem = cert.public_bytes(serialization.Encoding.PEM)
    return PeerCertificate(country, actual, raw, pem)


def fetch_peer_certificate(address: str, timeout: float = 5.0) -> bytes:
    """Read the certificate a node presents at address (host:port), without trusting it yet."""
    host, _, port = address.rpartition(":")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        with (
            socket.create_connection((host, int(port)), timeout=timeout) as sock,
            ctx.wrap_socket(sock) as tls,
        ):
            der = tls.getpeercert(binary_form=True)
    except (OSError, ValueError) as exc:
        raise PeerError(
            f"peer unreachable at {address}: {getattr(exc, 'strerror', None) or exc}",
            hint="check the address and that the peer's node is running",
        ) from None
    if not der:
        raise PeerError(f"the node at {address} presented no certificate")
    return der
