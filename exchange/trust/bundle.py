"""The region trust bundle and the pure state machine that rotates it (TUF root rotation).

`TrustedBundles` starts from a trust anchor (normally version 1, pinned out of band) and accepts
version N+1 only if, all at one fixed `now`:

- the envelope is at most `max_envelope_bytes` and the accepted chain is below `max_chain`;
- it carries a threshold (version N's) of distinct valid signatures from version N's member
  admin keys, checked over the exact payload bytes before the payload is parsed;
- it parses and is well formed: version >= 1, an expiry, valid unique country codes, each party
  with at least one admin key, every admin key a strong Ed25519 key listed once in the whole
  bundle, and 1 <= threshold <= number of member admin keys;
- it is exactly one version up (older: rollback; same version with other bytes: conflict;
  further up: skipped, walk the chain);
- it has not expired at `now`;
- it carries its own threshold of distinct valid signatures from its own member admin keys.

Only member admin keys count towards thresholds; observers' admin keys certify their own node keys
but do not vote on the bundle. Each key counts once, however many signatures it carries.

Freeze: when the current bundle has expired (`is_frozen(now)`), the node must trust no update of
anything else (certificates, revocations, new node keys) until a newer bundle arrives; only
`update`/`walk` move it forward. `Bundle.check_not_frozen` raises TrustFrozen for callers;
`certificate.verify_certificate` applies it.

Every refusal raises a TrustError and leaves the state exactly as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from google.protobuf.message import DecodeError

from exchange._proto.v1 import envelope_pb2, trust_pb2
from exchange.envelope import UNKNOWN_FIELDS_TEXT, VerifyKey, unknown_fields_in
from exchange.trust._common import (
    BUNDLE_PAYLOAD_TYPE,
    COUNTRY_RE,
    ed25519_key,
    now_ns,
    ts_ns,
    ts_ok,
    ts_text,
)
from exchange.trust.errors import (
    AdminKeyReused,
    BundleExpired,
    BundleTooLarge,
    ChainTooLong,
    MalformedBundle,
    RollbackRefused,
    ThresholdNotMet,
    TrustFrozen,
    VersionConflict,
    VersionSkipped,
)
from exchange.trust.multisig import valid_signers

MAX_BUNDLE_BYTES = 64 * 1024
MAX_CHAIN = 1000


@dataclass(frozen=True)
class Party:
    country: str
    admin_keys: tuple[VerifyKey, ...]


@dataclass(frozen=True)
class Bundle:
    """A parsed, well-formed trust bundle (its signatures are checked by TrustedBundles)."""

    version: int
    expires_ns: int
    expires_text: str
    threshold: int
    members: tuple[Party, ...]
    observers: tuple[Party, ...]
    payload: bytes

    @property
    def digest(self) -> str:
        """Hex sha256 of the exact payload bytes: what two administrators compare."""
        return hashlib.sha256(self.payload).hexdigest()

    def member_admin_keys(self) -> dict[str, VerifyKey]:
        """Key id -> key for the admin keys that vote on bundle updates."""
        return {k.key_id: k for p in self.members for k in p.admin_keys}

    def all_admin_keys(self) -> dict[str, VerifyKey]:
        """Key id -> key for every admin key (members and observers), e.g. for certificates."""
        return {k.key_id: k for p in (*self.members, *self.observers) for k in p.admin_keys}

    def is_expired(self, now: datetime) -> bool:
        return now_ns(now) >= self.expires_ns

    def check_not_frozen(self, now: datetime) -> None:
        if self.is_expired(now):
            raise TrustFrozen(
                f"the region trust bundle v{self.version} expired at {self.expires_text}; "
                "no key change is trusted until a newer bundle arrives",
                hint="administrators: sign and publish the next bundle version",
            )


def parse_bundle(payload: bytes) -> Bundle:
    """Parse and check the structure of a bundle payload (no signature checks)."""
    msg = trust_pb2.TrustBundle()
    try:
        msg.ParseFromString(payload)
    except DecodeError:
        raise MalformedBundle("the trust bundle payload is not a valid TrustBundle") from None
    if msg.version < 1:
        raise MalformedBundle("a trust bundle version starts at 1")
    if not msg.HasField("expires") or not ts_ok(msg.expires):
        raise MalformedBundle(f"trust bundle v{msg.version} has no valid expiry")
    seen_countries: set[str] = set()
    seen_keys: dict[str, str] = {}

    def party(p: trust_pb2.Party, role: str) -> Party:
        if not COUNTRY_RE.fullmatch(p.country):
            raise MalformedBundle(
                f"trust bundle v{msg.version}: {role} country {p.country[:16]!r} is not a "
                "lower-case two-letter code"
            )
        if p.country in seen_countries:
            raise MalformedBundle(f"trust bundle v{msg.version} lists {p.country!r} twice")
        seen_countries.add(p.country)
        if not p.admin_keys:
            raise MalformedBundle(f"trust bundle v{msg.version}: {p.country!r} has no admin key")
        keys = []
        for raw in p.admin_keys:
            vk = ed25519_key(p.country, bytes(raw), "admin key")
            other = seen_keys.get(vk.key_id)
            if other is not None:
                raise AdminKeyReused(
                    f"trust bundle v{msg.version}: admin key {vk.key_id[:16]} is listed for "
                    f"{other!r} and again for {p.country!r}; a key speaks for one country once",
                    hint="each country needs its own admin keys; remove the duplicate",
                )
            seen_keys[vk.key_id] = p.country
            keys.append(vk)
        return Party(p.country, tuple(keys))

    members = tuple(party(p, "member") for p in msg.members)
    observers = tuple(party(p, "observer") for p in msg.observers)
    if not members:
        raise MalformedBundle(f"trust bundle v{msg.version} has no members")
    n_keys = sum(len(p.admin_keys) for p in members)
    if not 1 <= msg.threshold <= n_keys:
        raise MalformedBundle(
            f"trust bundle v{msg.version}: threshold {msg.threshold} must be between 1 and the "
            f"number of member admin keys ({n_keys})"
        )
    return Bundle(
        version=msg.version,
        expires_ns=ts_ns(msg.expires),
        expires_text=ts_text(msg.expires),
        threshold=msg.threshold,
        members=members,
        observers=observers,
        payload=bytes(payload),
    )


def _check_size(env: envelope_pb2.Envelope, limit: int) -> None:
    size = env.ByteSize()
    if size > limit:
        raise BundleTooLarge(f"trust bundle envelope of {size} bytes is over the {limit}-byte cap")
    if env.payload_type != BUNDLE_PAYLOAD_TYPE:
        raise MalformedBundle(f"not a trust bundle: payload type {env.payload_type[:80]!r}")


def _require_threshold(
    env: envelope_pb2.Envelope, keys: Mapping[str, VerifyKey], threshold: int, whose: str, what: str
) -> None:
    try:
        got = len(valid_signers(env, keys))
    except ValueError as exc:
        raise BundleTooLarge(f"{what}: {exc}") from None
    if got < threshold:
        raise ThresholdNotMet(
            f"{what} carries {got} valid signature(s) from {whose}; {threshold} needed",
            got=got,
            needed=threshold,
            hint="collect more admin signatures on this exact proposal before publishing it",
        )


def _anchor(env: envelope_pb2.Envelope, limit: int) -> Bundle:
    _check_size(env, limit)
    bundle = parse_bundle(env.payload)
    what = f"trust bundle v{bundle.version}"
    _require_threshold(env, bundle.member_admin_keys(), bundle.threshold, "its own admins", what)
    return bundle


def _next(
    cur: Bundle, env: envelope_pb2.Envelope, now: int | None, limit: int, *, new_item: bool = True
) -> Bundle:
    """Check `env` as the successor of `cur`; `now` None skips the expiry check (walk).

    `new_item` False restores a version accepted before (no unknown-field check)."""
    _check_size(env, limit)
    # Verify against the trusted admins over the exact bytes before parsing anything.
    _require_threshold(
        env,
        cur.member_admin_keys(),
        cur.threshold,
        f"the admins of trusted v{cur.version}",
        f"the proposed successor of trust bundle v{cur.version}",
    )
    new = parse_bundle(env.payload)
    if new_item and (
        where := unknown_fields_in(env, trust_pb2.TrustBundle.FromString(env.payload))
    ):
        raise MalformedBundle(f"trust bundle v{new.version} refused: {where} {UNKNOWN_FIELDS_TEXT}")
    if new.version < cur.version:
        raise RollbackRefused(
            f"trust bundle v{new.version} is older than the trusted v{cur.version}; refused"
        )
    if new.version == cur.version:
        raise VersionConflict(
            f"a different trust bundle v{new.version} (digest {new.digest[:16]}) than the trusted "
            f"one (digest {cur.digest[:16]}): two versions of one bundle exist",
            hint="administrators: find out who signed the other one; this is a split view",
        )
    if new.version != cur.version + 1:
        raise VersionSkipped(
            f"trust bundle v{new.version} skips ahead of the trusted v{cur.version}",
            hint=f"fetch and apply v{cur.version + 1} .. v{new.version - 1} first (walk the chain)",
        )
    if now is not None and now >= new.expires_ns:
        raise BundleExpired(
            f"trust bundle v{new.version} expired at {new.expires_text}",
            hint="administrators: propose a fresh version with a later expiry",
        )
    _require_threshold(
        env,
        new.member_admin_keys(),
        new.threshold,
        "its own admins",
        f"trust bundle v{new.version}",
    )
    return new


def _copy(env: envelope_pb2.Envelope) -> envelope_pb2.Envelope:
    out = envelope_pb2.Envelope()
    out.CopyFrom(env)
    return out


class TrustedBundles:
    """The trusted bundle and the whole accepted chain of bundle envelopes (pure, no I/O)."""

    def __init__(
        self,
        anchor: envelope_pb2.Envelope,
        *,
        max_envelope_bytes: int = MAX_BUNDLE_BYTES,
        max_chain: int = MAX_CHAIN,
    ) -> None:
        """Trust `anchor` (pinned out of band): it must carry its own threshold of signatures.

        Its expiry is not checked here (a stored anchor is loaded as is): see `is_frozen`.
        """
        self._limit = max_envelope_bytes
        self._max_chain = max_chain
        self._current = _anchor(anchor, max_envelope_bytes)
        self._chain: list[envelope_pb2.Envelope] = [_copy(anchor)]

    @property
    def current(self) -> Bundle:
        return self._current

    def copy(self) -> TrustedBundles:
        """An independent copy (to walk a peer's chain without touching this one)."""
        out = object.__new__(TrustedBundles)
        out._limit, out._max_chain, out._current = self._limit, self._max_chain, self._current
        out._chain = list(self._chain)  # envelopes are never mutated once accepted
        return out

    @property
    def chain(self) -> tuple[envelope_pb2.Envelope, ...]:
        """Copies of every accepted envelope, oldest first (to serve to peers)."""
        return tuple(_copy(e) for e in self._chain)

    def is_frozen(self, now: datetime) -> bool:
        """True once the current bundle has expired: trust no other key change until updated."""
        return self._current.is_expired(now)

    def update(self, env: envelope_pb2.Envelope, now: datetime) -> Bundle:
        """Accept `env` as version N+1, or raise and change nothing.

        The same bytes as the current version are a no-op (a peer re-sending it).
        """
        n = now_ns(now)
        cur = self._current
        if env.payload_type == BUNDLE_PAYLOAD_TYPE and env.payload == cur.payload:
            return cur
        if len(self._chain) >= self._max_chain:
            raise ChainTooLong(f"the trust bundle chain is at its cap of {self._max_chain}")
        new = _next(cur, env, n, self._limit)
        self._chain.append(_copy(env))
        self._current = new
        return new

    def walk(self, envs: Iterable[envelope_pb2.Envelope], now: datetime | None) -> Bundle:
        """Apply a list of bundle envelopes in order (a node catching up after being offline).

        All or nothing. Envelopes already in the chain (same payload bytes) are skipped, so a
        peer's whole chain can be passed. Each step follows the update rules; as in TUF, only the
        last version must be unexpired at `now` (intermediate versions may have expired since).
        `now` None restores a chain this node accepted before, expired or not (a frozen node
        must still know what it trusted).
        """
        n = None if now is None else now_ns(now)
        known = {e.payload for e in self._chain}
        cur = self._current
        accepted: list[envelope_pb2.Envelope] = []
        for env in envs:
            if env.payload_type == BUNDLE_PAYLOAD_TYPE and env.payload in known:
                continue
            if len(self._chain) + len(accepted) >= self._max_chain:
                raise ChainTooLong(f"the trust bundle chain is at its cap of {self._max_chain}")
            cur = _next(cur, env, None, self._limit, new_item=n is not None)
            accepted.append(_copy(env))
            known.add(env.payload)
        if accepted and n is not None and n >= cur.expires_ns:
            raise BundleExpired(
                f"the chain ends at trust bundle v{cur.version}, which expired at "
                f"{cur.expires_text}",
                hint="fetch a newer version from a peer, or ask administrators to publish one",
            )
        self._chain.extend(accepted)
        self._current = cur
        return cur
