"""What a node trusts: the bundle chain, node key certificates, revocations, peers' TLS
certificates and every country's key log, kept in memory for the receive path and persisted as
it changes.

Sources: the node's administrator (`exchange keys import`, the only way to set the first bundle,
the trust anchor) and peers over the Trust RPC (gossip). Everything admin-signed is checked by
exchange.trust before it is kept; a refused item is returned as a refusal (audited by the
caller) and never stored. A country's key log entries are taken only from that country's own
node (the mTLS-bound caller); the heads a peer reports for other countries are compared with
ours, and a different entry at the same position freezes key changes from that country.

Methods run in the node's database threads under one lock, writing through the session given.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from google.protobuf.message import DecodeError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from exchange._proto.v1 import envelope_pb2, exchange_pb2, trust_pb2
from exchange.channel import Head
from exchange.envelope import VerifyKey
from exchange.errors import Error, MalformedInput
from exchange.node.tls import fingerprint_of_pem
from exchange.store.models import KeyLogFreeze, KeyLogRow, TrustItem
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
    fingerprint,
    item_digest,
    node_key_id,
    parse_entry,
)
from exchange.trust._common import now_ns, ts_ns, ts_text
from exchange.trust.certificate import open_certificate, purpose_name
from exchange.trust.errors import (
    KeyLogGap,
    NodeKeyReused,
    NoTrustAnchor,
    SplitView,
    TrustError,
)
from exchange.trust.revocation import open_revocation
from exchange.trust.signers import TrustedSigners

MAX_SYNC_ITEMS = 10_000
WARN_DAYS = (30, 7)
SIGN = trust_pb2.KEY_PURPOSE_SIGN
TLS = trust_pb2.KEY_PURPOSE_TLS


@dataclass
class Outcome:
    """What one import or sync did: kept items, refusals, alarms (for audit and the operator)."""

    accepted: list[tuple[str, str, bool]] = field(default_factory=list)  # kind, summary, new
    refused: list[tuple[str, Error]] = field(default_factory=list)  # kind, error
    alarms: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(new for _, _, new in self.accepted)


@dataclass(frozen=True)
class Certified:
    digest: str
    cert: trust_pb2.NodeKeyCertificate

    @property
    def key_id(self) -> str:
        return node_key_id(self.cert.public_key)

    @property
    def window(self) -> tuple[int, int]:
        return ts_ns(self.cert.valid_from), ts_ns(self.cert.valid_until)


def envelope_digest(env: envelope_pb2.Envelope) -> str:
    return item_digest(env).hex()


def _summary_cert(c: trust_pb2.NodeKeyCertificate) -> str:
    return (
        f"{c.country} {purpose_name(c.purpose)} key {node_key_id(c.public_key)[:16]}, valid "
        f"{ts_text(c.valid_from)[:19]} .. {ts_text(c.valid_until)[:19]}"
    )


def _summary_rev(r: trust_pb2.KeyRevocation) -> str:
    why = f" ({r.reason[:80]})" if r.reason else ""
    return f"{r.country} key {r.key_id[:16]} revoked from {ts_text(r.effective)[:19]}{why}"


class NodeTrust:
    def __init__(self, country: str) -> None:
        self.country = country
        self._lock = threading.RLock()
        self.bundles: TrustedBundles | None = None
        self._cert_envs: dict[str, envelope_pb2.Envelope] = {}
        self._rev_envs: dict[str, envelope_pb2.Envelope] = {}
        self._tls: dict[str, dict[str, bytes]] = {}  # country -> SPKI fingerprint -> PEM
        self.logs = KeyLogs()
        self._freezes: dict[str, tuple[int, str]] = {}
        self._certs: list[Certified] = []
        self.revocations = RevocationSet()
        self._signers: dict[str, TrustedSigners] = {}
        # Items a peer offered and we refused: not re-checked (nor re-audited) every round
        # until our trust changes.
        self._refused: set[str] = set()
        self.version = 0  # bumped on every change

    # -- restore and derived state -----------------------------------------------------------

    def restore(self, s: Session) -> None:
        """Load everything from the database (on start, or after a failed write)."""
        with self._lock:
            self.bundles = None
            self._cert_envs, self._rev_envs, self._tls = {}, {}, {}
            self.logs = KeyLogs()
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
            for lr in s.scalars(select(KeyLogRow).order_by(KeyLogRow.country, KeyLogRow.seq)):
                self.logs.append(parse_entry(lr.entry))
            self._freezes = {}
            for fr in s.scalars(select(KeyLogFreeze)):
                self._freezes[fr.country] = (fr.seq, fr.detail)
                self.logs.log(fr.country).restore_freeze(fr.seq, fr.detail)
            self._derive()

    def _derive(self) -> None:
        """Re-check every held certificate and revocation under the current bundle."""
        self.version += 1
        self._refused.clear()
        self._certs, self.revocations, self._signers = [], RevocationSet(), {}
        if self.bundles is None:
            return
        b = self.bundles.current
        for digest, env in self._cert_envs.items():
            try:
                self._certs.append(Certified(digest, open_certificate(env, b)))
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
            if got is not None:
                return got
            keys: dict[str, VerifyKey] = {}
            windows: dict[str, list[tuple[int, int]]] = {}
            for c in self._certs:
                if c.cert.country != country or c.cert.purpose != SIGN:
                    continue
                keys[c.key_id] = VerifyKey.from_raw(country, bytes(c.cert.public_key))
                windows.setdefault(c.key_id, []).append(c.window)
            revoked: dict[str, int] = {}
            for rev in self.revocations.revoked():
                if rev.country == country:
                    revoked[rev.key_id] = ts_ns(rev.effective)
            got = TrustedSigners(country, keys, {k: tuple(v) for k, v in windows.items()}, revoked)
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
                eff = self.revocations.effective(country, c.key_id)
                if not lo <= n < hi or (eff is not None and n >= ts_ns(eff)):
                    continue
                fp = bytes(c.cert.public_key).hex()
                out[fp] = pems.get(fp, b"")
        return out

    def certified(self, country: str, purpose: int, public: bytes, now: datetime) -> bool:
        """True if this exact key of `country` is certified, in its window and not revoked."""
        n = now_ns(now)
        with self._lock:
            kid = node_key_id(public)
            eff = self.revocations.effective(country, kid)
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

    def _store(self, s: Session, kind: str, country: str, digest: str, body: bytes) -> None:
        s.add(TrustItem(digest=digest, kind=kind, country=country, body=body, added_at=_now()))

    def _store_env(self, s: Session, kind: str, country: str, env: envelope_pb2.Envelope) -> None:
        body = env.SerializeToString(deterministic=True)
        self._store(s, kind, country, envelope_digest(env), body)

    def _log_own(
        self, s: Session, kind: trust_pb2.KeyLogKind.ValueType, env: envelope_pb2.Envelope
    ) -> None:
        log = self.logs.log(self.country)
        entry = log.next_entry(kind, env)
        if log.append(entry):
            s.add(KeyLogRow(country=self.country, seq=entry.seq, entry=entry.encode()))

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
            self._log_own(s, KIND_BUNDLE, env)
        self._derive()
        return [("bundle", f"bundle v{_import_order(env)[1]}", True) for env in envs]

    def _keep(
        self,
        s: Session,
        kind: str,
        country: str,
        env: envelope_pb2.Envelope,
        held: dict[str, envelope_pb2.Envelope],
        log_kind: trust_pb2.KeyLogKind.ValueType,
    ) -> None:
        """Hold and store an accepted certificate or revocation; our own go in our key log."""
        copy = envelope_pb2.Envelope()
        copy.CopyFrom(env)
        held[envelope_digest(env)] = copy
        self._store_env(s, kind, country, env)
        if country == self.country:
            self._log_own(s, log_kind, env)
        self._derive()

    def _accept_certificate(
        self, s: Session, env: envelope_pb2.Envelope, now: datetime
    ) -> tuple[str, bool]:
        b = self._require_bundle().current
        digest = envelope_digest(env)
        if digest in self._cert_envs:
            return _summary_cert(open_certificate(env, b)), False
        cert = open_certificate(env, b, now)
        self.logs.check_not_frozen(cert.country)
        for c in self._certs:
            if c.cert.public_key == cert.public_key and c.cert.country != cert.country:
                raise NodeKeyReused(
                    f"key {node_key_id(cert.public_key)[:16]} is already certified for "
                    f"{c.cert.country!r}; a certificate for {cert.country!r} is refused",
                    hint="a node key speaks for one country; generate a fresh key",
                )
        self._keep(s, "certificate", cert.country, env, self._cert_envs, KIND_CERTIFICATE)
        return _summary_cert(cert), True

    def _accept_revocation(
        self, s: Session, env: envelope_pb2.Envelope, now: datetime
    ) -> tuple[str, bool]:
        b = self._require_bundle().current
        digest = envelope_digest(env)
        if digest in self._rev_envs:
            return _summary_rev(open_revocation(env, b)), False
        rev = open_revocation(env, b, now)
        self.logs.check_not_frozen(rev.country)
        self._keep(s, "revocation", rev.country, env, self._rev_envs, KIND_REVOCATION)
        return _summary_rev(rev), True

    def accept(
        self, s: Session, env: envelope_pb2.Envelope, now: datetime, *, anchor_ok: bool = False
    ) -> tuple[str, str, bool]:
        """Check and keep one admin-signed item: (kind, summary, new) or raise a TrustError."""
        with self._lock:
            if env.payload_type == BUNDLE_PAYLOAD_TYPE:
                return ("bundle", *self._accept_bundle(s, env, now, anchor_ok))
            if env.payload_type == CERTIFICATE_PAYLOAD_TYPE:
                return ("certificate", *self._accept_certificate(s, env, now))
            if env.payload_type == REVOCATION_PAYLOAD_TYPE:
                return ("revocation", *self._accept_revocation(s, env, now))
            raise MalformedInput(
                f"not a trust item: payload type {env.payload_type[:80]!r}",
                hint="import bundle, certificate or revocation files written by the key tools",
            )

    def import_items(
        self, s: Session, envs: Sequence[envelope_pb2.Envelope], now: datetime
    ) -> Outcome:
        """The administrator's import: bundles first (in version order), then the rest."""
        out = Outcome()
        ordered = sorted(envs, key=_import_order)
        with self._lock:
            chain = [e for e in ordered if e.payload_type == BUNDLE_PAYLOAD_TYPE]
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

    def offer(self, own_tls: Iterable[bytes]) -> exchange_pb2.TrustSync:
        with self._lock:
            msg = exchange_pb2.TrustSync()
            if self.bundles is not None:
                msg.bundles.extend(self.bundles.chain)
            msg.certificates.extend(self._cert_envs.values())
            msg.revocations.extend(self._rev_envs.values())
            msg.key_log_entries.extend(e.encode() for e in self.logs.log(self.country).entries())
            for country, head in self.logs.heads().items():
                msg.heads.add(country=country, seq=head.seq, hash=head.hash)
            msg.tls_certificates.extend(own_tls)
            return msg

    def has_news(self, sender: str, msg: exchange_pb2.TrustSync) -> bool:
        """Cheap in-memory check: would `apply_sync` have anything to store or compare?

        Most rounds carry nothing new; they then cost no database transaction."""
        with self._lock:
            if self.bundles is not None:
                known = {e.payload for e in self.bundles.chain}
                news = any(e.payload not in known for e in msg.bundles)
                if news and _chain_key(msg) not in self._refused:
                    return True
            for env in (*msg.certificates, *msg.revocations):
                d = envelope_digest(env)
                if d not in self._cert_envs and d not in self._rev_envs and d not in self._refused:
                    return True
            held = self._tls.get(sender, {})
            for pem in msg.tls_certificates[:8]:
                try:
                    fp = fingerprint_of_pem(bytes(pem))
                except ValueError:
                    continue
                if fp not in held and f"tls {fp}" not in self._refused:
                    return True
            if (
                sender != self.country
                and sender not in self._freezes  # frozen: its entries wait for the resolve
                and len(msg.key_log_entries) > self.logs.length(sender)
            ):
                return True
            return any(
                h.country != sender and self.logs.differs(h.country, h.seq, bytes(h.hash))
                for h in msg.heads
            )

    def apply_sync(
        self, s: Session, sender: str, msg: exchange_pb2.TrustSync, now: datetime
    ) -> Outcome:
        """Take what a peer offered: walk its bundle chain, keep new certificates and
        revocations, its own key log entries and TLS certificates, and compare key log heads."""
        out = Outcome()
        sizes = (len(msg.bundles), len(msg.certificates), len(msg.revocations))
        if max(*sizes, len(msg.key_log_entries), len(msg.heads)) > MAX_SYNC_ITEMS:
            out.refused.append(("sync", MalformedInput(f"trust sync over {MAX_SYNC_ITEMS} items")))
            return out
        with self._lock:
            self._sync_bundles(s, msg, now, out)
            for env in (*msg.certificates, *msg.revocations):
                digest = envelope_digest(env)
                if digest in self._cert_envs or digest in self._rev_envs or digest in self._refused:
                    continue
                try:
                    out.accepted.append(self.accept(s, env, now))
                except Error as exc:
                    out.refused.append((_kind(env), exc))
                    self._refused.add(digest)
            for pem in msg.tls_certificates[:8]:
                if self.add_tls(s, sender, bytes(pem)):
                    out.accepted.append(("tls", f"{sender} TLS certificate", True))
                else:
                    with contextlib.suppress(ValueError):  # not certified (yet): skip till then
                        self._refused.add(f"tls {fingerprint_of_pem(bytes(pem))}")
            self._sync_log(s, sender, msg, out)
        return out

    def _sync_bundles(
        self, s: Session, msg: exchange_pb2.TrustSync, now: datetime, out: Outcome
    ) -> None:
        if self.bundles is None or not msg.bundles:
            return
        known = {e.payload for e in self.bundles.chain}
        if all(e.payload in known for e in msg.bundles):
            return
        offered = _chain_key(msg)
        if offered in self._refused:
            return
        before = len(self.bundles.chain)
        try:
            self.bundles.walk(list(msg.bundles), now)
        except Error as exc:
            out.refused.append(("bundle", exc))
            self._refused.add(offered)
            return
        out.accepted.extend(self._keep_bundles(s, self.bundles.chain[before:]))

    def _sync_log(self, s: Session, sender: str, msg: exchange_pb2.TrustSync, out: Outcome) -> None:
        if sender != self.country:
            log = self.logs.log(sender)
            entry_key = hashlib.sha256(b"".join(msg.key_log_entries)).hexdigest()[:16]
            for raw in msg.key_log_entries:
                try:
                    entry = parse_entry(bytes(raw))
                    if entry.country != sender:
                        raise MalformedInput(
                            f"{sender} sent a key log entry for {entry.country!r}; a country "
                            "sends only its own log"
                        )
                    if log.append(entry):
                        s.add(KeyLogRow(country=sender, seq=entry.seq, entry=entry.encode()))
                        self.version += 1
                except SplitView as exc:
                    self._freeze(s, exc, out)
                    break
                except KeyLogGap:
                    break
                except Error as exc:
                    seen = f"log {sender} {entry_key} {type(exc).__name__}"
                    if seen not in self._refused:  # audit once, not every round
                        self._refused.add(seen)
                        out.refused.append(("key log", exc))
                    break
        for h in msg.heads:
            if h.country == sender:
                continue  # its own log came as entries above
            if h.country == self.country:
                # Our own log is authoritative here: a different report is an alarm (someone
                # showed that peer another history of ours), never a freeze of ourselves.
                mine = self.logs.log(self.country).entry(h.seq)
                if mine is not None and mine.hash != bytes(h.hash):
                    alarm = (
                        f"{sender} holds a different entry #{h.seq} of this country's key log: "
                        "someone showed it another history of our keys"
                    )
                    if alarm not in self._refused:  # once per trust state, not every round
                        self._refused.add(alarm)
                        out.alarms.append(alarm)
                continue
            try:
                self.logs.observe(h.country, h.seq, bytes(h.hash))
            except SplitView as exc:
                self._freeze(s, exc, out)
            except Error as exc:
                out.refused.append(("key log head", exc))

    def _freeze(self, s: Session, exc: SplitView, out: Outcome) -> None:
        out.alarms.append(exc.message)
        if exc.country not in self._freezes:
            self._freezes[exc.country] = (exc.seq, exc.message)
            s.merge(KeyLogFreeze(country=exc.country, seq=exc.seq, detail=exc.message, at=_now()))
            self.version += 1

    def resolve(self, s: Session, country: str) -> int:
        """Lift a split-view freeze. Another country's log is discarded and learned again from
        its own node; this node's own log is authoritative and kept."""
        with self._lock:
            discarded = 0
            if country != self.country:
                discarded = len(self.logs.log(country))
                s.execute(delete(KeyLogRow).where(KeyLogRow.country == country))
            s.execute(delete(KeyLogFreeze).where(KeyLogFreeze.country == country))
            self._freezes.pop(country, None)
            self._refused.clear()
            if country != self.country:
                self.logs.forget(country)
            else:
                self.logs.resolve(country)
            self.version += 1
            return discarded

    # -- status ----------------------------------------------------------------------------

    def frozen(self) -> dict[str, tuple[int, str]]:
        with self._lock:
            return dict(self._freezes)

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
            for _country, (_seq, detail) in sorted(self._freezes.items()):
                out.append(detail)
            return out

    def keys_report(
        self, now: datetime, own: dict[trust_pb2.KeyPurpose.ValueType, bytes]
    ) -> tuple[list[dict[str, object]], list[str]]:
        """Every trusted key (admin and node) with its state, and expiry warnings."""
        n = now_ns(now)
        rows: list[dict[str, object]] = []
        warnings: list[str] = []

        def warn(what: str, until_ns: int) -> None:
            left = (until_ns - n) / 86400e9
            if 0 <= left <= WARN_DAYS[0]:
                level = "URGENT" if left <= WARN_DAYS[1] else "warning"
                warnings.append(f"{level}: {what} expires in {left:.1f} days")

        with self._lock:
            b = self.bundle
            if b is not None:
                warn(f"trust bundle v{b.version}", b.expires_ns)
                for role, parties in (("member", b.members), ("observer", b.observers)):
                    for p in parties:
                        for k in p.admin_keys:
                            rows.append(
                                {
                                    "country": p.country,
                                    "purpose": f"admin ({role})",
                                    "key_id": k.key_id,
                                    "fingerprint": fingerprint(k.public_raw),
                                    "valid_from": None,
                                    "valid_until": b.expires_ns,
                                    "state": "expired" if n >= b.expires_ns else "valid",
                                }
                            )
            for c in sorted(self._certs, key=lambda c: (c.cert.country, c.cert.purpose, c.window)):
                lo, hi = c.window
                eff = self.revocations.effective(c.cert.country, c.key_id)
                if eff is not None and n >= ts_ns(eff):
                    state = "revoked"
                elif n < lo:
                    state = "not-yet-valid"
                elif n >= hi:
                    state = "expired"
                else:
                    state = "valid"
                    warn(
                        f"{c.cert.country} {purpose_name(c.cert.purpose)} certificate "
                        f"{c.key_id[:16]}",
                        hi,
                    )
                is_own = c.cert.country == self.country and own.get(c.cert.purpose) == bytes(
                    c.cert.public_key
                )
                rows.append(
                    {
                        "country": c.cert.country,
                        "purpose": purpose_name(c.cert.purpose),
                        "key_id": c.key_id,
                        "fingerprint": fingerprint(bytes(c.cert.public_key)),
                        "valid_from": lo,
                        "valid_until": hi,
                        "state": state + (" (own, in use)" if is_own else ""),
                    }
                )
        return rows, warnings


def _now() -> datetime:
    return datetime.now(UTC)


def _chain_key(msg: exchange_pb2.TrustSync) -> str:
    return "chain " + hashlib.sha256(b"".join(item_digest(e) for e in msg.bundles)).hexdigest()


def _kind(env: envelope_pb2.Envelope) -> str:
    return {
        BUNDLE_PAYLOAD_TYPE: "bundle",
        CERTIFICATE_PAYLOAD_TYPE: "certificate",
        REVOCATION_PAYLOAD_TYPE: "revocation",
    }.get(env.payload_type, "unknown")


def _import_order(env: envelope_pb2.Envelope) -> tuple[int, int]:
    if env.payload_type == BUNDLE_PAYLOAD_TYPE:
        try:
            return 0, trust_pb2.TrustBundle.FromString(env.payload).version
        except DecodeError:
            return 0, 0
    return 1, 0
