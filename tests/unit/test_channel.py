"""Channel rules: in-order apply, and detection of replays, forks, gaps and malformed entries."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from exchange.channel import GENESIS_HASH, Decision, Head, decide, entry_hash


@dataclass(frozen=True)
class Link:
    seq: int
    prev_hash: bytes
    hash: bytes


def chain(n: int, tag: bytes = b"") -> list[Link]:
    """A correct chain of n entries: seq from 1, each prev_hash the hash of the one before."""
    out: list[Link] = []
    prev = GENESIS_HASH
    for seq in range(1, n + 1):
        h = entry_hash(tag + b"entry %d " % seq + prev)
        out.append(Link(seq, prev, h))
        prev = h
    return out


class Store:
    """What a receiver holds: hashes by seq and the head."""

    def __init__(self) -> None:
        self.hashes: dict[int, bytes] = {}
        self.head = Head()

    def decide(self, link: Link) -> Decision:
        return decide(self.head, link.seq, link.prev_hash, link.hash, self._stored)

    def _stored(self, seq: int) -> bytes | None:
        assert seq <= self.head.seq, "stored_hash is only asked about seqs at or below head"
        return self.hashes.get(seq)

    def offer(self, link: Link) -> Decision:
        d = self.decide(link)
        if d is Decision.APPLY:
            self.hashes[link.seq] = link.hash
            self.head = self.head.advance(link.seq, link.hash)
        return d


def held(links: list[Link]) -> Store:
    store = Store()
    for link in links:
        assert store.offer(link) is Decision.APPLY
    return store


def test_in_order_entries_apply() -> None:
    links = chain(5)
    store = Store()
    for link in links:
        assert store.offer(link) is Decision.APPLY
        assert store.head == Head(link.seq, link.hash)


def test_empty_head_is_seq_zero_and_genesis_hash() -> None:
    assert Head() == Head(0, bytes(32))


def test_replay_same_seq_same_hash_is_replay() -> None:
    links = chain(3)
    store = held(links)
    for link in links:
        assert store.decide(link) is Decision.REPLAY
    assert store.head == Head(3, links[-1].hash)


def test_fork_at_old_seq_refused() -> None:
    links = chain(3)
    other = chain(3, tag=b"forged ")
    store = held(links)
    # Same seq as a stored entry but a different hash: the origin contradicts itself.
    assert store.decide(other[0]) is Decision.FORK
    assert store.decide(Link(2, links[0].hash, b"\x01" * 32)) is Decision.FORK
    assert store.decide(Link(3, links[1].hash, other[2].hash)) is Decision.FORK


def test_wrong_prev_hash_at_next_seq_is_fork() -> None:
    links = chain(2)
    store = held(links[:1])
    assert store.decide(Link(2, b"\x02" * 32, links[1].hash)) is Decision.FORK
    # On an empty channel, seq 1 must link to the genesis hash.
    assert Store().decide(Link(1, b"\x03" * 32, links[0].hash)) is Decision.FORK
    # The correct entry still applies afterwards.
    assert store.decide(links[1]) is Decision.APPLY


def test_gap_beyond_head_plus_one_refused() -> None:
    links = chain(5)
    store = held(links[:2])
    assert store.decide(links[3]) is Decision.GAP
    assert store.decide(links[4]) is Decision.GAP
    assert store.decide(Link(10**9, links[2].hash, b"\x04" * 32)) is Decision.GAP


def test_reorder_on_empty_channel_is_gap() -> None:
    links = chain(2)
    store = Store()
    assert store.offer(links[1]) is Decision.GAP
    assert store.head == Head()
    assert store.offer(links[0]) is Decision.APPLY
    assert store.offer(links[1]) is Decision.APPLY


def test_seq_zero_malformed() -> None:
    assert Store().decide(Link(0, GENESIS_HASH, b"\x05" * 32)) is Decision.MALFORMED
    store = held(chain(2))
    assert store.decide(Link(0, GENESIS_HASH, b"\x05" * 32)) is Decision.MALFORMED


def test_negative_seq_malformed() -> None:
    assert Store().decide(Link(-1, GENESIS_HASH, b"\x05" * 32)) is Decision.MALFORMED


def test_bad_prev_hash_length_malformed() -> None:
    links = chain(2)
    store = held(links[:1])
    for prev in (b"", links[0].hash[:31], links[0].hash + b"\x00"):
        assert store.decide(Link(2, prev, links[1].hash)) is Decision.MALFORMED
        # Even at an old seq, a malformed entry is not mistaken for a replay.
        assert store.decide(Link(1, prev, links[0].hash)) is Decision.MALFORMED


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    n=st.integers(min_value=1, max_value=12),
)
def test_shuffled_duplicated_delivery_applies_in_order_and_converges(
    data: st.DataObject, n: int
) -> None:
    """Any permutation with duplicates of a correct chain: only in-order applies, same end."""
    links = chain(n)
    extra = data.draw(st.lists(st.sampled_from(links), max_size=2 * n), label="duplicates")
    deliveries = data.draw(st.permutations(links + extra), label="order")

    store = Store()
    pending = list(deliveries)
    while True:
        refused: list[Link] = []
        for link in pending:
            before = store.head
            d = store.offer(link)
            # Genuine entries are never taken for forks or malformed input.
            assert d in (Decision.APPLY, Decision.REPLAY, Decision.GAP)
            if d is Decision.APPLY:
                assert link.seq == before.seq + 1
                assert link.prev_hash == before.hash
            elif d is Decision.REPLAY:
                assert link.seq <= before.seq
                assert store.hashes[link.seq] == link.hash
                assert store.head == before
            else:
                assert link.seq > before.seq + 1
                assert store.head == before
                refused.append(link)
        if len(refused) == len(pending):
            break
        pending = refused

    assert store.head == Head(links[-1].seq, links[-1].hash)
    assert store.hashes == {link.seq: link.hash for link in links}
