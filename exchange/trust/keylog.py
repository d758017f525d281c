"""The per-country, hash-chained key log, and split-view detection between nodes.

Every bundle version, certificate and revocation of a country is also an entry in that country's
key log: {country, seq (from 1), prev_hash, kind, item_digest}, where item_digest is the sha256 of
the signed envelope's bytes. The entry hash is sha256 of the entry's canonical encoding
(deterministic protobuf, no unknown fields); seq 1 chains to 32 zero bytes.

- `KeyLog.append` takes exactly the next entry; the same entry again is a no-op (replay); an entry
  beyond head + 1 is a gap (fetch the missing ones); a wrong prev_hash is refused.
- Two different entries for the same (country, seq) appended to one log are a SPLIT VIEW:
  SplitView is raised and the country is FROZEN (no key change from it is trusted) until an
  administrator calls `resolve`. Entries are taken only from the country's own node (the
  mTLS-bound caller), so only that country can cause this.
- Between nodes, a country's head travels as a CHECKPOINT signed by that country's node key
  (exchange.trust.checkpoint); only two of those that conflict, or one that contradicts the
  entries the country's own node sent, freeze it (`freeze`, with the checkpoints as evidence).
- `observe` compares an UNSIGNED head (what anyone may claim) with the log: it never freezes and
  never raises on a conflict; it returns SPLIT, which is at most a warning. A head ahead of ours
  is not an alarm: we are behind and fetch more.

Pure: no I/O, no clock reads. Every refusal leaves the log exactly as it was (apart from the
freeze that a split view sets on purpose).
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from google.protobuf.message import DecodeError

from exchange._proto.v1 import envelope_pb2, trust_pb2
from exchange.channel import GENESIS_HASH, Decision, Head, decide
from exchange.trust._common import COUNTRY_RE
from exchange.trust.errors import (
    ChainTooLong,
    KeyLogBroken,
    KeyLogFrozen,
    KeyLogGap,
    MalformedKeyLogEntry,
    SplitView,
)

KeyLogKind = trust_pb2.KeyLogKind
KIND_BUNDLE = trust_pb2.KEY_LOG_KIND_BUNDLE
KIND_CERTIFICATE = trust_pb2.KEY_LOG_KIND_CERTIFICATE
KIND_REVOCATION = trust_pb2.KEY_LOG_KIND_REVOCATION
_KIND_NAMES = {
    KIND_BUNDLE: "bundle",
    KIND_CERTIFICATE: "certificate",
    KIND_REVOCATION: "revocation",
}

MAX_ENTRY_BYTES = 256
MAX_LOG_ENTRIES = 100_000
_MAX_SEQ = 2**63 - 1


def item_digest(item: envelope_pb2.Envelope | bytes) -> bytes:
    """sha256 of a signed envelope's bytes (pass the bytes as received when you have them)."""
    data = item if isinstance(item, bytes) else item.SerializeToString(deterministic=True)
    return hashlib.sha256(data).digest()


@dataclass(frozen=True)
class LogEntry:
    """One checked key log entry."""

    country: str
    seq: int
    prev_hash: bytes
    kind: trust_pb2.KeyLogKind.ValueType
    item_digest: bytes

    def __post_init__(self) -> None:
        if not COUNTRY_RE.fullmatch(self.country):
            raise MalformedKeyLogEntry(
                f"key log entry country {self.country[:16]!r} is not a lower-case two-letter code"
            )
        where = f"key log entry {self.country}#{self.seq}"
        if not 1 <= self.seq <= _MAX_SEQ:
            raise MalformedKeyLogEntry(f"{where}: seq starts at 1")
        if len(self.prev_hash) != 32:
            raise MalformedKeyLogEntry(f"{where}: prev_hash must be 32 bytes")
        if self.seq == 1 and self.prev_hash != GENESIS_HASH:
            raise MalformedKeyLogEntry(f"{where}: the first entry chains to 32 zero bytes")
        if self.kind not in _KIND_NAMES:
            raise MalformedKeyLogEntry(f"{where}: kind must be bundle, certificate or revocation")
        if len(self.item_digest) != 32:
            raise MalformedKeyLogEntry(f"{where}: item_digest must be a 32-byte sha256")

    def to_proto(self) -> trust_pb2.KeyLogEntry:
        return trust_pb2.KeyLogEntry(
            country=self.country,
            seq=self.seq,
            prev_hash=self.prev_hash,
            kind=self.kind,
            item_digest=self.item_digest,
        )

    def encode(self) -> bytes:
        """The canonical encoding: what the entry hash covers and what travels."""
        return self.to_proto().SerializeToString(deterministic=True)

    @property
    def hash(self) -> bytes:
        return hashlib.sha256(self.encode()).digest()

    @property
    def kind_name(self) -> str:
        return _KIND_NAMES[self.kind]


def parse_entry(data: bytes) -> LogEntry:
    """Parse an entry as it travels; refuse anything but the canonical encoding."""
    if len(data) > MAX_ENTRY_BYTES:
        raise MalformedKeyLogEntry(f"key log entry of {len(data)} bytes (max {MAX_ENTRY_BYTES})")
    msg = trust_pb2.KeyLogEntry()
    try:
        msg.ParseFromString(data)
    except DecodeError:
        raise MalformedKeyLogEntry("not a KeyLogEntry") from None
    entry = LogEntry(
        country=msg.country,
        seq=msg.seq,
        prev_hash=bytes(msg.prev_hash),
        kind=msg.kind,
        item_digest=bytes(msg.item_digest),
    )
    if entry.encode() != data:
        raise MalformedKeyLogEntry(
            f"key log entry {entry.country}#{entry.seq} is not canonically encoded"
        )
    return entry


class HeadStatus(enum.Enum):
    IN_SYNC = "in-sync"  # same head
    BEHIND = "behind"  # the peer is ahead: fetch more, not an alarm
    PEER_BEHIND = "peer-behind"  # the peer has a prefix of ours: it will fetch
    SPLIT = "split"  # same seq, different hash: from an unsigned head, a warning only


def compare_heads(
    local_heads: Mapping[str, Head], peer_heads: Mapping[str, Head]
) -> dict[str, HeadStatus]:
    """Compare two nodes' heads by country, knowing only the heads.

    Equal seq with different hashes is SPLIT; heads at different seqs cannot be compared without
    the log (use `KeyLogs.compare`, which checks the peer's head against the stored entry).
    """
    out: dict[str, HeadStatus] = {}
    for country in sorted(set(local_heads) | set(peer_heads)):
        mine = local_heads.get(country, Head())
        theirs = peer_heads.get(country, Head())
        if theirs.seq > mine.seq:
            out[country] = HeadStatus.BEHIND
        elif theirs.seq < mine.seq:
            out[country] = HeadStatus.PEER_BEHIND
        else:
            out[country] = HeadStatus.IN_SYNC if theirs.hash == mine.hash else HeadStatus.SPLIT
    return out


class KeyLog:
    """One country's key log (pure state)."""

    def __init__(self, country: str, *, max_entries: int = MAX_LOG_ENTRIES) -> None:
        if not COUNTRY_RE.fullmatch(country):
            raise MalformedKeyLogEntry(f"key log country {country[:16]!r} is not a valid code")
        self.country = country
        self._max = max_entries
        self._entries: list[LogEntry] = []
        self._hashes: list[bytes] = []
        self._split: SplitView | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def head(self) -> Head:
        if not self._entries:
            return Head()
        return Head(len(self._entries), self._hashes[-1])

    def entries(self) -> tuple[LogEntry, ...]:
        return tuple(self._entries)

    def entry(self, seq: int) -> LogEntry | None:
        return self._entries[seq - 1] if 1 <= seq <= len(self._entries) else None

    @property
    def frozen(self) -> SplitView | None:
        """The split view that froze this country, or None."""
        return self._split

    def check_not_frozen(self) -> None:
        if self._split is not None:
            raise KeyLogFrozen(
                f"key changes from {self.country!r} are frozen: split view in its key log at "
                f"seq {self._split.seq}",
                hint="an administrator must investigate and resolve it (exchange keys status)",
            )

    def next_entry(
        self, kind: trust_pb2.KeyLogKind.ValueType, item: envelope_pb2.Envelope | bytes
    ) -> LogEntry:
        """The entry that would log `item` at head + 1 (for the country's own node)."""
        h = self.head()
        return LogEntry(self.country, h.seq + 1, h.hash, kind, item_digest(item))

    def _split_view(self, seq: int, stored: bytes, other: bytes) -> SplitView:
        exc = SplitView(
            f"split view in the key log of {self.country!r}: two different entries at seq {seq} "
            f"({stored.hex()[:16]} stored, {other.hex()[:16]} seen); key changes from "
            f"{self.country!r} are frozen",
            country=self.country,
            seq=seq,
            hashes=(stored, other),
            hint="administrators: compare the entries with the other countries, then resolve",
        )
        if self._split is None:
            self._split = exc
        return exc

    def append(self, entry: LogEntry) -> bool:
        """Append exactly the next entry (True), or accept a replay of a stored one (False).

        Raises KeyLogFrozen, SplitView (and freezes), KeyLogGap, KeyLogBroken, ChainTooLong or
        MalformedKeyLogEntry; a refused entry is never stored.
        """
        if entry.country != self.country:
            raise MalformedKeyLogEntry(
                f"an entry for {entry.country!r} offered to the key log of {self.country!r}"
            )
        self.check_not_frozen()
        head = self.head()
        this = entry.hash
        decision = decide(head, entry.seq, entry.prev_hash, this, lambda s: self._hashes[s - 1])
        if decision is Decision.REPLAY:
            return False
        if decision is Decision.FORK and entry.seq <= head.seq:
            raise self._split_view(entry.seq, self._hashes[entry.seq - 1], this)
        if decision is Decision.FORK:
            raise KeyLogBroken(
                f"key log entry {self.country}#{entry.seq} does not chain to the head "
                f"(prev_hash {entry.prev_hash.hex()[:16]}, head {head.hash.hex()[:16]})",
                hint="refused; fetch the log again from the country's own node",
            )
        if decision is Decision.GAP:
            raise KeyLogGap(
                f"key log entry {self.country}#{entry.seq} is beyond head {head.seq} + 1",
                head_seq=head.seq,
                hint=f"fetch entries from seq {head.seq + 1}",
            )
        if decision is not Decision.APPLY:  # MALFORMED: LogEntry already checks these fields
            raise MalformedKeyLogEntry(f"key log entry {self.country}#{entry.seq} is malformed")
        if len(self._entries) >= self._max:
            raise ChainTooLong(f"the key log of {self.country!r} is at its cap of {self._max}")
        self._entries.append(entry)
        self._hashes.append(this)
        return True

    def observe(self, seq: int, h: bytes) -> HeadStatus:
        """Compare an unsigned head for this country with the stored log (never freezes).

        SPLIT if the stored entry at `seq` has another hash: a claim, not a proof.
        """
        if seq < 0 or len(h) != 32 or (seq == 0 and h != GENESIS_HASH):
            raise MalformedKeyLogEntry(f"malformed key log head for {self.country!r}")
        head = self.head()
        if seq > head.seq:
            return HeadStatus.BEHIND
        if seq == 0:
            return HeadStatus.IN_SYNC if head.seq == 0 else HeadStatus.PEER_BEHIND
        if self._hashes[seq - 1] != h:
            return HeadStatus.SPLIT
        return HeadStatus.IN_SYNC if seq == head.seq else HeadStatus.PEER_BEHIND

    def freeze(self, split: SplitView) -> None:
        """Freeze key changes on proof of a split view (the first proof is kept)."""
        if self._split is None:
            self._split = split

    def resolve(self) -> None:
        """An administrator lifts the freeze after investigating the split view."""
        self._split = None

    def restore_freeze(self, seq: int, message: str, evidence: tuple[bytes, ...] = ()) -> None:
        """Re-apply a freeze recorded before a restart."""
        self._split = SplitView(
            message, country=self.country, seq=seq, hashes=(b"", b""), evidence=evidence
        )


class KeyLogs:
    """A node's key logs for every country (pure state)."""

    def __init__(self, *, max_entries: int = MAX_LOG_ENTRIES) -> None:
        self._max = max_entries
        self._logs: dict[str, KeyLog] = {}

    def log(self, country: str) -> KeyLog:
        """The log of `country` (created empty on first use)."""
        log = self._logs.get(country)
        if log is None:
            log = KeyLog(country, max_entries=self._max)
            self._logs[country] = log
        return log

    def length(self, country: str) -> int:
        """Entries held for `country` (0 for a country never seen; creates nothing)."""
        log = self._logs.get(country)
        return len(log) if log is not None else 0

    def differs(self, country: str, seq: int, h: bytes) -> bool:
        """True if we hold an entry at `seq` for `country` whose hash is not `h` (a split view
        `observe` would raise); creates nothing."""
        log = self._logs.get(country)
        entry = log.entry(seq) if log is not None else None
        return entry is not None and entry.hash != h

    def heads(self) -> dict[str, Head]:
        """Every non-empty log's head: what travels with normal sync."""
        return {c: log.head() for c, log in sorted(self._logs.items()) if len(log)}

    def append(self, entry: LogEntry) -> bool:
        if entry.country not in self._logs:
            # Do not create state for an entry that will be refused.
            probe = KeyLog(entry.country, max_entries=self._max)
            appended = probe.append(entry)
            self._logs[entry.country] = probe
            return appended
        return self._logs[entry.country].append(entry)

    def observe(self, country: str, seq: int, h: bytes) -> HeadStatus:
        log = self._logs.get(country)
        if log is None:
            if not COUNTRY_RE.fullmatch(country):
                raise MalformedKeyLogEntry(f"key log head for {country[:16]!r}: not a country")
            return KeyLog(country).observe(seq, h)
        return log.observe(seq, h)

    def compare(self, peer_heads: Mapping[str, Head]) -> dict[str, HeadStatus]:
        """Compare every unsigned head a peer sent (SPLIT is a warning, nothing is frozen)."""
        return {c: self.observe(c, h.seq, h.hash) for c, h in sorted(peer_heads.items())}

    def frozen(self) -> frozenset[str]:
        return frozenset(c for c, log in self._logs.items() if log.frozen is not None)

    def check_not_frozen(self, country: str) -> None:
        """Call before trusting any key change (certificate, revocation) from `country`."""
        log = self._logs.get(country)
        if log is not None:
            log.check_not_frozen()

    def forget(self, country: str) -> None:
        """Drop a country's log (to learn it again from its node after a resolved split)."""
        self._logs.pop(country, None)

    def resolve(self, country: str) -> None:
        log = self._logs.get(country)
        if log is not None:
            log.resolve()
