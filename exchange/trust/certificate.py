"""Node key certificates: a country's admin key vouches for one of its node keys for a window.

A certificate is valid at `now` iff the bundle is not frozen, it is signed (exactly one DSSE
signature over the exact payload bytes) by an admin key that the trusted bundle lists for the
certificate's own country, its fields are well formed, and valid_from <= now < valid_until
(compared in exact nanoseconds).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from exchange._proto.v1 import envelope_pb2, trust_pb2
from exchange.envelope import SigningKey
from exchange.trust._common import (
    CERTIFICATE_PAYLOAD_TYPE,
    COUNTRY_RE,
    check_seal_key,
    ed25519_key,
    now_ns,
    ts_ns,
    ts_ok,
    ts_text,
)
from exchange.trust.admin_signed import AdminSignedKind, open_admin_signed
from exchange.trust.bundle import Bundle
from exchange.trust.errors import (
    CertificateExpired,
    CertificateNotYetValid,
    CertificateSignatureInvalid,
    CertificateWrongCountry,
    KeyNotCertified,
    MalformedCertificate,
    TrustError,
)

MAX_CERTIFICATE_BYTES = 4096

KeyPurpose = trust_pb2.KeyPurpose
_PURPOSE_NAMES = {
    trust_pb2.KEY_PURPOSE_SIGN: "signing",
    trust_pb2.KEY_PURPOSE_SEAL: "sealing",
    trust_pb2.KEY_PURPOSE_TLS: "TLS",
}


PURPOSES: dict[str, trust_pb2.KeyPurpose.ValueType] = {
    "sign": trust_pb2.KEY_PURPOSE_SIGN,
    "seal": trust_pb2.KEY_PURPOSE_SEAL,
    "tls": trust_pb2.KEY_PURPOSE_TLS,
}


def purpose_name(purpose: trust_pb2.KeyPurpose.ValueType) -> str:
    return _PURPOSE_NAMES.get(purpose, f"unknown({int(purpose)})")


def node_key_id(public_key: bytes, purpose: trust_pb2.KeyPurpose.ValueType) -> str:
    """A node key's one id, as every command shows it: the hex sha256 of a signing or sealing
    key; for a TLS key, whose certificate holds the sha256 of its SPKI, that digest itself, so
    its id is the fingerprint peers pin (`peers add --fingerprint`)."""
    if purpose == trust_pb2.KEY_PURPOSE_TLS:
        return public_key.hex()
    return hashlib.sha256(public_key).hexdigest()


def node_key_ids(public_key: bytes, purpose: trust_pb2.KeyPurpose.ValueType) -> tuple[str, ...]:
    """Every id a revocation may name this key by: a TLS key's id before it became its
    fingerprint was the sha256 of that fingerprint, and revocations made then still hold."""
    kid = node_key_id(public_key, purpose)
    if purpose == trust_pb2.KEY_PURPOSE_TLS:
        return kid, hashlib.sha256(public_key).hexdigest()
    return (kid,)


def check_fields(cert: trust_pb2.NodeKeyCertificate) -> None:
    """Structural checks, independent of bundle and time."""
    if not COUNTRY_RE.fullmatch(cert.country):
        raise MalformedCertificate(
            f"certificate country {cert.country[:16]!r} is not a lower-case two-letter code"
        )
    if cert.purpose not in _PURPOSE_NAMES:
        raise MalformedCertificate(
            f"certificate for {cert.country!r} has no valid key purpose (sign, seal or tls)"
        )
    for name in ("valid_from", "valid_until"):
        if not cert.HasField(name) or not ts_ok(getattr(cert, name)):
            raise MalformedCertificate(f"certificate for {cert.country!r} has no valid {name}")
    if ts_ns(cert.valid_from) >= ts_ns(cert.valid_until):
        raise MalformedCertificate(
            f"certificate for {cert.country!r}: valid_from must be before valid_until"
        )
    key = bytes(cert.public_key)
    if cert.purpose == trust_pb2.KEY_PURPOSE_SIGN:
        ed25519_key(cert.country, key, "node signing key")
    elif cert.purpose == trust_pb2.KEY_PURPOSE_SEAL:
        check_seal_key(cert.country, key)
    elif len(key) != 32:
        raise MalformedCertificate(
            f"TLS certificate for {cert.country!r}: the SPKI sha256 is 32 bytes, got {len(key)}"
        )


_CERTIFICATE: AdminSignedKind[trust_pb2.NodeKeyCertificate] = AdminSignedKind(
    noun="node key certificate",
    payload_type=CERTIFICATE_PAYLOAD_TYPE,
    max_bytes=MAX_CERTIFICATE_BYTES,
    new=trust_pb2.NodeKeyCertificate,
    check_fields=check_fields,
    malformed=MalformedCertificate,
    bad_signature=CertificateSignatureInvalid,
    wrong_country=CertificateWrongCountry,
    wrong_country_text=lambda cert, signer: (
        f"a certificate for {cert.country!r} signed by the admin key of {signer!r}; "
        "only a country's own admin keys certify its node keys"
    ),
)


def issue(admin: SigningKey, cert: trust_pb2.NodeKeyCertificate) -> envelope_pb2.Envelope:
    """Sign `cert` with a country's admin key (the fields are checked first)."""
    return _CERTIFICATE.issue(admin, cert)


def open_certificate(
    env: envelope_pb2.Envelope, bundle: Bundle, now: datetime | None = None
) -> trust_pb2.NodeKeyCertificate:
    """Signature, fields and country under `bundle`, without the validity window (a node keeps
    certificates that are not yet valid, or expired, for rotation). With `now`, a frozen bundle
    refuses it (a new key change); without, it re-checks a certificate already held."""
    return open_admin_signed(env, bundle, now, _CERTIFICATE)


def verify_certificate(
    env: envelope_pb2.Envelope, bundle: Bundle, now: datetime
) -> trust_pb2.NodeKeyCertificate:
    """Return the certificate if valid at `now` under `bundle`, else raise a TrustError."""
    n = now_ns(now)
    cert = open_admin_signed(env, bundle, now, _CERTIFICATE)
    what = f"{purpose_name(cert.purpose)} key certificate for {cert.country!r}"
    if n < ts_ns(cert.valid_from):
        raise CertificateNotYetValid(
            f"{what} is not valid before {ts_text(cert.valid_from)}",
            hint="check both clocks; the key takes effect at valid_from",
        )
    if n >= ts_ns(cert.valid_until):
        raise CertificateExpired(
            f"{what} expired at {ts_text(cert.valid_until)}",
            hint="the node's administrator must issue a new certificate",
        )
    return cert


def certified_key(
    certificates: Iterable[envelope_pb2.Envelope],
    *,
    country: str,
    purpose: trust_pb2.KeyPurpose.ValueType,
    public_key: bytes,
    bundle: Bundle,
    now: datetime,
) -> trust_pb2.NodeKeyCertificate:
    """The valid certificate among `certificates` for exactly this key, or KeyNotCertified."""
    bundle.check_not_frozen(now)
    reasons: list[str] = []
    for env in certificates:
        try:
            cert = verify_certificate(env, bundle, now)
        except TrustError as exc:
            reasons.append(exc.message)
            continue
        if cert.country == country and cert.purpose == purpose and cert.public_key == public_key:
            return cert
    detail = f" ({len(reasons)} refused: {reasons[0]})" if reasons else ""
    raise KeyNotCertified(
        f"{purpose_name(purpose)} key {node_key_id(public_key, purpose)[:16]} of {country!r} "
        f"has no valid certificate{detail}",
        hint="the node must present a certificate from its country's admin key",
    )


def issue_node_certificates(
    admin: SigningKey,
    country: str,
    keys: dict[trust_pb2.KeyPurpose.ValueType, bytes],
    valid_from: datetime,
    valid_until: datetime,
) -> list[envelope_pb2.Envelope]:
    """One certificate per purpose for a node's public keys (TLS: its SPKI sha256)."""
    out = []
    for purpose, public in sorted(keys.items()):
        cert = trust_pb2.NodeKeyCertificate(country=country, purpose=purpose, public_key=public)
        cert.valid_from.FromDatetime(valid_from)
        cert.valid_until.FromDatetime(valid_until)
        out.append(issue(admin, cert))
    return out
