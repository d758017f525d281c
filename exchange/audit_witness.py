"""Witnessing audit heads: what a peer keeps of another node's checkpoints, and the check of a
node's own chain against the heads its peers hold.

A plain hash chain gives no consistency proof between two heads, so a witness cannot tell an
honest successor from a head signed after a rewrite (the node signs whatever its database
says). It keeps history instead: every checkpoint it accepted, up to RECENT per country, and
beyond those the first of each UTC day, up to DAILY more. Each held head commits to every event
before it, so one held head older than a rewrite is enough to expose it. To flush a witness's
recent history an attacker must have it accept RECENT new checkpoints, at most one per
MIN_GAP_NS (about 1.4 hours at the defaults); the daily ones go back a year and a half.

Rules for a new verified checkpoint against the held ones of its country (`judge`):

- the same seq and hash as a held one: SAME (nothing stored);
- the same seq as a held one, another hash: refused (two signed histories);
- a lower seq than the newest held one: refused (the log went back: a rewrite or a restored
  backup), whatever time it claims;
- a higher seq signed no later than the newest held one: refused (time went back);
- less than MIN_GAP_NS after the newest held one: TOO_SOON (not stored, not an error);
- otherwise KEEP.

Pure: no I/O, no clock reads.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from exchange.audit import AuditBroken
from exchange.audit_checkpoint import AuditCheckpoint
from exchange.errors import Error

RECENT = 500
DAILY = 500
MAX_HELD = RECENT + DAILY  # also the most a witness answers with
MIN_GAP_NS = 10 * 1_000_000_000
DAY_NS = 86_400 * 1_000_000_000


class WitnessRefused(Error):
    """A checkpoint that contradicts what the witness holds of that country."""


class AuditRewritten(AuditBroken):
    """The local chain does not match a signed head a peer holds."""


class Verdict(enum.Enum):
    KEEP = "keep"
    SAME = "same"
    TOO_SOON = "too soon"


@dataclass(frozen=True)
class Held:
    """What a witness needs of one checkpoint it holds."""

    seq: int
    hash: bytes
    signed_at_ns: int


def _at(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, UTC).isoformat(timespec="seconds")


def judge(held: Sequence[Held], cp: AuditCheckpoint) -> Verdict:
    """What to do with a verified checkpoint, given those held of its country (any order)."""
    c = cp.country
    for h in held:
        if h.seq == cp.seq:
            if h.hash == cp.hash:
                return Verdict.SAME
            raise WitnessRefused(
                f"{c} signed two audit heads at event {cp.seq} ({h.hash.hex()[:16]} held, "
                f"{cp.hash.hex()[:16]} now): its audit log was rewritten",
                hint=f"{c}'s administrators: run `exchange audit verify --with-peers`",
            )
    if not held:
        return Verdict.KEEP
    newest = max(held, key=lambda h: h.seq)
    if cp.seq < newest.seq:
        raise WitnessRefused(
            f"{c}'s audit log went back from event {newest.seq} to {cp.seq}: events were "
            "removed, or its database was restored from a backup",
            hint=f"{c}'s administrators: run `exchange audit verify --with-peers`",
        )
    if cp.signed_at_ns <= newest.signed_at_ns:
        raise WitnessRefused(
            f"an audit checkpoint of {c} at event {cp.seq} claims {_at(cp.signed_at_ns)}, no "
            f"later than the one held at event {newest.seq} ({_at(newest.signed_at_ns)})",
            hint=f"check {c}'s clock",
        )
    if cp.signed_at_ns - newest.signed_at_ns < MIN_GAP_NS:
        return Verdict.TOO_SOON
    return Verdict.KEEP


def retained(held: Iterable[Held]) -> set[int]:
    """The seqs a witness keeps of one country: the RECENT newest, then the first of each UTC
    day before them, DAILY at most."""
    rows = sorted(held, key=lambda h: h.seq, reverse=True)
    keep = {h.seq for h in rows[:RECENT]}
    first_of_day: dict[int, int] = {}
    for h in rows[RECENT:]:
        first_of_day[h.signed_at_ns // DAY_NS] = h.seq  # ascending seqs overwrite: the first
    days = sorted(first_of_day, reverse=True)[:DAILY]
    keep.update(first_of_day[d] for d in days)
    return keep


# -- the owner's check ---------------------------------------------------------------------


@dataclass(frozen=True)
class PeerHeads:
    """The verified checkpoints one peer holds of this node, or why it could not be asked."""

    peer: str
    reachable: bool
    heads: Sequence[AuditCheckpoint] = ()
    error: str = ""
    unverified: int = 0
    unverified_reason: str = ""


@dataclass
class PeerVerdict:
    peer: str
    reachable: bool
    checked: int = 0
    mismatches: list[int] = field(default_factory=list)  # seqs whose signed head differs
    newest: int = 0  # newest seq this peer witnessed
    error: str = ""
    unverified: int = 0


@dataclass
class WitnessReport:
    events: int
    peers: list[PeerVerdict]
    matched: set[int] = field(default_factory=set)  # seqs some peer's signed head confirms

    @property
    def offline(self) -> list[str]:
        return [p.peer for p in self.peers if not p.reachable]

    @property
    def first_mismatch(self) -> int | None:
        """The lowest seq at which some peer holds a signed head the chain does not match."""
        return min((s for p in self.peers for s in p.mismatches), default=None)

    def failure(self) -> AuditRewritten | None:
        seq = self.first_mismatch
        if seq is None:
            return None
        holders = sorted({p.peer for p in self.peers if seq in p.mismatches})
        good = max((s for s in self.matched if s < seq), default=0)
        since = f" and after event {good}" if good else ""
        ends = f"; the local log ends at event {self.events}" if seq > self.events else ""
        return AuditRewritten(
            f"the audit log was rewritten at or before event {seq}{since}: peer "
            f"{', '.join(holders)} holds a signed head that does not match{ends}",
            hint="compare with the peers' copies; keep the database for investigation and do "
            "not trust events up to that point",
        )


def check_heads(
    chain: Sequence[bytes], peers: Iterable[PeerHeads], cut: tuple[int, bytes] = (0, b"")
) -> WitnessReport:
    """Check every head the peers hold against the local chain.

    `chain` holds the hash of event seq at index seq-cut-1 (seq-1 with no retention cut), taken
    from a chain that verified (exchange.audit.verify_chain), so each stored hash is the
    recomputed one. A head at seq matches if the event exists and its hash is the signed one;
    a head at the cut matches the cut's hash; heads before the cut are past retention (not
    checked, not counted as mismatches).
    """
    hashes = chain
    first = cut[0]
    report = WitnessReport(first + len(hashes), [])
    for ph in peers:
        v = PeerVerdict(ph.peer, ph.reachable, error=ph.error, unverified=ph.unverified)
        for cp in ph.heads:
            if cp.seq < first:
                continue
            v.checked += 1
            v.newest = max(v.newest, cp.seq)
            at = cp.seq - first - 1  # index in `hashes`; -1 is the cut itself
            if at == -1:
                ok = first > 0 and cp.hash == cut[1]
            else:
                ok = at < len(hashes) and hashes[at] == cp.hash
            if ok:
                report.matched.add(cp.seq)
            else:
                v.mismatches.append(cp.seq)
        v.mismatches.sort()
        report.peers.append(v)
    return report
