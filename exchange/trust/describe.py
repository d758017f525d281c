"""Plain descriptions of trust items for people (`exchange keys show`), without trusting them.

Nothing here decides trust: a certificate or revocation is described as it claims to be (who
signed it is the signature's key id, to compare with the bundle's admins); a bundle's signers
are checked against the admin keys it lists itself. Every key is named by its one key id.
"""

from __future__ import annotations

from google.protobuf.message import DecodeError

from exchange._proto.v1 import envelope_pb2, trust_pb2
from exchange.trust._common import (
    BUNDLE_PAYLOAD_TYPE,
    CERTIFICATE_PAYLOAD_TYPE,
    REVOCATION_PAYLOAD_TYPE,
    ts_text,
)
from exchange.trust.adminkey import fingerprint
from exchange.trust.bundle import Bundle, Party, parse_bundle
from exchange.trust.certificate import check_fields, node_key_id, purpose_name
from exchange.trust.errors import MalformedCertificate, MalformedRevocation
from exchange.trust.multisig import valid_signers
from exchange.trust.revocation import check_revocation_fields

Described = dict[str, object]


def _signed_by(env: envelope_pb2.Envelope) -> list[str]:
    return [s.key_id for s in env.signatures]


def threshold_warning(b: Bundle) -> str | None:
    if b.threshold == 1:
        return (
            f"bundle v{b.version} has threshold 1: a single admin key can change the region's trust"
        )
    return None


def describe_bundle(env: envelope_pb2.Envelope) -> Described:
    b = parse_bundle(env.payload)
    signers = valid_signers(env, b.all_admin_keys())

    def parties(ps: tuple[Party, ...]) -> dict[str, list[dict[str, str]]]:
        return {
            p.country: [
                {"key_id": k.key_id, "fingerprint": fingerprint(k.public_raw)} for k in p.admin_keys
            ]
            for p in ps
        }

    warning = threshold_warning(b)
    return {
        "kind": "bundle",
        "version": b.version,
        "expires": b.expires_text,
        "threshold": b.threshold,
        "digest": b.digest,
        "members": parties(b.members),
        "observers": parties(b.observers),
        "signed_by": sorted(
            p.country
            for p in (*b.members, *b.observers)
            for k in p.admin_keys
            if k.key_id in signers
        ),
        "warnings": [warning] if warning else [],
    }


def parse_certificate(env: envelope_pb2.Envelope) -> trust_pb2.NodeKeyCertificate:
    try:
        cert = trust_pb2.NodeKeyCertificate.FromString(env.payload)
    except DecodeError:
        raise MalformedCertificate("a node key certificate cannot be parsed") from None
    check_fields(cert)
    return cert


def describe_certificate(env: envelope_pb2.Envelope) -> Described:
    cert = parse_certificate(env)
    return {
        "kind": "certificate",
        "country": cert.country,
        "purpose": purpose_name(cert.purpose),
        "key_id": node_key_id(cert.public_key, cert.purpose),
        "valid_from": ts_text(cert.valid_from),
        "valid_until": ts_text(cert.valid_until),
        "signed_by": _signed_by(env),
    }


def describe_revocation(env: envelope_pb2.Envelope) -> Described:
    try:
        rev = trust_pb2.KeyRevocation.FromString(env.payload)
    except DecodeError:
        raise MalformedRevocation("a key revocation cannot be parsed") from None
    check_revocation_fields(rev)
    return {
        "kind": "revocation",
        "country": rev.country,
        "key_id": rev.key_id,
        "effective": ts_text(rev.effective),
        "reason": rev.reason,
        "signed_by": _signed_by(env),
    }


def describe(env: envelope_pb2.Envelope) -> Described:
    if env.payload_type == BUNDLE_PAYLOAD_TYPE:
        return describe_bundle(env)
    if env.payload_type == CERTIFICATE_PAYLOAD_TYPE:
        return describe_certificate(env)
    assert env.payload_type == REVOCATION_PAYLOAD_TYPE  # files.parse_items checked the kind
    return describe_revocation(env)
