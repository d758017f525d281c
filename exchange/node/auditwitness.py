"""The door of the WitnessAudit RPC: keep a peer's signed audit head, answer with those held.

Order of checks, cheapest first: the caller's call rate (before parsing: an over-rate caller
costs no work), the request size, the parse, `want`, then the checkpoint (claimed country must
be the mTLS-bound caller, a signature by one of the caller's certified signing keys, canonical
encoding, bounds), then the rules of exchange.audit_witness against what we hold. A refused call
changes nothing and is audited as `audit.witness_refused`: the first of each reason per caller,
then at most once per AUDIT_PERIOD with the number refused meanwhile, so junk cannot fill the
log.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from google.protobuf.message import DecodeError

from exchange._proto.v1 import audit_pb2, envelope_pb2
from exchange.audit_checkpoint import open_audit_checkpoint
from exchange.audit_witness import MAX_HELD, Verdict, judge
from exchange.errors import Error, MalformedInput, TooLarge
from exchange.policy.rate import TokenBucket
from exchange.store import witness
from exchange.store.db import Database
from exchange.sync import inbox
from exchange.trust._common import now_ns
from exchange.trust.signers import TrustedSigners

T = TypeVar("T")

MAX_REQUEST_BYTES = 1024  # a checkpoint envelope (at most 512) and `want`
CALLS_PER_SECOND, CALL_BURST = 1.0, 20.0  # a node calls once per checkpoint interval
AUDIT_PERIOD = 60.0


@dataclass
class _Caller:
    calls: TokenBucket
    audited_at: dict[str, float] = field(default_factory=dict)
    suppressed: Counter[str] = field(default_factory=Counter)


class AuditWitness:
    """Serves WitnessAudit for one node (the clocks are injectable for tests)."""

    def __init__(
        self,
        db: Database,
        run_db: Callable[..., Awaitable[Any]],
        signers: Callable[[str], TrustedSigners],
        audit: Callable[[str, dict[str, Any], str], Awaitable[None]],
        clock: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db, self._run_db, self._signers, self._audit = db, run_db, signers, audit
        self.clock, self.monotonic = clock, monotonic
        self._callers: dict[str, _Caller] = {}
        self._locks: dict[str, asyncio.Lock] = {}  # one judgement per caller at a time

    def _caller(self, peer: str) -> _Caller:
        c = self._callers.get(peer)
        if c is None:
            c = _Caller(TokenBucket(CALLS_PER_SECOND, CALL_BURST, self.monotonic()))
            self._callers[peer] = c
        return c

    async def _refused(self, peer: str, err: Error) -> Error:
        c = self._caller(peer)
        now, reason = self.monotonic(), type(err).__name__
        last = c.audited_at.get(reason)
        if last is not None and now - last < AUDIT_PERIOD:
            c.suppressed[reason] += 1
            return err
        c.audited_at[reason] = now
        detail = {
            "method": "exchange.v1.Exchange.WitnessAudit",
            **inbox.refusal_detail(err),
            "unaudited_since_last": c.suppressed.pop(reason, 0),
        }
        await self._audit("audit.witness_refused", detail, peer)
        return err

    async def serve(self, caller: str, raw: bytes) -> audit_pb2.AuditWitnessReply:
        """One WitnessAudit call from `caller` (the mTLS-bound country). Raises an Error, already
        audited, for a refused call."""
        try:
            return await self._serve(caller, raw)
        except Error as err:
            raise await self._refused(caller, err) from None

    async def _serve(self, caller: str, raw: bytes) -> audit_pb2.AuditWitnessReply:
        if not self._caller(caller).calls.take(1, self.monotonic()):
            raise TooLarge(
                f"{caller} is over its rate of {CALLS_PER_SECOND:g} WitnessAudit calls/s; "
                "retry later"
            )
        if len(raw) > MAX_REQUEST_BYTES:
            raise TooLarge(f"WitnessAudit request of {len(raw)} bytes (max {MAX_REQUEST_BYTES})")
        try:
            req = audit_pb2.AuditWitnessRequest.FromString(raw)
        except DecodeError:
            raise MalformedInput(
                "the WitnessAudit request is not a valid exchange.v1.AuditWitnessRequest message"
            ) from None
        if req.want > MAX_HELD:
            raise MalformedInput(f"want {req.want} is above {MAX_HELD}, the most a witness holds")
        reply = audit_pb2.AuditWitnessReply()
        if req.HasField("checkpoint"):
            reply.stored, reply.note = await self._take(caller, req.checkpoint)
        if req.want:
            held = await self._run_db(self._held, caller, req.want)
            reply.held.extend(envelope_pb2.Envelope.FromString(b) for b in held)
        return reply

    async def _take(self, caller: str, env: envelope_pb2.Envelope) -> tuple[bool, str]:
        now = self.clock()
        cp = open_audit_checkpoint(env, caller, self._signers(caller), now_ns(now))

        def write() -> Verdict:
            with self.db.write() as s:
                verdict = judge(witness.held(s, caller), cp)
                if verdict is Verdict.KEEP:
                    witness.keep(s, cp, now)
                return verdict

        async with self._locks.setdefault(caller, asyncio.Lock()):
            verdict: Verdict = await self._run_db(write)
        if verdict is Verdict.TOO_SOON:
            return False, "too soon after the last checkpoint held; send a later one"
        return True, ""

    def _held(self, caller: str, want: int) -> list[bytes]:
        with self.db.read() as s:
            return witness.envelopes(s, caller, want)
