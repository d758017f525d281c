"""Shared helpers: payload types, exact time arithmetic, key checks."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from google.protobuf.timestamp_pb2 import Timestamp

from exchange.envelope import VerifyKey
from exchange.errors import KeyError_, MalformedInput
from exchange.records.seal import HYBRID_PUBLIC, MLKEM_PUBLIC, check_public
from exchange.trust.errors import WeakKey

BUNDLE_PAYLOAD_TYPE = "application/vnd.exchange.v1.TrustBundle+protobuf"
CERTIFICATE_PAYLOAD_TYPE = "application/vnd.exchange.v1.NodeKeyCertificate+protobuf"
REVOCATION_PAYLOAD_TYPE = "application/vnd.exchange.v1.KeyRevocation+protobuf"

COUNTRY_RE = re.compile(r"[a-z]{2}")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NS = 1_000_000_000
# Timestamp bounds from google/protobuf/timestamp.proto: 0001-01-01 .. 9999-12-31T23:59:59Z.
_MIN_SECONDS = -62135596800
_MAX_SECONDS = 253402300799


def now_ns(now: datetime) -> int:
    """`now` as integer nanoseconds since the epoch (exact; `now` must be timezone-aware)."""
    if now.tzinfo is None:
        raise ValueError("the trust core needs a timezone-aware `now` (e.g. datetime.now(UTC))")
    return ((now - _EPOCH) // timedelta(microseconds=1)) * 1000


def ts_ns(ts: Timestamp) -> int:
    """A Timestamp as integer nanoseconds since the epoch (exact: no float, no truncation)."""
    return ts.seconds * _NS + ts.nanos


def ts_ok(ts: Timestamp) -> bool:
    return _MIN_SECONDS <= ts.seconds <= _MAX_SECONDS and 0 <= ts.nanos < _NS


def ts_text(ts: Timestamp) -> str:
    if not ts_ok(ts):
        return f"<out-of-range timestamp {ts.seconds}s>"
    return ts.ToDatetime(tzinfo=UTC).isoformat()


def ed25519_key(country: str, raw: bytes, what: str) -> VerifyKey:
    """A raw Ed25519 public key through exchange.envelope.check_public_key, as WeakKey."""
    try:
        return VerifyKey.from_raw(country, raw)
    except KeyError_ as exc:
        raise WeakKey(
            f"{what} for {country!r} refused: {exc.message}",
            hint="generate a fresh key with the key tools; never hand-edit key material",
        ) from None


_P = 2**255 - 19
# Low-order X25519 u-coordinates (top bit masked), after libsodium's blocklist: with one of
# these the shared secret is predictable.
_X25519_LOW_ORDER = frozenset(
    [
        0,
        1,
        _P - 1,
        _P,
        _P + 1,
        int.from_bytes(
            bytes.fromhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
            "little",
        ),
        int.from_bytes(
            bytes.fromhex("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"),
            "little",
        ),
    ]
)


def check_seal_key(country: str, raw: bytes) -> None:
    """A sealing key is X25519 alone (32 bytes, before records existed) or the hybrid
    ML-KEM-768 + X25519 key records are sealed to (1184 + 32 bytes)."""
    if len(raw) == HYBRID_PUBLIC:
        check_x25519_key(country, raw[MLKEM_PUBLIC:])
        try:
            check_public(raw)
        except MalformedInput as exc:
            raise WeakKey(f"sealing key for {country!r} refused: {exc.message}") from None
        return
    check_x25519_key(country, raw)


def check_x25519_key(country: str, raw: bytes) -> None:
    if len(raw) != 32:
        raise WeakKey(
            f"sealing key for {country!r}: an X25519 public key is 32 bytes, got {len(raw)}"
        )
    u = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    if u >= _P:
        raise WeakKey(f"sealing key for {country!r} refused: non-canonical X25519 public key")
    if u in _X25519_LOW_ORDER:
        raise WeakKey(
            f"sealing key for {country!r} refused: low-order X25519 point (predictable secret)"
        )
