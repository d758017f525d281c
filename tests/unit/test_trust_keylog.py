"""The per-country key log, named after the attacks each check stops.

Every refusal also checks that nothing was stored: heads, entries and the frozen set are exactly
as before (apart from the freeze a split view sets on purpose).
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import replace

import pytest

from exchange._proto.v1 import trust_pb2
from exchange.channel import GENESIS_HASH, Head
from exchange.envelope import SigningKey
from exchange.errors import Error
from exchange.trust import (
    KIND_BUNDLE,
    KIND_CERTIFICATE,
    KIND_REVOCATION,
    HeadStatus,
    KeyLog,
    KeyLogs,
    LogEntry,
    compare_heads,
    issue,
    issue_revocation,
    item_digest,
    parse_entry,
)
from exchange.trust.errors import (
    ChainTooLong,
    KeyLogBroken,
    KeyLogFrozen,
    KeyLogGap,
    MalformedKeyLogEntry,
    SplitView,
)
from tests.unit.test_trust_certs import Region, cert
from tests.unit.test_trust_revocation import revocation


def build(country: str = "kz", n: int = 3) -> tuple[KeyLogs, list[LogEntry]]:
    """A node's logs with `n` entries for `country` (bundle, certificates, a revocation)."""
    r = Region()
    items = [
        (KIND_BUNDLE, r.trusted.chain[0]),
        (KIND_CERTIFICATE, issue(r.kz, cert())),
        (KIND_REVOCATION, issue_revocation(r.kz, revocation())),
    ]
    logs = KeyLogs()
    entries = []
    for i in range(n):
        kind, env = items[i % len(items)]
        e = logs.log(country).next_entry(kind, env.SerializeToString())
        assert logs.append(e)
        entries.append(e)
    return logs, entries


def other_entry(e: LogEntry) -> LogEntry:
    """A different entry for the same (country, seq): another item at that position."""
    return replace(e, item_digest=hashlib.sha256(b"another item" + e.item_digest).digest())


def state(logs: KeyLogs) -> tuple[object, ...]:
    heads = logs.heads()
    return (heads, logs.frozen(), {c: logs.log(c).entries() for c in heads})


def refused(logs: KeyLogs, entry: LogEntry, exc: type[Error]) -> None:
    before = state(logs)
    with pytest.raises(exc) as info:
        logs.append(entry)
    assert info.value.message
    assert state(logs) == before


# --- happy paths ------------------------------------------------------------------------------


def test_entries_chain_and_the_head_moves() -> None:
    logs, entries = build(n=3)
    log = logs.log("kz")
    assert log.head() == Head(3, entries[2].hash)
    assert entries[0].prev_hash == GENESIS_HASH
    assert [e.seq for e in log.entries()] == [1, 2, 3]
    for a, b in itertools.pairwise(entries):
        assert b.prev_hash == a.hash
    assert logs.heads() == {"kz": Head(3, entries[2].hash)}
    assert entries[2].kind_name == "revocation"


def test_entry_hash_is_sha256_of_the_canonical_encoding() -> None:
    _, entries = build(n=1)
    e = entries[0]
    assert e.hash == hashlib.sha256(e.encode()).digest()
    assert parse_entry(e.encode()) == e
    assert e.to_proto().SerializeToString(deterministic=True) == e.encode()


def test_item_digest_covers_the_signed_envelope_bytes() -> None:
    r = Region()
    env = issue(r.kz, cert())
    data = env.SerializeToString()
    assert item_digest(data) == hashlib.sha256(data).digest()
    assert item_digest(env) == hashlib.sha256(env.SerializeToString(deterministic=True)).digest()


# --- split view -------------------------------------------------------------------------------


def test_split_view_in_a_key_log_raises_alarm_and_freezes_the_country() -> None:
    logs, entries = build(n=3)
    before = state(logs)
    forked = other_entry(entries[1])
    with pytest.raises(SplitView) as info:
        logs.append(forked)
    assert (info.value.country, info.value.seq) == ("kz", 2)
    assert info.value.hashes == (entries[1].hash, forked.hash)
    # The alarm freezes kz; nothing was stored.
    assert logs.frozen() == {"kz"}
    assert state(logs)[0] == before[0]
    assert logs.log("kz").entries() == tuple(entries)


def test_further_appends_from_a_frozen_country_refused_until_resolved() -> None:
    logs, entries = build(n=2)
    with pytest.raises(SplitView):
        logs.append(other_entry(entries[0]))
    r = Region()
    nxt = logs.log("kz").next_entry(KIND_CERTIFICATE, issue(r.kz, cert()))
    refused(logs, nxt, KeyLogFrozen)
    refused(logs, entries[1], KeyLogFrozen)  # even a replay: no key change while frozen
    with pytest.raises(KeyLogFrozen, match="frozen"):
        logs.check_not_frozen("kz")
    logs.resolve("kz")
    assert logs.frozen() == frozenset()
    logs.check_not_frozen("kz")
    assert logs.append(nxt)
    assert logs.log("kz").head().seq == 3


def test_split_view_freezes_only_that_country() -> None:
    logs, _ = build("kz", n=2)
    kg = logs.log("kg").next_entry(KIND_BUNDLE, b"bundle v1")
    assert logs.append(kg)
    with pytest.raises(SplitView):
        logs.append(other_entry(logs.log("kz").entries()[0]))
    assert logs.frozen() == {"kz"}
    logs.check_not_frozen("kg")
    assert logs.append(logs.log("kg").next_entry(KIND_CERTIFICATE, b"cert"))


def test_unsigned_peer_head_conflict_is_reported_not_frozen() -> None:
    """Anyone may claim a head: a different one is SPLIT (a warning), never a freeze."""
    logs, entries = build(n=3)
    before = state(logs)
    peer = {"kz": Head(2, other_entry(entries[1]).hash)}
    assert logs.compare(peer) == {"kz": HeadStatus.SPLIT}
    assert state(logs) == before
    logs.check_not_frozen("kz")


def test_unsigned_conflict_at_the_peers_older_head_is_reported() -> None:
    # The peer is behind us, but its entry at its head differs from ours: reported, not frozen.
    logs, entries = build(n=3)
    assert logs.observe("kz", 1, other_entry(entries[0]).hash) is HeadStatus.SPLIT
    assert logs.frozen() == frozenset()


def test_every_unsigned_conflict_in_one_comparison_is_reported() -> None:
    logs, _ = build("kz", n=1)
    logs.append(logs.log("kg").next_entry(KIND_BUNDLE, b"bundle v1"))
    peer = {"kg": Head(1, b"\x01" * 32), "kz": Head(1, b"\x02" * 32)}
    assert logs.compare(peer) == {"kg": HeadStatus.SPLIT, "kz": HeadStatus.SPLIT}
    assert logs.frozen() == frozenset()


def test_freeze_on_proof_keeps_the_first_proof() -> None:
    logs, entries = build(n=2)
    first = SplitView("first", country="kz", seq=1, hashes=(b"a", b"b"), evidence=(b"x", b"y"))
    logs.log("kz").freeze(first)
    logs.log("kz").freeze(SplitView("second", country="kz", seq=2, hashes=(b"c", b"d")))
    assert logs.log("kz").frozen is first
    refused(logs, entries[1], KeyLogFrozen)


def test_peer_ahead_is_behind_not_an_alarm() -> None:
    logs, _ = build(n=2)
    before = state(logs)
    peer = {"kz": Head(5, b"\x07" * 32), "tj": Head(1, b"\x08" * 32)}
    assert logs.compare(peer) == {"kz": HeadStatus.BEHIND, "tj": HeadStatus.BEHIND}
    assert state(logs) == before  # no log was created for tj, nothing frozen


def test_peer_heads_in_sync_or_behind() -> None:
    logs, entries = build(n=3)
    peer = {"kz": Head(3, entries[2].hash)}
    assert logs.compare(peer) == {"kz": HeadStatus.IN_SYNC}
    assert logs.observe("kz", 1, entries[0].hash) is HeadStatus.PEER_BEHIND
    assert logs.observe("kz", 0, GENESIS_HASH) is HeadStatus.PEER_BEHIND
    assert logs.frozen() == frozenset()


def test_compare_heads_without_the_log() -> None:
    a, b, c = (bytes([i]) * 32 for i in (1, 2, 3))
    local = {"kz": Head(2, a), "kg": Head(1, b), "tj": Head(4, c)}
    peer = {"kz": Head(2, b), "kg": Head(3, c), "tj": Head(1, a), "uz": Head(1, a)}
    assert compare_heads(local, peer) == {
        "kg": HeadStatus.BEHIND,
        "kz": HeadStatus.SPLIT,
        "tj": HeadStatus.PEER_BEHIND,
        "uz": HeadStatus.BEHIND,
    }


@pytest.mark.parametrize(
    ("country", "seq", "h"),
    [
        ("KZ", 1, b"\x00" * 32),
        ("kz", 1, b"\x00" * 31),
        ("kz", -1, GENESIS_HASH),
        ("kz", 0, b"x" * 32),
    ],
    ids=["bad-country", "short-hash", "negative-seq", "seq0-not-genesis"],
)
def test_malformed_peer_head_refused(country: str, seq: int, h: bytes) -> None:
    logs, _ = build(n=1)
    before = state(logs)
    with pytest.raises(MalformedKeyLogEntry):
        logs.observe(country, seq, h)
    assert state(logs) == before


# --- gaps, broken chains, replays -------------------------------------------------------------


def test_log_gap_refused() -> None:
    logs, _ = build(n=2)
    gap = LogEntry("kz", 4, b"\x05" * 32, KIND_CERTIFICATE, b"\x06" * 32)
    before = state(logs)
    with pytest.raises(KeyLogGap) as info:
        logs.append(gap)
    assert info.value.head_seq == 2
    assert state(logs) == before
    assert logs.frozen() == frozenset()  # behind is not an alarm


def test_wrong_prev_hash_refused() -> None:
    logs, entries = build(n=2)
    bad = LogEntry("kz", 3, entries[0].hash, KIND_CERTIFICATE, b"\x06" * 32)
    refused(logs, bad, KeyLogBroken)
    assert logs.frozen() == frozenset()


def test_first_entry_of_a_new_country_must_start_the_chain() -> None:
    logs = KeyLogs()
    refused(logs, LogEntry("kg", 2, b"\x01" * 32, KIND_BUNDLE, b"\x02" * 32), KeyLogGap)
    assert logs.heads() == {}


def test_replaying_the_same_entry_is_idempotent() -> None:
    logs, entries = build(n=3)
    before = state(logs)
    for e in entries:
        assert not logs.append(e)
        assert not logs.append(parse_entry(e.encode()))
    assert state(logs) == before


def test_entry_for_another_country_refused() -> None:
    _, entries = build("kz", n=1)
    log = KeyLog("kg")
    with pytest.raises(MalformedKeyLogEntry):
        log.append(entries[0])
    assert len(log) == 0


def test_key_log_at_its_cap_refused() -> None:
    logs = KeyLogs(max_entries=2)
    for i in range(2):
        logs.append(logs.log("kz").next_entry(KIND_CERTIFICATE, b"cert %d" % i))
    refused(logs, logs.log("kz").next_entry(KIND_CERTIFICATE, b"one more"), ChainTooLong)


# --- malformed entries ------------------------------------------------------------------------

D = b"\x09" * 32


@pytest.mark.parametrize(
    "fields",
    [
        {"country": "KZ", "seq": 1, "prev_hash": GENESIS_HASH, "kind": KIND_BUNDLE},
        {"country": "kz", "seq": 0, "prev_hash": GENESIS_HASH, "kind": KIND_BUNDLE},
        {"country": "kz", "seq": 2, "prev_hash": b"\x01" * 31, "kind": KIND_BUNDLE},
        {"country": "kz", "seq": 1, "prev_hash": b"\x01" * 32, "kind": KIND_BUNDLE},
        {"country": "kz", "seq": 1, "prev_hash": GENESIS_HASH, "kind": 0},
        {"country": "kz", "seq": 1, "prev_hash": GENESIS_HASH, "kind": KIND_BUNDLE, "digest": b""},
    ],
    ids=["bad-country", "seq-0", "short-prev", "first-not-genesis", "no-kind", "no-digest"],
)
def test_malformed_entry_refused(fields: dict[str, object]) -> None:
    msg = trust_pb2.KeyLogEntry(
        country=fields["country"],  # type: ignore[arg-type]
        seq=fields["seq"],  # type: ignore[arg-type]
        prev_hash=fields["prev_hash"],  # type: ignore[arg-type]
        kind=fields["kind"],  # type: ignore[arg-type]
        item_digest=fields.get("digest", D),  # type: ignore[arg-type]
    )
    with pytest.raises(MalformedKeyLogEntry):
        parse_entry(msg.SerializeToString(deterministic=True))


def test_non_canonical_entry_encoding_refused() -> None:
    _, entries = build(n=1)
    data = entries[0].encode()
    with pytest.raises(MalformedKeyLogEntry, match="canonical"):
        parse_entry(data + b"\x78\x01")  # an unknown field 15 appended
    with pytest.raises(MalformedKeyLogEntry):
        parse_entry(b"\xff" * 8)
    with pytest.raises(MalformedKeyLogEntry):
        parse_entry(data + b"\x00" * 300)


def test_entry_built_for_one_log_is_the_next_entry() -> None:
    log = KeyLog("tj")
    key = SigningKey.generate()
    e = log.next_entry(KIND_CERTIFICATE, key.sign("t", b"x"))
    assert (e.seq, e.prev_hash) == (1, GENESIS_HASH)
    assert log.append(e)
    assert log.next_entry(KIND_BUNDLE, b"y").prev_hash == e.hash


def test_first_entry_of_a_new_country_starts_its_log() -> None:
    logs = KeyLogs()
    e = LogEntry("uz", 1, GENESIS_HASH, KIND_BUNDLE, D)
    assert logs.append(e)
    assert logs.heads() == {"uz": Head(1, e.hash)}
    assert logs.log("uz").entry(1) == e
    assert logs.log("uz").entry(2) is None
    with pytest.raises(MalformedKeyLogEntry):
        KeyLog("UZ")
