"""What a node trusts: the bundle chain, node key certificates, revocations, peers' TLS
certificates and every country's key log, kept in memory for the receive path and persisted as
it changes.

Sources: the node's administrator (`exchange keys import`, the only way to set the first bundle,
the trust anchor) and peers over the Trust RPC (gossip). Everything admin-signed is checked by
exchange.trust before it is kept; a refused item is returned as a refusal (audited once by the
caller) and never stored. A peer's offer is verified first, outside any transaction
(exchange.node.trustplan), then kept by `apply_plan`. Key logs, checkpoints and split-view
freezes are exchange.node.keywitness's: only proof signed by a country freezes it.

Methods run in the node's database threads under one lock, writing through the session given.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from google.protobuf.message import DecodeError, Message
from sqlalchemy import select
from sqlalchemy.orm import Session

from exchange._proto.v1 import envelope_pb2, exchange_pb2, trust_pb2
from exchange.channel import Head
from exchange.envelope import SigningKey
from exchange.errors import Error, MalformedInput
from exchange.node.keywitness import Freeze, KeyWitness, digest
from exchange.node.tls import fingerprint_of_pem
from exchange.node.trustplan import Plan, Snapshot, item_kind, prepare
from exchange.node.trustreport import keys_report
from exchange.node.trustresult import Outcome, Refusals, Seen
from exchange.store.models import TrustItem
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
    item_digest,
    node_key_id,
)
from exchange.trust._common import now_ns, ts_ns, ts_text
from exchange.trust.certificate import open_certificate, purpose_name
from exchange.trust.errors import AnchorNotConfirmed, NodeKeyReused, NoTrustAnchor, TrustError
from exchange.trust.revocation import open_revocation
from exchange.trust.signers import TrustedSigners, signers_from

SIGN = trust_pb2.KEY_PURPOSE_SIGN
TLS = trust_pb2.KEY_PURPOSE_TLS
MAX_TLS = 8

__all__ = ["NodeTrust", "Outcome"]


@dataclass(frozen=True)
class Certified:
    digest: str
    cert: trust_pb2.NodeKeyCertificate

    @property
    def key_id(self) -> str:
        return node_key_id(self.cert.public_key, self.cert.purpose)

    @property
    def window(self) -> tuple[int, int]:
        return ts_ns(self.cert.valid_from), ts_ns(self.cert.valid_until)


def envelope_digest(env: envelope_pb2.Envelope) -> str:
    return item_digest(env).hex()


def _summary_cert(c: trust_pb2.NodeKeyCertificate) -> str:
    return (
        f"{c.country} {purpose_name(c.purpose)} key {node_key_id(c.public_key, c.purpose)[:16]}, "
        f"valid {ts_text(c.valid_from)[:19]} .. {ts_text(c.valid_until)[:19]}"
    )


def _summary_rev(r: trust_pb2.KeyRevocation) -> str:
    why = f" ({r.reason[:80]})" if r.reason else ""
    return f"{r.country} key {r.key_id[:16]} revoked from {ts_text(r.effective)[:19]}{why}"


class NodeTrust:
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

    def restore(self, s: Session) -> None:
        """Load everything from the database (on start, or after a failed write)."""
        with self._lock:
            self.bundles = None
            self._cert_envs, self._rev_envs, self._tls = {}, {}, {}
            bundles: list[tuple[int, envelope_pb2.Envelope]] = []
            for row in s.scalars(select(TrustItem)):
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
            self.witness.restore(s)
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

    def _store(self, s: Session, kind: str, country: str, digest_: str, body: bytes) -> None:
        s.add(TrustItem(digest=digest_, kind=kind, country=country, body=body, added_at=_now()))

    def _store_env(self, s: Session, kind: str, country: str, env: envelope_pb2.Envelope) -> None:
        body = env.SerializeToString(deterministic=True)
        self._store(s, kind, country, envelope_digest(env), body)

    def _accept_bundle(
        self, s: Session, env: envelope_pb2.Envelope, now: datetime, anchor_ok: bool
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
        self._keep_bundles(s, [env])
        return f"bundle v{cur.version} (digest {cur.digest[:16]})", True

    def _keep_bundles(
        self, s: Session, envs: Sequence[envelope_pb2.Envelope]
    ) -> list[tuple[str, str, bool]]:
        """Store bundle versions just accepted into the chain, and log each in our key log."""
        for env in envs:
            self._store_env(s, "bundle", self.country, env)
            self.witness.log_own(s, KIND_BUNDLE, env)
        self._derive()
        return [("bundle", f"bundle v{_import_order(env)[1]}", True) for env in envs]

    def _keep_opened(
        self, s: Session, kind: str, env: envelope_pb2.Envelope, opened: Message
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
            country, log_kind, summary = cert.country, KIND_CERTIFICATE, _summary_cert(cert)
        else:
            assert isinstance(opened, trust_pb2.KeyRevocation)
            self.logs.check_not_frozen(opened.country)
            self._rev_envs[digest_] = copy
            self.revocations.add(opened)
            country, log_kind, summary = opened.country, KIND_REVOCATION, _summary_rev(opened)
        self._store_env(s, kind, country, env)
        if country == self.country:
            self.witness.log_own(s, log_kind, env)
        self._changed()
        return kind, summary, True

    def accept(
        self, s: Session, env: envelope_pb2.Envelope, now: datetime, *, anchor_ok: bool = False
    ) -> tuple[str, str, bool]:
        """Check and keep one admin-signed item: (kind, summary, new) or raise a TrustError."""
        with self._lock:
            if env.payload_type == BUNDLE_PAYLOAD_TYPE:
                return ("bundle", *self._accept_bundle(s, env, now, anchor_ok))
            if env.payload_type == CERTIFICATE_PAYLOAD_TYPE:
                b = self._require_bundle().current
                if envelope_digest(env) in self._cert_envs:
                    return "certificate", _summary_cert(open_certificate(env, b)), False
                return self._keep_opened(s, "certificate", env, open_certificate(env, b, now))
            if env.payload_type == REVOCATION_PAYLOAD_TYPE:
                b = self._require_bundle().current
                if envelope_digest(env) in self._rev_envs:
                    return "revocation", _summary_rev(open_revocation(env, b)), False
                return self._keep_opened(s, "revocation", env, open_revocation(env, b, now))
            raise MalformedInput(
                f"not a trust item: payload type {env.payload_type[:80]!r}",
                hint="import bundle, certificate or revocation files written by the key tools",
            )

    def import_items(
        self,
        s: Session,
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
        ordered = sorted(envs, key=_import_order)
        with self._lock:
            chain = [e for e in ordered if e.payload_type == BUNDLE_PAYLOAD_TYPE]
            if self.bundles is None and chain and anchor_digest is not None:
                refusal = _anchor_refusal(chain[0], anchor_digest)
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
                out.accepted.extend(self._keep_bundles(s, tb.chain))
                ordered = [e for e in ordered if e.payload_type != BUNDLE_PAYLOAD_TYPE]
        for env in ordered:
            try:
                out.accepted.append(self.accept(s, env, now, anchor_ok=True))
            except Error as exc:
                out.refused.append((_kind(env), exc))
        return out

    def add_tls(self, s: Session, country: str, pem: bytes) -> bool:
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
            self._store(s, "tls", country, fp, pem)
            self.version += 1
            return True

    # -- gossip ----------------------------------------------------------------------------

    def offer(
        self, own_tls: Iterable[bytes], now: datetime | None = None
    ) -> exchange_pb2.TrustSync:
        """What we send a peer: everything we trust, our own key log and checkpoint, and the
        checkpoints we hold of every other country (relayed as received)."""
        at = now or _now()
        with self._lock:
            msg = exchange_pb2.TrustSync()
            if self.bundles is not None:
                msg.bundles.extend(self.bundles.chain)
            msg.certificates.extend(self._cert_envs.values())
            msg.revocations.extend(self._rev_envs.values())
            msg.key_log_entries.extend(e.encode() for e in self.logs.log(self.country).entries())
            own = self.witness.own_checkpoint(
                at, lambda public: self.certified(self.country, SIGN, public, at)
            )
            if own is not None:
                msg.checkpoints.append(own)
            msg.checkpoints.extend(self.witness.relay())
            msg.tls_certificates.extend(own_tls)
            return msg

    def has_news(self, sender: str, msg: exchange_pb2.TrustSync) -> bool:
        """Cheap in-memory check: would `apply_sync` have anything to store or compare?

        Most rounds carry nothing new; they then cost no database transaction."""
        with self._lock:
            if self._chain_news(msg):
                return True
            for env in (*msg.certificates, *msg.revocations):
                d = envelope_digest(env)
                known = d in self._cert_envs or d in self._rev_envs
                if not known and not self.refusals.skip(Seen("item", d)):
                    return True
            held = self._tls.get(sender, {})
            for pem in msg.tls_certificates[:MAX_TLS]:
                try:
                    fp = fingerprint_of_pem(bytes(pem))
                except ValueError:
                    continue
                if fp not in held and not self.refusals.skip(Seen("tls", fp)):
                    return True
            return self.witness.has_news(sender, msg, self.refusals)

    def _chain_news(self, msg: exchange_pb2.TrustSync) -> str:
        """The offered chain's key if it holds versions we lack and was not refused, else ""."""
        if self.bundles is None or not msg.bundles:
            return ""
        known = {e.payload for e in self.bundles.chain}
        if all(e.payload in known for e in msg.bundles):
            return ""
        key = _chain_key(msg)
        return "" if self.refusals.skip(Seen("chain", key)) else key

    def snapshot(self, msg: exchange_pb2.TrustSync) -> Snapshot:
        """What of `msg` needs checking, and what to check it against (taken under the lock)."""
        with self._lock:
            fresh: dict[str, envelope_pb2.Envelope] = {}
            for env in (*msg.certificates, *msg.revocations):
                d = envelope_digest(env)
                if d in self._cert_envs or d in self._rev_envs or d in fresh:
                    continue
                if not self.refusals.skip(Seen("item", d)):
                    fresh[d] = env
            checkpoints: dict[str, envelope_pb2.Envelope] = {}
            for env in msg.checkpoints:
                d = digest(env)
                if d not in checkpoints and self.witness.checkpoint_news(env, self.refusals):
                    checkpoints[d] = env
            return Snapshot(
                version=self.version,
                bundles=self.bundles.copy() if self.bundles is not None else None,
                chain_key=self._chain_news(msg),
                fresh=list(fresh.items()),
                checkpoints=list(checkpoints.items()),
                certs=tuple(c.cert for c in self._certs),
                revocations=self.revocations.revoked(),
            )

    def apply_sync(
        self, s: Session, sender: str, msg: exchange_pb2.TrustSync, now: datetime
    ) -> Outcome:
        """Check (signatures first, on a snapshot) and take what a peer offered."""
        return self.apply_plan(s, sender, msg, prepare(self.snapshot(msg), msg, now), now)

    def apply_plan(
        self, s: Session, sender: str, msg: exchange_pb2.TrustSync, plan: Plan, now: datetime
    ) -> Outcome:
        """Keep what `prepare` verified: the walked bundle chain, new certificates and
        revocations, the sender's own key log entries and TLS certificates, checkpoints; and
        compare unsigned heads. If our trust changed since the snapshot, items are checked
        again (only those that passed: junk is never re-verified here)."""
        out = Outcome()
        with self._lock:
            fresh = plan.version == self.version
            if plan.chain_error is not None:
                if self.refusals.refused(Seen("chain", plan.chain_key)):
                    out.refused.append(("bundle", plan.chain_error))
            elif plan.chain is not None and self.bundles is not None:
                before = len(self.bundles.chain)
                try:
                    if fresh:
                        self.bundles = plan.chain
                    else:  # our chain moved meanwhile: walk again (a few versions at most)
                        self.bundles.walk(list(msg.bundles), now)
                    out.accepted.extend(self._keep_bundles(s, self.bundles.chain[before:]))
                except Error as exc:
                    out.refused.append(("bundle", exc))
            for kind, d, env, opened in plan.items:
                if d in self._cert_envs or d in self._rev_envs:
                    continue
                try:
                    if fresh:
                        out.accepted.append(self._keep_opened(s, kind, env, opened))
                    else:
                        out.accepted.append(self.accept(s, env, now))
                except Error as exc:
                    self._refuse(out, kind, d, exc)
            for kind, d, why in plan.refused:
                self._refuse(out, kind, d, why)
            for pem in msg.tls_certificates[:MAX_TLS]:
                if self.add_tls(s, sender, bytes(pem)):
                    out.accepted.append(("tls", f"{sender} TLS certificate", True))
                else:
                    with contextlib.suppress(ValueError):  # not certified (yet): skip till then
                        self.refusals.refused(Seen("tls", fingerprint_of_pem(bytes(pem))))
            self.witness.take_entries(s, sender, msg.key_log_entries, out, self.refusals)
            if fresh:
                self.witness.take_checkpoints(s, plan.checkpoints, out, self.refusals)
                for d, why in plan.checkpoint_refusals:
                    if self.refusals.refused(Seen("checkpoint", d)):
                        out.refused.append(("key log checkpoint", why))
            self.witness.take_heads(sender, msg.heads, out, self.refusals)
        return out

    def _refuse(self, out: Outcome, kind: str, d: str, exc: Error) -> None:
        if self.refusals.refused(Seen("item", d)):  # audited once, not every round
            out.refused.append((kind, exc))

    def resolve(self, s: Session, country: str) -> int:
        """Lift a split-view freeze. Another country's log is discarded and learned again from
        its own node; this node's own log is authoritative and kept."""
        with self._lock:
            discarded = self.witness.resolve(s, country)
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
                out.append(f"revoked: {_summary_rev(rev)}")
            for _country, fr in sorted(self.witness.freezes.items()):
                out.append(fr.detail)
            return out

    def keys_report(
        self, now: datetime, own: dict[trust_pb2.KeyPurpose.ValueType, bytes]
    ) -> tuple[list[dict[str, object]], list[str]]:
        """Every trusted key (admin and node) with its state, and expiry warnings."""
        with self._lock:
            return keys_report(self, now, own)


def _now() -> datetime:
    return datetime.now(UTC)


def _chain_key(msg: exchange_pb2.TrustSync) -> str:
    return "chain " + hashlib.sha256(b"".join(item_digest(e) for e in msg.bundles)).hexdigest()


def _kind(env: envelope_pb2.Envelope) -> str:
    if env.payload_type == BUNDLE_PAYLOAD_TYPE:
        return "bundle"
    return item_kind(env)


def _anchor_refusal(anchor: envelope_pb2.Envelope, confirmed: str) -> Error | None:
    """Why `anchor` may not become this node's trust anchor, or None if `confirmed` is its
    digest (the sha256 of its exact payload, which `keys bundle show` prints)."""
    actual = hashlib.sha256(anchor.payload).hexdigest()
    if confirmed.lower() == actual:
        return None
    if not confirmed:
        return AnchorNotConfirmed(
            f"this node has no trust anchor yet; the first bundle (digest {actual}) is installed "
            "only once its digest is confirmed",
            hint="compare the digest with the other administrators, then run `exchange keys "
            "bundle publish FILE` and answer the prompt, or pass --expect-digest DIGEST",
        )
    return AnchorNotConfirmed(
        f"the first bundle's digest is {actual}, not the expected {confirmed[:64]}; nothing was "
        "installed",
        hint="this is not the bundle the administrators agreed on; get the right file",
    )


def _import_order(env: envelope_pb2.Envelope) -> tuple[int, int]:
    if env.payload_type == BUNDLE_PAYLOAD_TYPE:
        try:
            return 0, trust_pb2.TrustBundle.FromString(env.payload).version
        except DecodeError:
            return 0, 0
    return 1, 0
