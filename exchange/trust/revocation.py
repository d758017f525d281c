"""Key revocation with an effective time, and the overlap rule of key rotation.

A `KeyRevocation` is signed (one DSSE signature over the exact payload bytes) by an admin key
that the trusted bundle lists for the revocation's own country: a country revokes only its own
node keys. Items signed by a revoked key at or after `effective` are refused; items signed before
stay valid. `effective` may lie in the past (back-dated to when a compromise began).

Rotation: a node key certificate covers [valid_from, valid_until); an item's `signed_at` must fall
inside its signing key's window. The old key keeps verifying items signed before its valid_until,
and anything it signed at or after valid_until is refused.

All times are compared in exact integer nanoseconds. Pure: no I/O and no clock reads.

Limit (see the shell): `signed_at` is the time the item claims. A holder of a compromised key can
claim an earlier time; the revocation's effective time (back-dated to the compromise) and the
channel's sequencing (an item's position on its channel) are what bound that, not this module.
"""

from __future__ import annotations

import re
from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from exchange._proto.v1 import envelope_pb2, trust_pb2
from exchange.envelope import SigningKey
from exchange.errors import MalformedInput
from exchange.trust._common import (
    COUNTRY_RE,
    REVOCATION_PAYLOAD_TYPE,
    now_ns,
    ts_ns,
    ts_ok,
    ts_text,
)
from exchange.trust.admin_signed import AdminSignedKind, open_admin_signed
from exchange.trust.bundle import Bundle
from exchange.trust.certificate import check_fields, node_key_id, node_key_ids, purpose_name
from exchange.trust.errors import (
    CertificateExpired,
    CertificateNotYetValid,
    KeyRevoked,
    MalformedRevocation,
    RevocationSignatureInvalid,
    RevocationWrongCountry,
)

MAX_REVOCATION_BYTES = 4096
MAX_REASON_CHARS = 1024
_KEY_ID_RE = re.compile(r"[0-9a-f]{64}")


def _instant_ns(t: datetime | Timestamp, what: str) -> int:
    """A datetime (timezone-aware) or a Timestamp as exact nanoseconds since the epoch."""
    if isinstance(t, Timestamp):
        if not ts_ok(t):
            raise MalformedInput(f"{what} is not a valid timestamp")
        return ts_ns(t)
    return now_ns(t)


def _text(t: datetime | Timestamp) -> str:
    return ts_text(t) if isinstance(t, Timestamp) else t.isoformat()


def check_revocation_fields(rev: trust_pb2.KeyRevocation) -> None:
    """Structural checks, independent of bundle and time."""
    if not COUNTRY_RE.fullmatch(rev.country):
        raise MalformedRevocation(
            f"revocation country {rev.country[:16]!r} is not a lower-case two-letter code"
        )
    if not _KEY_ID_RE.fullmatch(rev.key_id):
        raise MalformedRevocation(
            f"revocation for {rev.country!r}: the key id must be 64 lower-case hex characters "
            "(sha256 of the revoked public key)"
        )
    if not rev.HasField("effective") or not ts_ok(rev.effective):
        raise MalformedRevocation(f"revocation for {rev.country!r} has no valid effective time")
    if len(rev.reason) > MAX_REASON_CHARS:
        raise MalformedRevocation(
            f"revocation for {rev.country!r}: reason over {MAX_REASON_CHARS} characters"
        )


_REVOCATION: AdminSignedKind[trust_pb2.KeyRevocation] = AdminSignedKind(
    noun="key revocation",
    payload_type=REVOCATION_PAYLOAD_TYPE,
    max_bytes=MAX_REVOCATION_BYTES,
    new=trust_pb2.KeyRevocation,
    check_fields=check_revocation_fields,
    malformed=MalformedRevocation,
    bad_signature=RevocationSignatureInvalid,
    wrong_country=RevocationWrongCountry,
    wrong_country_text=lambda rev, signer: (
        f"a revocation of a key of {rev.country!r} signed by the admin key of {signer!r}; "
        "only a country's own admin keys revoke its node keys"
    ),
)


def issue_revocation(admin: SigningKey, rev: trust_pb2.KeyRevocation) -> envelope_pb2.Envelope:
    """Sign `rev` with the revoking country's admin key (the fields are checked first)."""
    return _REVOCATION.issue(admin, rev)


def verify_revocation(
    env: envelope_pb2.Envelope, bundle: Bundle, now: datetime
) -> trust_pb2.KeyRevocation:
    """Return the revocation if signed by an admin key of its own country in `bundle`.

    Refused (TrustError) under a frozen bundle, over the size cap, with a signature that does not
    verify against the bundle's admin keys (members and observers), malformed, or signed by
    another country's admin key.
    """
    return open_admin_signed(env, bundle, now, _REVOCATION)


def open_revocation(
    env: envelope_pb2.Envelope, bundle: Bundle, now: datetime | None = None
) -> trust_pb2.KeyRevocation:
    """As verify_revocation; without `now`, re-checks one already held (no freeze check)."""
    return open_admin_signed(env, bundle, now, _REVOCATION)


class RevocationSet:
    """Verified revocations, by (country, key id): pure state, no I/O.

    Add only what `verify_revocation` returned. For one key the earliest effective time wins: a
    later revocation never shortens an earlier one.
    """

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, str], trust_pb2.KeyRevocation] = {}

    def __len__(self) -> int:
        return len(self._by_key)

    def add(self, verified: trust_pb2.KeyRevocation) -> bool:
        """Record a verified revocation; True if it changed anything (idempotent)."""
        check_revocation_fields(verified)
        key = (verified.country, verified.key_id)
        cur = self._by_key.get(key)
        if cur is not None and ts_ns(cur.effective) <= ts_ns(verified.effective):
            return False
        copy = trust_pb2.KeyRevocation()
        copy.CopyFrom(verified)
        self._by_key[key] = copy
        return True

    def effective(self, country: str, key_id: str) -> Timestamp | None:
        """When the key of `country` became void, or None if it is not revoked."""
        rev = self._by_key.get((country, key_id))
        if rev is None:
            return None
        out = Timestamp()
        out.CopyFrom(rev.effective)
        return out

    def effective_for(
        self, country: str, public_key: bytes, purpose: trust_pb2.KeyPurpose.ValueType
    ) -> Timestamp | None:
        """As effective(), for a certified key under any id a revocation may name it by."""
        found = [self.effective(country, kid) for kid in node_key_ids(public_key, purpose)]
        held = [t for t in found if t is not None]
        return min(held, key=ts_ns) if held else None

    def revoked(self) -> tuple[trust_pb2.KeyRevocation, ...]:
        """Copies of every recorded revocation (for `exchange status` alarms)."""
        out = []
        for rev in self._by_key.values():
            copy = trust_pb2.KeyRevocation()
            copy.CopyFrom(rev)
            out.append(copy)
        return tuple(out)

    def check(self, key_id: str, signed_at: datetime | Timestamp, *, country: str) -> None:
        """Raise KeyRevoked if the key of `country` was revoked at or before `signed_at`."""
        s = _instant_ns(signed_at, "signed_at")
        rev = self._by_key.get((country, key_id))
        if rev is not None and s >= ts_ns(rev.effective):
            raise KeyRevoked(
                f"key {key_id[:16]} of {country!r} is revoked from {ts_text(rev.effective)}; an "
                f"item signed at {_text(signed_at)} is refused",
                hint="the origin must re-sign with its current key; the alarm stays in status",
            )


def rotation_check(cert: trust_pb2.NodeKeyCertificate, signed_at: datetime | Timestamp) -> None:
    """Raise unless `signed_at` falls inside the certificate's [valid_from, valid_until).

    `cert` must already be verified (signature and country) under the trusted bundle. This is
    how an old key keeps verifying items signed before its valid_until after a rotation.
    """
    check_fields(cert)
    s = _instant_ns(signed_at, "signed_at")
    kid = node_key_id(cert.public_key, cert.purpose)[:16]
    what = f"{purpose_name(cert.purpose)} key {kid} of {cert.country!r}"
    if s < ts_ns(cert.valid_from):
        raise CertificateNotYetValid(
            f"an item signed at {_text(signed_at)} by {what}, before the key took effect at "
            f"{ts_text(cert.valid_from)}",
            hint="check both clocks; a new key takes effect at its valid_from",
        )
    if s >= ts_ns(cert.valid_until):
        raise CertificateExpired(
            f"an item signed at {_text(signed_at)} by {what}, at or after its valid_until "
            f"{ts_text(cert.valid_until)}; the key was rotated out",
            hint="the origin must sign with its current key",
        )


def check_item_signer(
    cert: trust_pb2.NodeKeyCertificate,
    revocations: RevocationSet,
    signed_at: datetime | Timestamp,
) -> None:
    """Both rules for the key that signed an item: inside its window, and not revoked then."""
    rotation_check(cert, signed_at)
    for kid in node_key_ids(cert.public_key, cert.purpose):
        revocations.check(kid, signed_at, country=cert.country)
