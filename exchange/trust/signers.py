"""The signing keys a node trusts for one origin, with the rules an item's signer must pass.

Built by the node from the certificates and revocations it holds (see exchange.node.truststore);
used by the receiver for every channel entry, after the signature verified:

- the item's claimed `signed_at` must fall inside one of the key's certificate windows
  [valid_from, valid_until): a new key takes effect at its valid_from, an old key keeps verifying
  what it signed before its valid_until and nothing after. One allowance: once a key is in
  effect (the receiver's clock is past valid_from), it may vouch for an item made earlier (a
  claimed time before valid_from). That is how an origin re-signs its undelivered backlog with
  its new key after a rotation or a revocation; it gives the key no power it lacks anyway (it
  could claim any time inside its window);
- `signed_at` must not lie more than `max_skew` in the receiver's future;
- a revoked key: refused if the item claims a time at or after the effective time, and refused
  whatever time it claims once the receiver's own clock has passed the effective time. Entries
  the origin signed before the revocation but never delivered must be re-published by it.

Pure: no I/O, times are integer nanoseconds since the epoch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from exchange._proto.v1 import trust_pb2
from exchange.envelope import VerifyKey, key_id
from exchange.trust._common import ts_ns
from exchange.trust.errors import CertificateExpired, CertificateNotYetValid, KeyRevoked

MAX_SKEW_NS = 300 * 1_000_000_000


def _text(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class TrustedSigners(Mapping[str, VerifyKey]):
    """Key id -> verify key for one country, plus each key's windows and revocation."""

    country: str
    by_id: Mapping[str, VerifyKey] = field(default_factory=dict)
    windows: Mapping[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    revoked: Mapping[str, int] = field(default_factory=dict)  # key id -> effective ns
    max_skew_ns: int = MAX_SKEW_NS

    def __getitem__(self, key_id: str) -> VerifyKey:
        return self.by_id[key_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self.by_id)

    def __len__(self) -> int:
        return len(self.by_id)

    def check(self, key_id: str, signed_at_ns: int, now_ns: int) -> None:
        """Raise a TrustError unless the key may have signed an item at `signed_at_ns`."""
        kid = key_id[:16]
        what = f"signing key {kid} of {self.country!r}"
        eff = self.revoked.get(key_id)
        if eff is not None and (signed_at_ns >= eff or now_ns >= eff):
            raise KeyRevoked(
                f"{what} is revoked from {_text(eff)}; an item claiming {_text(signed_at_ns)} "
                "is refused",
                hint=f"{self.country} must sign with its current key; see `exchange keys status`",
            )
        if signed_at_ns > now_ns + self.max_skew_ns:
            raise CertificateNotYetValid(
                f"an item from {self.country!r} claims to be signed at {_text(signed_at_ns)}, "
                "in this node's future",
                hint="check both nodes' clocks (NTP)",
            )
        wins = self.windows.get(key_id, ())
        if any(signed_at_ns < hi and (lo <= signed_at_ns or lo <= now_ns) for lo, hi in wins):
            return
        if wins and signed_at_ns < min(lo for lo, _ in wins):
            raise CertificateNotYetValid(
                f"an item signed at {_text(signed_at_ns)} by {what}, before the key took effect "
                f"at {_text(min(lo for lo, _ in wins))}",
                hint="check both clocks; a new key takes effect at its valid_from",
            )
        until = max((hi for _, hi in wins), default=0)
        raise CertificateExpired(
            f"an item signed at {_text(signed_at_ns)} by {what}, outside its certificate "
            f"(valid until {_text(until)}); the key was rotated out",
            hint=f"{self.country} must sign with its current key",
        )


def signers_from(
    country: str,
    certificates: Iterable[trust_pb2.NodeKeyCertificate],
    revocations: Iterable[trust_pb2.KeyRevocation],
) -> TrustedSigners:
    """The signing keys of `country` among checked certificates, with windows and revocations."""
    keys: dict[str, VerifyKey] = {}
    windows: dict[str, list[tuple[int, int]]] = {}
    for c in certificates:
        if c.country != country or c.purpose != trust_pb2.KEY_PURPOSE_SIGN:
            continue
        kid = key_id(bytes(c.public_key))
        keys[kid] = VerifyKey.from_raw(country, bytes(c.public_key))
        windows.setdefault(kid, []).append((ts_ns(c.valid_from), ts_ns(c.valid_until)))
    revoked: dict[str, int] = {}
    for r in revocations:
        if r.country == country:  # the earliest effective time wins
            revoked[r.key_id] = min(ts_ns(r.effective), revoked.get(r.key_id, ts_ns(r.effective)))
    return TrustedSigners(country, keys, {k: tuple(v) for k, v in windows.items()}, revoked)
