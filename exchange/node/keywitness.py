"""The key logs a node holds, the checkpoints it signs, holds and relays, and split-view freezes.

What each source can do:

- this node's own log is appended by this node and is authoritative; the node signs a checkpoint
  of it with its current, certified signing key whenever the head (or that key) changes;
- another country's log entries are taken only from that country's own node (the mTLS-bound
  caller);
- checkpoints are taken from anyone but kept only if signed by the country they speak for
  (exchange.trust.checkpoint). Two of one country that conflict, or one that contradicts the
  entries its own node sent, freeze its key changes; both checkpoints are kept (persisted) as the
  evidence. A conflicting checkpoint of this node's own country, signed by its key, is an alarm
  (that key signed two histories);
- unsigned heads (the old protocol, or anyone's claim) are at most a warning, audited once.

Methods run in the node's database threads under the trust store's lock, writing through the
session given.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from exchange._proto.v1 import envelope_pb2, exchange_pb2, trust_pb2
from exchange.envelope import SigningKey
from exchange.errors import Error, MalformedInput
from exchange.node.trustchanges import (
    AppendLog,
    Changes,
    ForgetLog,
    Held,
    KeepCheckpoint,
    KeepFreeze,
    Unfreeze,
)
from exchange.node.trustresult import Outcome, Refusals, Seen
from exchange.trust import KeyLogs, parse_entry
from exchange.trust.checkpoint import (
    Checkpoint,
    Verdict,
    check_entries,
    contradicts_own,
    judge,
    load_checkpoint,
    peek,
    sign_checkpoint,
)
from exchange.trust.errors import KeyLogGap, MalformedKeyLogEntry, SplitView
from exchange.trust.keylog import HeadStatus


@dataclass(frozen=True)
class Freeze:
    seq: int
    detail: str
    evidence: tuple[bytes, ...]  # checkpoint envelopes signed by the frozen country


def digest(env: envelope_pb2.Envelope) -> str:
    return hashlib.sha256(env.SerializeToString(deterministic=True)).hexdigest()


class KeyWitness:
    def __init__(self, country: str, signer: Callable[[], SigningKey] | None = None) -> None:
        self.country = country
        self.signer = signer
        self.logs = KeyLogs()
        self.freezes: dict[str, Freeze] = {}
        self.held: dict[str, Checkpoint] = {}
        self._own: tuple[tuple[int, bytes, str], envelope_pb2.Envelope] | None = None

    def load(self, held: Held) -> None:
        """Start again from what the store holds (exchange.node.truststore reads it)."""
        self.logs, self.freezes, self.held = KeyLogs(), {}, {}
        for raw in held.log_entries:
            self.logs.append(parse_entry(raw))
        for fr in held.freezes:
            self.freezes[fr.country] = Freeze(fr.seq, fr.detail, fr.evidence)
            self.logs.log(fr.country).restore_freeze(fr.seq, fr.detail, fr.evidence)
        for cp in held.checkpoints:
            self.held[cp.country] = load_checkpoint(cp.envelope)

    # -- our own log -----------------------------------------------------------------------

    def log_own(
        self, ch: Changes, kind: trust_pb2.KeyLogKind.ValueType, env: envelope_pb2.Envelope
    ) -> None:
        log = self.logs.log(self.country)
        entry = log.next_entry(kind, env)
        if log.append(entry):
            ch.add(AppendLog(self.country, entry.seq, entry.encode()))

    def own_checkpoint(
        self, now: datetime, certified: Callable[[bytes], bool]
    ) -> envelope_pb2.Envelope | None:
        """Our checkpoint of our head, signed again when the head or our signing key changed;
        none while our key has no valid certificate (peers would refuse it)."""
        head = self.logs.log(self.country).head()
        if head.seq == 0 or self.signer is None:
            return None
        key = self.signer()
        state = (head.seq, head.hash, key.key_id)
        if self._own is not None and self._own[0] == state:
            return self._own[1]
        if not certified(key.public_raw):
            return None
        env = sign_checkpoint(key, self.country, head.seq, head.hash, now)
        self._own = (state, env)
        return env

    def relay(self) -> list[envelope_pb2.Envelope]:
        """The latest checkpoint held of every other country, frozen or not, as received: a
        country that showed two histories is caught wherever the two meet. (The evidence of a
        freeze stays here: relaying it would re-freeze every node an administrator resolved.)"""
        return [cp.to_envelope() for _, cp in sorted(self.held.items())]

    # -- what a peer sent ------------------------------------------------------------------

    def has_news(self, sender: str, msg: exchange_pb2.TrustSync, refusals: Refusals) -> bool:
        """Cheap, in memory: could the key log part of `msg` change or tell anything?"""
        if (
            sender != self.country
            and sender not in self.freezes  # frozen: its entries wait for the resolve
            and len(msg.key_log_entries) > self.logs.length(sender)
        ):
            return True
        for env in msg.checkpoints:
            if self.checkpoint_news(env, refusals):
                return True
        return any(
            h.country != sender
            and self.logs.differs(h.country, h.seq, bytes(h.hash))
            and not refusals.told(_head_key(sender, h))
            for h in msg.heads
        )

    def checkpoint_news(self, env: envelope_pb2.Envelope, refusals: Refusals) -> bool:
        d = digest(env)
        if refusals.skip(Seen("checkpoint", d)) or refusals.told(Seen("alarm", d)):
            return False
        claim = peek(env)
        if claim is None:
            return True  # to be refused (once)
        country, seq, h = claim
        if country in self.freezes:
            return False
        mine = self.logs.log(country).entry(seq) if self.logs.length(country) else None
        if country == self.country:
            return mine is None or mine.hash != h
        held = self.held.get(country)
        if mine is not None and mine.hash != h:
            return True
        if held is None or seq > held.seq:
            return True
        return seq == held.seq and h != held.hash

    def take_entries(
        self, ch: Changes, sender: str, raws: Sequence[bytes], out: Outcome, refusals: Refusals
    ) -> bool:
        """Append the sender's own log entries; True if any was new."""
        if sender == self.country:
            return False
        log = self.logs.log(sender)
        new = False
        entry_key = hashlib.sha256(b"".join(raws)).hexdigest()[:16]
        for raw in raws:
            try:
                entry = parse_entry(bytes(raw))
                if entry.country != sender:
                    raise MalformedInput(
                        f"{sender} sent a key log entry for {entry.country!r}; a country "
                        "sends only its own log"
                    )
                if log.append(entry):
                    ch.add(AppendLog(sender, entry.seq, entry.encode()))
                    new = True
            except SplitView as exc:
                held = self.held.get(sender)
                ev = (held.envelope,) if held is not None and held.seq >= exc.seq else ()
                self._freeze(ch, _with_evidence(exc, ev), out)
                return new
            except KeyLogGap:
                break
            except Error as exc:
                if refusals.refused(Seen("log", f"{sender} {entry_key} {type(exc).__name__}")):
                    out.refused.append(("key log", exc))
                break
        split = check_entries(log, self.held.get(sender))
        if split is not None:
            self._freeze(ch, split, out)
        return new

    def take_checkpoints(
        self, ch: Changes, checkpoints: Iterable[Checkpoint], out: Outcome, refusals: Refusals
    ) -> None:
        """Judge verified checkpoints: keep the newer, freeze on proof, alarm on our own."""
        for cp in checkpoints:
            if cp.country == self.country:
                alarm = contradicts_own(self.logs.log(self.country), cp)
                d = hashlib.sha256(cp.envelope).hexdigest()
                if alarm is not None and refusals.tell_once(Seen("alarm", d)):
                    out.alarms.append(alarm)
                continue
            if cp.country in self.freezes:
                continue
            j = judge(self.logs.log(cp.country), self.held.get(cp.country), cp)
            if j.split is not None:
                self._freeze(ch, j.split, out)
            elif j.verdict is Verdict.KEEP:
                self.held[cp.country] = cp
                ch.add(KeepCheckpoint(cp.country, cp.seq, cp.envelope))

    def take_heads(
        self,
        sender: str,
        heads: Iterable[exchange_pb2.KeyLogHead],
        out: Outcome,
        refusals: Refusals,
    ) -> None:
        """Unsigned heads: a conflict is a warning (once), never a freeze."""
        for h in heads:
            if h.country == sender:
                continue
            try:
                status = self.logs.observe(h.country, h.seq, bytes(h.hash))
            except MalformedKeyLogEntry:
                continue  # not even a claim
            if status is HeadStatus.SPLIT and refusals.tell_once(_head_key(sender, h)):
                out.warnings.append(
                    f"{sender} reports an unsigned key log head {h.country}#{h.seq} "
                    f"({bytes(h.hash).hex()[:16]}) that differs from the entry this node holds; "
                    "unsigned claims are not trusted (nothing frozen)"
                )

    def _freeze(self, ch: Changes, split: SplitView, out: Outcome) -> None:
        self.logs.log(split.country).freeze(split)
        if split.country in self.freezes:
            return
        ev = split.evidence
        self.freezes[split.country] = Freeze(split.seq, split.message, ev)
        out.alarms.append(split.message)
        ch.add(KeepFreeze(split.country, split.seq, split.message, tuple(ev[:2])))

    def resolve(self, ch: Changes, country: str) -> int:
        """Lift a freeze. Another country's log and checkpoint are discarded and learned again
        from its own node; this node's own log is authoritative and kept."""
        discarded = 0
        if country != self.country:
            discarded = self.logs.length(country)
            ch.add(ForgetLog(country))
            self.logs.forget(country)
            self.held.pop(country, None)
        else:
            self.logs.resolve(country)
        ch.add(Unfreeze(country))
        self.freezes.pop(country, None)
        return discarded


def _head_key(sender: str, h: exchange_pb2.KeyLogHead) -> Seen:
    return Seen("head", f"{sender} {h.country[:2]} {h.seq} {bytes(h.hash).hex()[:64]}")


def _with_evidence(exc: SplitView, evidence: tuple[bytes, ...]) -> SplitView:
    return SplitView(
        exc.message,
        country=exc.country,
        seq=exc.seq,
        hashes=exc.hashes,
        evidence=evidence,
        hint=exc.hint,
    )
