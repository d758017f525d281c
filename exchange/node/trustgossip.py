"""Trust gossip, the pure part: what this node offers a peer, whether an offer has news, the
snapshot it is verified against (exchange.node.trustplan, outside any lock), and taking the
verified plan into the state, recording the changes for the storage step.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime

from exchange._proto.v1 import envelope_pb2, exchange_pb2
from exchange.errors import Error
from exchange.node.keywitness import digest
from exchange.node.tls import fingerprint_of_pem
from exchange.node.trustchanges import Changes
from exchange.node.trustitems import chain_key, envelope_digest
from exchange.node.trustplan import Plan, Snapshot
from exchange.node.trustresult import Outcome, Seen
from exchange.node.truststate import MAX_TLS, SIGN, TrustState


class TrustGossip(TrustState):
    def offer(self, own_tls: Iterable[bytes], at: datetime) -> exchange_pb2.TrustSync:
        """What we send a peer: everything we trust, our own key log and checkpoint (signed
        for `at`), and the checkpoints we hold of every other country (relayed as received)."""
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
        key = chain_key(msg)
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

    def take_plan(
        self, ch: Changes, sender: str, msg: exchange_pb2.TrustSync, plan: Plan, now: datetime
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
                    out.accepted.extend(self._keep_bundles(ch, self.bundles.chain[before:]))
                except Error as exc:
                    out.refused.append(("bundle", exc))
            for kind, d, env, opened in plan.items:
                if d in self._cert_envs or d in self._rev_envs:
                    continue
                try:
                    if fresh:
                        out.accepted.append(self._keep_opened(ch, kind, env, opened))
                    else:
                        out.accepted.append(self.accept_item(ch, env, now))
                except Error as exc:
                    self._refuse(out, kind, d, exc)
            for kind, d, why in plan.refused:
                self._refuse(out, kind, d, why)
            for pem in msg.tls_certificates[:MAX_TLS]:
                if self.take_tls(ch, sender, bytes(pem)):
                    out.accepted.append(("tls", f"{sender} TLS certificate", True))
                else:
                    with contextlib.suppress(ValueError):  # not certified (yet): skip till then
                        self.refusals.refused(Seen("tls", fingerprint_of_pem(bytes(pem))))
            self.witness.take_entries(ch, sender, msg.key_log_entries, out, self.refusals)
            if fresh:
                self.witness.take_checkpoints(ch, plan.checkpoints, out, self.refusals)
                for d, why in plan.checkpoint_refusals:
                    if self.refusals.refused(Seen("checkpoint", d)):
                        out.refused.append(("key log checkpoint", why))
            self.witness.take_heads(sender, msg.heads, out, self.refusals)
        return out

    def _refuse(self, out: Outcome, kind: str, d: str, exc: Error) -> None:
        if self.refusals.refused(Seen("item", d)):  # audited once, not every round
            out.refused.append((kind, exc))
