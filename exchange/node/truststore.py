"""What a node trusts, kept: the storage part around the pure trust state machine.

The state machine (exchange.node.truststate, exchange.node.trustgossip) decides and records
the changes to make; `NodeTrust` loads it from the database and writes each decision's
changes through the caller's session, so a decision and its rows commit or roll back
together (python-tuf keeps its TrustedMetadataSet apart from the updater that does I/O in
the same way). On a failed write the caller restores the state from the database
(exchange.node.trustintake).

Sources: the node's administrator (`exchange keys import`, the only way to set the first bundle,
the trust anchor) and peers over the Trust RPC (gossip). A peer's offer is verified first,
outside any transaction (exchange.node.trustplan), then kept by `apply_plan`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from exchange._proto.v1 import envelope_pb2, exchange_pb2
from exchange.node.trustchanges import (
    AppendLog,
    Changes,
    ForgetLog,
    Held,
    KeepCheckpoint,
    KeepFreeze,
    KeepItem,
    Unfreeze,
)
from exchange.node.trustgossip import TrustGossip
from exchange.node.trustplan import Plan, prepare
from exchange.node.trustresult import Outcome
from exchange.store.models import KeyCheckpoint, KeyLogFreeze, KeyLogRow, TrustItem

__all__ = ["NodeTrust", "Outcome", "read_held", "write_changes"]


def read_held(s: Session) -> Held:
    """Everything the store holds of trust, as values for `TrustState.load`."""
    items = tuple(
        KeepItem(r.digest, r.kind, r.country, r.body) for r in s.scalars(select(TrustItem))
    )
    log = s.scalars(select(KeyLogRow).order_by(KeyLogRow.country, KeyLogRow.seq))
    freezes = tuple(
        KeepFreeze(
            fr.country, fr.seq, fr.detail, tuple(e for e in (fr.evidence_a, fr.evidence_b) if e)
        )
        for fr in s.scalars(select(KeyLogFreeze))
    )
    checkpoints = tuple(
        KeepCheckpoint(cp.country, cp.seq, cp.envelope) for cp in s.scalars(select(KeyCheckpoint))
    )
    return Held(items, tuple(r.entry for r in log), freezes, checkpoints)


def write_changes(s: Session, ch: Changes) -> None:
    """Write a decision's changes, in the order they were made, in the session's transaction."""
    for op in ch.ops:
        if isinstance(op, KeepItem):
            s.add(
                TrustItem(
                    digest=op.digest, kind=op.kind, country=op.country, body=op.body, added_at=ch.at
                )
            )
        elif isinstance(op, AppendLog):
            s.add(KeyLogRow(country=op.country, seq=op.seq, entry=op.entry))
        elif isinstance(op, KeepCheckpoint):
            s.merge(KeyCheckpoint(country=op.country, seq=op.seq, envelope=op.envelope))
        elif isinstance(op, KeepFreeze):
            ev = op.evidence
            s.merge(
                KeyLogFreeze(
                    country=op.country,
                    seq=op.seq,
                    detail=op.detail,
                    at=ch.at,
                    evidence_a=ev[0] if ev else None,
                    evidence_b=ev[1] if len(ev) > 1 else None,
                )
            )
        elif isinstance(op, ForgetLog):
            s.execute(delete(KeyLogRow).where(KeyLogRow.country == op.country))
            s.execute(delete(KeyCheckpoint).where(KeyCheckpoint.country == op.country))
        else:
            assert isinstance(op, Unfreeze)
            s.execute(delete(KeyLogFreeze).where(KeyLogFreeze.country == op.country))


def _system_now() -> datetime:
    return datetime.now(UTC)  # the shell's time, for callers that pass none


class NodeTrust(TrustGossip):
    """The trust state, loaded from and written to the database through the session given."""

    def offer(self, own_tls: Iterable[bytes], at: datetime | None = None) -> exchange_pb2.TrustSync:
        """Our offer (see `TrustGossip.offer`); without a time, the system clock's."""
        return super().offer(own_tls, at or _system_now())

    def restore(self, s: Session) -> None:
        """Load everything from the database (on start, or after a failed write)."""
        self.load(read_held(s))

    def accept(
        self, s: Session, env: envelope_pb2.Envelope, now: datetime, *, anchor_ok: bool = False
    ) -> tuple[str, str, bool]:
        """Check and keep one admin-signed item: (kind, summary, new) or raise a TrustError."""
        with self._lock:
            ch = Changes(now)
            try:
                return self.accept_item(ch, env, now, anchor_ok=anchor_ok)
            finally:
                write_changes(s, ch)  # nothing is recorded before a refusal is raised

    def import_items(
        self,
        s: Session,
        envs: Sequence[envelope_pb2.Envelope],
        now: datetime,
        *,
        anchor_digest: str | None = None,
    ) -> Outcome:
        """The administrator's import (see `TrustState.import_all`)."""
        with self._lock:
            ch = Changes(now)
            out = self.import_all(ch, envs, now, anchor_digest=anchor_digest)
            write_changes(s, ch)
            return out

    def add_tls(self, s: Session, country: str, pem: bytes) -> bool:
        """Keep a peer's TLS certificate if its key is certified for `country` (any window)."""
        with self._lock:
            ch = Changes(_system_now())
            kept = self.take_tls(ch, country, pem)
            write_changes(s, ch)
            return kept

    def apply_sync(
        self, s: Session, sender: str, msg: exchange_pb2.TrustSync, now: datetime
    ) -> Outcome:
        """Check (signatures first, on a snapshot) and take what a peer offered."""
        return self.apply_plan(s, sender, msg, prepare(self.snapshot(msg), msg, now), now)

    def apply_plan(
        self, s: Session, sender: str, msg: exchange_pb2.TrustSync, plan: Plan, now: datetime
    ) -> Outcome:
        """Keep what `prepare` verified (see `TrustGossip.take_plan`)."""
        with self._lock:
            ch = Changes(now)
            out = self.take_plan(ch, sender, msg, plan, now)
            write_changes(s, ch)
            return out

    def resolve(self, s: Session, country: str) -> int:
        """Lift a split-view freeze. Another country's log is discarded and learned again from
        its own node; this node's own log is authoritative and kept."""
        with self._lock:
            ch = Changes(_system_now())
            discarded = self.lift_freeze(ch, country)
            write_changes(s, ch)
            return discarded
