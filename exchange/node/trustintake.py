"""The door of the Trust RPC: caps per kind, per-peer rate limits, signatures checked before any
transaction, and one aggregated audit event per call, so a certified member cannot stall a
node's writes (alert ingest waits for the same write lock) with a flood of junk.

Caps, items of one kind per call (an offer over any cap is refused whole with
RESOURCE_EXHAUSTED and one audit event carrying the counts, before any signature check). A
region has tens of keys; each cap leaves room for years of rotations, because a node offers
everything it ever held:

  bundles           256   a version every few months for decades (the chain stops at 1000)
  certificates     4096   3 node keys x 20 countries, rotated quarterly, for 17 years
  revocations      1024   a quarter of all certificates revoked early
  key_log_entries  2048   one country's own log: its bundles, certificates and revocations
  checkpoints       128   the sender's own and one relayed per country (a region of 100+)
  heads              64   unsigned heads (old peers); at most a warning
  tls_certificates    8   the sender's current and next TLS certificate, with room

Rates, per peer (token buckets): 5 Trust calls/s, bursts of 50 (gossip makes one call per
trust interval, 10 s by default, and one after each trust change); and 50 signature checks/s
for items never seen before, bursts of 5,500 (a whole offer at the caps, once: a node that
joins or was wiped). Over either: RESOURCE_EXHAUSTED. Refused calls are audited at most once a
minute per peer and reason (rate, caps, checks), with the number refused meanwhile.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from google.protobuf.message import DecodeError
from sqlalchemy.orm import Session

from exchange._proto.v1 import exchange_pb2
from exchange.clock import SYSTEM
from exchange.errors import Error, MalformedInput, TooLarge
from exchange.node.trustplan import Plan, prepare
from exchange.node.trustresult import Outcome
from exchange.node.truststore import NodeTrust
from exchange.policy.rate import TokenBucket
from exchange.store import repo
from exchange.store.db import Database
from exchange.sync import inbox

T = TypeVar("T")
E = TypeVar("E", bound=Error)

CAPS: dict[str, int] = {
    "bundles": 256,
    "certificates": 4096,
    "revocations": 1024,
    "key_log_entries": 2048,
    "checkpoints": 128,
    "heads": 64,
    "tls_certificates": 8,
}
CALLS_PER_SECOND, CALL_BURST = 5.0, 50.0
CHECKS_PER_SECOND = 50.0
CHECK_BURST = float(CAPS["certificates"] + CAPS["revocations"] + CAPS["checkpoints"] + 252)
AUDIT_PERIOD = 60.0
MAX_LISTED = 5  # reasons listed in one aggregated audit event
MAX_ITEM_EVENTS = 50  # accepted items audited one by one; beyond, one summary event


def counts(msg: exchange_pb2.TrustSync) -> dict[str, int]:
    return {kind: len(getattr(msg, kind)) for kind in CAPS}


def over_caps(msg: exchange_pb2.TrustSync) -> TooLarge | None:
    n = counts(msg)
    over = {k: v for k, v in n.items() if v > CAPS[k]}
    if not over:
        return None
    text = ", ".join(f"{v} {k} (cap {CAPS[k]})" for k, v in sorted(over.items()))
    return TooLarge(
        f"trust sync refused whole: {text}",
        hint="a node offers at most the caps of exchange.node.trustintake per call",
    )


@dataclass
class _Peer:
    calls: TokenBucket
    checks: TokenBucket
    audited_at: dict[str, float] = field(default_factory=dict)  # reason -> last audited
    suppressed: Counter[str] = field(default_factory=Counter)


@dataclass
class TrustGate:
    """Per-peer token buckets for Trust calls and signature checks (time is injectable)."""

    clock: Callable[[], float] = time.monotonic
    _peers: dict[str, _Peer] = field(default_factory=dict)

    def _peer(self, peer: str) -> _Peer:
        p = self._peers.get(peer)
        if p is None:
            now = self.clock()
            p = _Peer(
                TokenBucket(CALLS_PER_SECOND, CALL_BURST, now),
                TokenBucket(CHECKS_PER_SECOND, CHECK_BURST, now),
            )
            self._peers[peer] = p
        return p

    def admit_call(self, peer: str) -> TooLarge | None:
        if self._peer(peer).calls.take(1, self.clock()):
            return None
        return TooLarge(
            f"{peer} is over its rate of {CALLS_PER_SECOND:g} Trust calls/s; retry later"
        )

    def admit_checks(self, peer: str, n: int) -> TooLarge | None:
        if n == 0 or self._peer(peer).checks.take(n, self.clock()):
            return None
        return TooLarge(
            f"{peer} offered {n} new signed items, over its rate of {CHECKS_PER_SECOND:g} "
            "signature checks/s; retry later"
        )

    def audit_due(self, peer: str, reason: str) -> int | None:
        """None while a refusal of `peer` for `reason` was audited less than AUDIT_PERIOD ago;
        else the number of such refusals left unaudited since (and the clock restarts)."""
        p = self._peer(peer)
        now = self.clock()
        if now - p.audited_at.get(reason, now - AUDIT_PERIOD) < AUDIT_PERIOD:
            p.suppressed[reason] += 1
            return None
        n = p.suppressed.pop(reason, 0)
        p.audited_at[reason] = now
        return n


def refusal_event(refused: list[tuple[str, Error]]) -> dict[str, object]:
    """One audit event for every refusal of a call: counts by kind and the first reasons."""
    kind, first = refused[0]
    return {
        **inbox.refusal_detail(first),
        "item": kind,
        "refused": len(refused),
        "by_kind": dict(sorted(Counter(k for k, _ in refused).items())),
        "first": [
            {"item": k, "kind": type(e).__name__, "reason": e.message[:200]}
            for k, e in refused[:MAX_LISTED]
        ],
    }


def audit_events(out: Outcome) -> list[tuple[str, dict[str, object]]]:
    """The audit rows of one import or sync: a bounded number, however large the offer."""
    new = [(k, summary) for k, summary, is_new in out.accepted if is_new]
    events: list[tuple[str, dict[str, object]]] = [
        ("trust.accepted", {"kind": k, "item": summary}) for k, summary in new[:MAX_ITEM_EVENTS]
    ]
    if len(new) > MAX_ITEM_EVENTS:
        more = new[MAX_ITEM_EVENTS:]
        by_kind = dict(sorted(Counter(k for k, _ in more).items()))
        events.append(("trust.accepted", {"more": len(more), "by_kind": by_kind}))
    if out.refused:
        events.append(("trust.refused", refusal_event(out.refused)))
    if out.warnings:
        events.append(
            (
                "trust.warning",
                {
                    "warning": out.warnings[0],
                    "count": len(out.warnings),
                    "more": out.warnings[1:MAX_LISTED],
                },
            )
        )
    events += [("trust.alarm", {"alarm": a}) for a in out.alarms[:MAX_ITEM_EVENTS]]
    return events


class TrustIntake:
    """Checks and keeps trust offers for one node; `take` is what the Trust RPC runs."""

    def __init__(
        self,
        trust: NodeTrust,
        db: Database,
        db_pool: Executor,
        cpu_pool: Executor,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = SYSTEM.now,
    ) -> None:
        self.trust, self.db = trust, db
        self._now = wall
        self._db_pool, self._cpu_pool = db_pool, cpu_pool
        self.gate = TrustGate(clock)

    async def _run(self, pool: Executor, fn: Callable[..., T], *args: Any) -> T:
        ctx = contextvars.copy_context()  # the acting user follows an operator's import
        return await asyncio.get_running_loop().run_in_executor(pool, ctx.run, fn, *args)

    async def audit(self, event: str, detail: dict[str, object], peer: str) -> None:
        def write() -> None:
            with self.db.write() as s:
                repo.append_audit(s, self._now(), event, detail, peer)

        await self._run(self._db_pool, write)

    async def _refused(self, peer: str, reason: str, err: E, **extra: object) -> E:
        """Audit a refused call: the first of its kind, then at most once per AUDIT_PERIOD
        with the number of calls refused meanwhile."""
        missed = self.gate.audit_due(peer, reason)
        if missed is not None:
            detail = {**inbox.refusal_detail(err), "item": "sync", **extra}
            await self.audit("trust.refused", {**detail, "unaudited_since_last": missed}, peer)
        return err

    async def admit(self, sender: str, raw: bytes) -> exchange_pb2.TrustSync:
        """A Trust call as it arrives: the caller's rate first, then the bytes are parsed (a
        caller over its rate costs no parsing). Raises TooLarge or MalformedInput, audited."""
        if (err := self.gate.admit_call(sender)) is not None:
            raise await self._refused(sender, "rate", err)
        try:
            return exchange_pb2.TrustSync.FromString(raw)
        except DecodeError:
            bad = MalformedInput("the Trust request is not a valid exchange.v1.TrustSync message")
            raise await self._refused(sender, "malformed", bad) from None

    async def check(self, sender: str, msg: exchange_pb2.TrustSync) -> Plan | None:
        """Caps, then every signature, off the event loop and outside any transaction.

        None: nothing new. Raises TooLarge (already audited) for a refused offer."""
        if (err := over_caps(msg)) is not None:
            raise await self._refused(sender, "caps", err, counts=counts(msg))
        if not await self._run(self._cpu_pool, self.trust.has_news, sender, msg):
            return None  # most rounds: no transaction at all
        snap = await self._run(self._cpu_pool, self.trust.snapshot, msg)
        if (err := self.gate.admit_checks(sender, snap.signature_checks)) is not None:
            raise await self._refused(sender, "checks", err)
        return await self._run(self._cpu_pool, prepare, snap, msg, self._now())

    async def write(self, fn: Callable[[Session, datetime], Outcome], peer: str) -> Outcome:
        """Run a trust change in one write transaction with its (bounded) audit events."""

        def run() -> Outcome:
            now = self._now()
            try:
                with self.db.write() as s:
                    out = fn(s, now)
                    events = [(e, d, peer) for e, d in audit_events(out)]
                    if events:
                        repo.append_audit_many(s, now, events)
                    return out
            except Exception:
                with self.db.read() as s:  # the write was rolled back: forget what it did
                    self.trust.restore(s)
                raise

        return await self._run(self._db_pool, run)

    async def take(self, sender: str, msg: exchange_pb2.TrustSync) -> Outcome:
        """Check a peer's offer (or answer) and keep what passes."""
        plan = await self.check(sender, msg)
        if plan is None:
            return Outcome()
        return await self.write(
            lambda s, now: self.trust.apply_plan(s, sender, msg, plan, now), sender
        )
