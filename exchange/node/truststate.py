"""What a node trusts, as a pure state machine: the bundle chain, node key certificates,
revocations, peers' TLS certificates and every country's key log (exchange.node.keywitness).

Like python-tuf's TrustedMetadataSet: it checks every admin-signed item (exchange.trust) before
keeping it and raises on any invalid one; it does no I/O and reads no clock. Each change it
makes is also recorded in a `Changes` (exchange.node.trustchanges) that the storage part
(exchange.node.truststore) writes in one transaction, and it starts from a `Held` read back
from the store. Gossip (offers and taking a peer's verified plan) is exchange.node.trustgossip.

Methods run in the node's database threads (or a test's) under one lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime

from google.protobuf.message import Message

from exchange._proto.v1 import envelope_pb2, trust_pb2
from exchange.channel import Head
from exchange.envelope import SigningKey
from exchange.errors import Error, MalformedInput
from exchange.node.keywitness import Freeze, KeyWitness
from exchange.node.tls import fingerprint_of_pem
from exchange.node.trustchanges import Changes, Held, KeepItem
from exchange.node.trustitems import (
    Certified,
    anchor_refusal,
    envelope_digest,
    import_order,
    kind_of,
    summary_cert,
    summary_rev,
)
from exchange.node.trustreport import keys_report
from exchange.node.trustresult import Outcome, Refusals
from exchange.trust import (
    BUNDLE_PAYLOAD_TYPE,
    CERTIFICATE_PAYLOAD_TYPE,
    KIND_BUNDLE,
    KIND_CERTIFICATE,
    KIND_REVOCATION,
    REVOCATION_PAYLOAD_TYPE,
    Bundle,
    KeyLogs,
    RevocationSet,
    TrustedBundles,
    node_key_id,
)
from exchange.trust._common import now_ns, ts_ns
from exchange.trust.certificate import open_certificate
from exchange.trust.errors import NodeKeyReused, NoTrustAnchor, TrustError
from exchange.trust.revocation import open_revocation
from exchange.trust.signers import TrustedSigners, signers_from

SIGN = trust_pb2.KEY_PURPOSE_SIGN
TLS = trust_pb2.KEY_PURPOSE_TLS
SEAL = trust_pb2.KEY_PURPOSE_SEAL
MAX_TLS = 8

__all__ = ["Outcome", "TrustState"]


class TrustState:
    """What the node trusts, in memory; every change is recorded in a `Changes` for the
    storage step (no SQL, no I/O, no clock: time is passed in)."""

    def __init__(self, country: str, signer: Callable[[], SigningKey] | None = None) -> None:
        """`signer` gives this node's current signing key (for its key log checkpoints)."""
        self.country = country
        self._lock = threading.RLock()
        self.bundles: TrustedBundles | None = None
        self._cert_envs: dict[str, envelope_pb2.Envelope] = {}
        self._rev_envs: dict[str, envelope_pb2.Envelope] = {}
        self._tls: dict[str, dict[str, bytes]] = {}  # country -> SPKI fingerprint -> PEM
        self.witness = KeyWitness(country, signer)
        self._certs: list[Certified] = []
        self.revocations = RevocationSet()
        self._signers: dict[str, TrustedSigners] = {}
        self.refusals = Refusals()  # bounded: what peers offered and we refused
        self.version = 0  # bumped on every change of certificates, revocations or bundle

    @property
    def logs(self) -> KeyLogs:
        return self.witness.logs

    # -- restore and derived state -----------------------------------------------------------

    def load(self, held: Held) -> None:
        """Start again from what the store holds (on start, or after a failed write)."""
        with self._lock:
            self.bundles = None
            self._cert_envs, self._rev_envs, self._tls = {}, {}, {}
            bundles: list[tuple[int, envelope_pb2.Envelope]] = []
            for row in held.items:
                if row.kind == "tls":
                    self._tls.setdefault(row.country, {})[row.digest] = row.body
                    continue
                env = envelope_pb2.Envelope.FromString(row.body)
                if row.kind == "bundle":
                    tb = trust_pb2.TrustBundle.FromString(env.payload)
                    bundles.append((tb.version, env))
                elif row.kind == "certificate":
                    self._cert_envs[row.digest] = env
                elif row.kind == "revocation":
                    self._rev_envs[row.digest] = env
            if bundles:
                bundles.sort(key=lambda b: b[0])
                tb_ = TrustedBundles(bundles[0][1])
                tb_.walk([e for _, e in bundles[1:]], None)
                self.bundles = tb_
            self.witness.load(held)
            self._derive()

    def _changed(self) -> None:
        self.version += 1
        self._signers = {}
        self.refusals.trust_changed()

    def _derive(self) -> None:
        """Re-check every held certificate and revocation under the current bundle."""
        self._changed()
        self._certs, self.revocations = [], RevocationSet()
        if self.bundles is None:
            return
        b = self.bundles.current
        for digest_, env in self._cert_envs.items():
            try:
                self._certs.append(Certified(digest_, open_certificate(env, b)))
            except TrustError:
                continue  # e.g. its admin key left the bundle: no longer trusted
        for env in self._rev_envs.values():
            try:
                self.revocations.add(open_revocation(env, b))
            except TrustError:
                continue

    @property
    def bundle(self) -> Bundle | None:
        return self.bundles.current if self.bundles is not None else None

    def certificates(self) -> list[trust_pb2.NodeKeyCertificate]:
        with self._lock:
            return [c.cert for c in self._certs]

    def signers(self, country: str) -> TrustedSigners:
        """The signing keys of `country` with their windows and revocations (cached)."""
        with self._lock:
            got = self._signers.get(country)
            if got is None:
                got = signers_from(country, self.certificates(), self.revocations.revoked())
                self._signers[country] = got
            return got

    def tls_pins(self, country: str, now: datetime) -> dict[str, bytes]:
        """SPKI fingerprint -> PEM (b"" when not announced yet) of the TLS keys of `country`
        that are certified, inside their window and not revoked at `now`."""
        n = now_ns(now)
        out: dict[str, bytes] = {}
        with self._lock:
            pems = self._tls.get(country, {})
            for c in self._certs:
                if c.cert.country != country or c.cert.purpose != TLS:
                    continue
                lo, hi = c.window
                eff = self.revocations.effective_for(country, c.cert.public_key, TLS)
                if not lo <= n < hi or (eff is not None and n >= ts_ns(eff)):
                    continue
                fp = bytes(c.cert.public_key).hex()
                out[fp] = pems.get(fp, b"")
        return out

    def seal_keys(self, country: str, now: datetime) -> list[bytes]:
        """The sealing public keys of `country` certified, in their window and not revoked at
        `now`, newest certificate first (X25519-only keys included; callers choose)."""
        n = now_ns(now)
        found: list[tuple[int, bytes]] = []
        with self._lock:
            for c in self._certs:
                if c.cert.country != country or c.cert.purpose != SEAL:
                    continue
                lo, hi = c.window
                eff = self.revocations.effective_for(country, c.cert.public_key, SEAL)
                if not lo <= n < hi or (eff is not None and n >= ts_ns(eff)):
                    continue
                found.append((lo, bytes(c.cert.public_key)))
        return [k for _, k in sorted(found, key=lambda t: -t[0])]

    def certified(
        self, country: str, purpose: trust_pb2.KeyPurpose.ValueType, public: bytes, now: datetime
    ) -> bool:
        """True if this exact key of `country` is certified, in its window and not revoked."""
        n = now_ns(now)
        with self._lock:
            eff = self.revocations.effective_for(country, public, purpose)
            if eff is not None and n >= ts_ns(eff):
                return False
            return any(
                c.cert.country == country
                and c.cert.purpose == purpose
                and c.cert.public_key == public
                and c.window[0] <= n < c.window[1]
                for c in self._certs
            )

    # -- accepting items ---------------------------------------------------------------------

    def _require_bundle(self) -> TrustedBundles:
        if self.bundles is None:
            raise NoTrustAnchor(
                "this node has no region trust bundle yet",
                hint="import the first bundle: exchange keys bundle publish BUNDLE.v1 --config ..",
            )
        return self.bundles

    def _store_env(self, ch: Changes, kind: str, country: str, env: envelope_pb2.Envelope) -> None:
        body = env.SerializeToString(deterministic=True)
        ch.add(KeepItem(envelope_digest(env), kind, country, body))

    def _accept_bundle(
        self, ch: Changes, env: envelope_pb2.Envelope, now: datetime, anchor_ok: bool
    ) -> tuple[str, bool]:
        if self.bundles is None:
            if not anchor_ok:
                raise NoTrustAnchor(
                    "a peer offered a trust bundle, but this node has no trust anchor yet",
                    hint="the administrator imports the first bundle (pinned out of band)",
                )
            tb = TrustedBundles(env)
            tb.current.check_not_frozen(now)
            self.bundles = tb
        else:
            before = self.bundles.current.version
            new = self.bundles.update(env, now)
            if new.version == before:
                return f"bundle v{new.version} (digest {new.digest[:16]})", False
        cur = self.bundles.current
        self._keep_bundles(ch, [env])
        return f"bundle v{cur.version} (digest {cur.digest[:16]})", True

    def _keep_bundles(
        self, ch: Changes, envs: Sequence[envelope_pb2.Envelope]
    ) -> list[tuple[str, str, bool]]:
        """Store bundle versions just accepted into the chain, and log each in our key log."""
        for env in envs:
            self._store_env(ch, "bundle", self.country, env)
            self.witness.log_own(ch, KIND_BUNDLE, env)
        self._derive()
        return [("bundle", f"bundle v{import_order(env)[1]}", True) for env in envs]

    def _keep_opened(
        self, ch: Changes, kind: str, env: envelope_pb2.Envelope, opened: Message
    ) -> tuple[str, str, bool]:
        """Keep a certificate or revocation already checked under the current bundle, after
        the checks that depend on what is held (frozen country, a key reused)."""
        copy = envelope_pb2.Envelope()
        copy.CopyFrom(env)
        digest_ = envelope_digest(env)
        if isinstance(opened, trust_pb2.NodeKeyCertificate):
            cert = opened
            self.logs.check_not_frozen(cert.country)
            for c in self._certs:
                if c.cert.public_key == cert.public_key and c.cert.country != cert.country:
                    raise NodeKeyReused(
                        f"key {node_key_id(cert.public_key, cert.purpose)[:16]} is already "
                        f"certified for {c.cert.country!r}; a certificate for {cert.country!r} "
                        "is refused",
                        hint="a node key speaks for one country; generate a fresh key",
                    )
            self._cert_envs[digest_] = copy
            self._certs.append(Certified(digest_, cert))
            country, log_kind, summary = cert.country, KIND_CERTIFICATE, summary_cert(cert)
        else:
            assert isinstance(opened, trust_pb2.KeyRevocation)
            self.logs.check_not_frozen(opened.country)
            self._rev_envs[digest_] = copy
            self.revocations.add(opened)
            country, log_kind, summary = opened.country, KIND_REVOCATION, summary_rev(opened)
        self._store_env(ch, kind, country, env)
        if country == self.country:
            self.witness.log_own(ch, log_kind, env)
        self._changed()
        return kind, summary, True

    def accept_item(
        self, ch: Changes, env: envelope_pb2.Envelope, now: datetime, *, anchor_ok: bool = False
    ) -> tuple[str, str, bool]:
        """Check and keep one admin-signed item: (kind, summary, new) or raise a TrustError."""
        with self._lock:
            if env.payload_type == BUNDLE_PAYLOAD_TYPE:
                return ("bundle", *self._accept_bundle(ch, env, now, anchor_ok))
            if env.payload_type == CERTIFICATE_PAYLOAD_TYPE:
                b = self._require_bundle().current
                if envelope_digest(env) in self._cert_envs:
                    return "certificate", summary_cert(open_certificate(env, b)), False
                return self._keep_opened(ch, "certificate", env, open_certificate(env, b, now))
            if env.payload_type == REVOCATION_PAYLOAD_TYPE:
                b = self._require_bundle().current
                if envelope_digest(env) in self._rev_envs:
                    return "revocation", summary_rev(open_revocation(env, b)), False
                return self._keep_opened(ch, "revocation", env, open_revocation(env, b, now))
            raise MalformedInput(
                f"not a trust item: payload type {env.payload_type[:80]!r}",
                hint="import bundle, certificate or revocation files written by the key tools",
            )

    def import_all(
        self,
        ch: Changes,
        envs: Sequence[envelope_pb2.Envelope],
        now: datetime,
        *,
        anchor_digest: str | None = None,
    ) -> Outcome:
        """The administrator's import: bundles first (in version order), then the rest.

        `anchor_digest` (from the Operator RPC) is the digest a person confirmed for the first
        bundle: with no anchor yet, a different one installs nothing at all. None: an
        in-process caller that pinned the anchor itself (tests, benchmarks)."""
        out = Outcome()
        ordered = sorted(envs, key=import_order)
        with self._lock:
            chain = [e for e in ordered if e.payload_type == BUNDLE_PAYLOAD_TYPE]
            if self.bundles is None and chain and anchor_digest is not None:
                refusal = anchor_refusal(chain[0], anchor_digest)
                if refusal is not None:
                    out.refused.append(("bundle", refusal))
                    return out
            if self.bundles is None and len(chain) > 1:
                # A new node: the lowest version is the anchor, the rest is walked (only the
                # last version must be unexpired).
                try:
                    tb = TrustedBundles(chain[0])
                    tb.walk(chain[1:], now)
                except Error as exc:
                    out.refused.append(("bundle", exc))
                    return out
                self.bundles = tb
                out.accepted.extend(self._keep_bundles(ch, tb.chain))
                ordered = [e for e in ordered if e.payload_type != BUNDLE_PAYLOAD_TYPE]
        for env in ordered:
            try:
                out.accepted.append(self.accept_item(ch, env, now, anchor_ok=True))
            except Error as exc:
                out.refused.append((kind_of(env), exc))
        return out

    def take_tls(self, ch: Changes, country: str, pem: bytes) -> bool:
        """Keep a peer's TLS certificate if its key is certified for `country` (any window)."""
        with self._lock:
            try:
                fp = fingerprint_of_pem(pem)
            except ValueError:
                return False
            if fp in self._tls.get(country, {}):
                return False
            if not any(
                c.cert.country == country
                and c.cert.purpose == TLS
                and c.cert.public_key.hex() == fp
                for c in self._certs
            ):
                return False
            self._tls.setdefault(country, {})[fp] = pem
            ch.add(KeepItem(fp, "tls", country, pem))
            self.version += 1
            return True

    def lift_freeze(self, ch: Changes, country: str) -> int:
        """Lift a split-view freeze. Another country's log is discarded and learned again from
        its own node; this node's own log is authoritative and kept."""
        with self._lock:
            discarded = self.witness.resolve(ch, country)
            self.refusals.forget()
            self.version += 1
            return discarded

    # -- status ----------------------------------------------------------------------------

    def frozen(self) -> dict[str, Freeze]:
        with self._lock:
            return dict(self.witness.freezes)

    def heads(self) -> dict[str, Head]:
        with self._lock:
            return self.logs.heads()

    def alarms(self, now: datetime) -> list[str]:
        with self._lock:
            out: list[str] = []
            if self.bundles is None:
                out.append("no region trust bundle: this node trusts no peer yet")
            elif self.bundles.is_frozen(now):
                b = self.bundles.current
                out.append(
                    f"trust bundle v{b.version} expired at {b.expires_text}: key changes frozen"
                )
            for rev in self.revocations.revoked():
                out.append(f"revoked: {summary_rev(rev)}")
            for _country, fr in sorted(self.witness.freezes.items()):
                out.append(fr.detail)
            return out

    def keys_report(
        self, now: datetime, own: dict[trust_pb2.KeyPurpose.ValueType, bytes]
    ) -> tuple[list[dict[str, object]], list[str]]:
        """Every trusted key (admin and node) with its state, and expiry warnings."""
        with self._lock:
            return keys_report(self, now, own)
