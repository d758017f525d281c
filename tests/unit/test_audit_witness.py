"""Audit checkpoints and their witnesses, pure: a rewritten chain no longer matches a signed head
a peer holds, though the chain alone still verifies; a witness keeps history and refuses a log
that goes back, two heads at one seq, or time running backwards. Chains on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from exchange._proto.v1 import envelope_pb2
from exchange.audit import verify_chain
from exchange.audit_checkpoint import (
    AuditCheckpoint,
    open_audit_checkpoint,
    sign_audit_checkpoint,
)
from exchange.audit_witness import (
    DAILY,
    DAY_NS,
    MIN_GAP_NS,
    RECENT,
    Held,
    PeerHeads,
    Verdict,
    WitnessRefused,
    check_heads,
    judge,
    retained,
)
from exchange.envelope import SigningKey, VerifyKey
from exchange.errors import Error, MalformedInput, NotPermitted, SignatureError, TooLarge
from exchange.store import repo
from exchange.store.db import Database
from exchange.trust._common import now_ns
from exchange.trust.signers import TrustedSigners
from tests.audit_tamper import rewrite_audit
from tests.unit.test_audit import write_events

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
KEY = SigningKey.generate()
H = bytes(range(32))


def signers(key: SigningKey = KEY, country: str = "kz") -> TrustedSigners:
    vk = VerifyKey.from_raw(country, key.public_raw)
    far = now_ns(NOW + timedelta(days=365))
    return TrustedSigners(country, {key.key_id: vk}, {key.key_id: ((0, far),)})


def opened(seq: int, h: bytes, at: datetime = NOW) -> AuditCheckpoint:
    env = sign_audit_checkpoint(KEY, "kz", seq, h, at)
    return open_audit_checkpoint(env, "kz", signers(), now_ns(NOW))


def chain(db: Database) -> list[bytes]:
    with db.read() as s:
        events = repo.audit_events(s)
        verify_chain(events, repo.audit_head(s))
    return [e.hash for e in events]


# -- signing and opening -------------------------------------------------------------------


def test_checkpoint_round_trip() -> None:
    cp = opened(7, H)
    assert (cp.country, cp.seq, cp.hash, cp.key_id) == ("kz", 7, H, KEY.key_id)


def test_checkpoint_for_another_country_refused() -> None:
    env = sign_audit_checkpoint(KEY, "tj", 3, H, NOW)
    with pytest.raises(NotPermitted, match="came from 'kz'"):
        open_audit_checkpoint(env, "kz", signers(), now_ns(NOW))


def test_checkpoint_bad_signature_refused() -> None:
    env = sign_audit_checkpoint(KEY, "kz", 3, H, NOW)
    env.signatures[0].sig = bytes(64)
    with pytest.raises(SignatureError, match="does not verify"):
        open_audit_checkpoint(env, "kz", signers(), now_ns(NOW))


def test_checkpoint_signed_by_unknown_key_refused() -> None:
    env = sign_audit_checkpoint(SigningKey.generate(), "kz", 3, H, NOW)
    with pytest.raises(SignatureError, match="unknown key"):
        open_audit_checkpoint(env, "kz", signers(), now_ns(NOW))


def test_oversized_checkpoint_refused() -> None:
    env = sign_audit_checkpoint(KEY, "kz", 3, H, NOW)
    env.payload_type = "x" * 600
    with pytest.raises(TooLarge):
        open_audit_checkpoint(env, "kz", signers(), now_ns(NOW))


@pytest.mark.parametrize("seq,h", [(0, H), (3, b"short")])
def test_checkpoint_out_of_bounds_refused(seq: int, h: bytes) -> None:
    env = sign_audit_checkpoint(KEY, "kz", seq, h, NOW)
    with pytest.raises(MalformedInput, match="bad seq or hash"):
        open_audit_checkpoint(env, "kz", signers(), now_ns(NOW))


def test_checkpoint_garbage_payload_refused() -> None:
    env = KEY.sign("application/vnd.exchange.v1.AuditCheckpoint+protobuf", b"\xff\xfe garbage")
    with pytest.raises(Error):
        open_audit_checkpoint(env, "kz", signers(), now_ns(NOW))


def test_checkpoint_from_the_future_refused() -> None:
    env = sign_audit_checkpoint(KEY, "kz", 3, H, NOW + timedelta(hours=1))
    with pytest.raises(Error, match="future"):
        open_audit_checkpoint(env, "kz", signers(), now_ns(NOW))


# -- the witness's rules -------------------------------------------------------------------


def held(cp: AuditCheckpoint) -> Held:
    return Held(cp.seq, cp.hash, cp.signed_at_ns)


def test_witness_keeps_first_and_newer() -> None:
    first = opened(5, H)
    assert judge([], first) is Verdict.KEEP
    later = opened(9, bytes(32), NOW + timedelta(seconds=11))
    assert judge([held(first)], later) is Verdict.KEEP


def test_witness_same_head_again_changes_nothing() -> None:
    first = opened(5, H)
    assert judge([held(first)], opened(5, H, NOW + timedelta(minutes=5))) is Verdict.SAME


def test_witness_two_heads_at_one_seq_refused() -> None:
    with pytest.raises(WitnessRefused, match="two audit heads at event 5"):
        judge([held(opened(5, H))], opened(5, bytes(32), NOW + timedelta(minutes=1)))


def test_witness_log_going_back_refused() -> None:
    with pytest.raises(WitnessRefused, match="went back from event 9 to 5"):
        judge([held(opened(9, H))], opened(5, bytes(32), NOW + timedelta(minutes=1)))


def test_witness_higher_seq_with_older_time_refused() -> None:
    with pytest.raises(WitnessRefused, match="no later than"):
        judge([held(opened(9, H))], opened(12, bytes(32), NOW))


def test_witness_too_soon_not_stored() -> None:
    soon = NOW + timedelta(seconds=MIN_GAP_NS / 1e9 / 2)
    assert judge([held(opened(9, H))], opened(12, bytes(32), soon)) is Verdict.TOO_SOON


def test_witness_retention_keeps_recent_and_one_per_day() -> None:
    t0 = 1_700_000_000 * 10**9
    hourly = [Held(i + 1, H, t0 + i * 3600 * 10**9) for i in range(RECENT + 24 * 30)]
    kept = retained(hourly)
    newest = {h.seq for h in hourly[-RECENT:]}
    assert newest <= kept
    older = sorted(kept - newest)
    days = {hourly[s - 1].signed_at_ns // DAY_NS for s in older}
    assert len(older) == len(days) <= DAILY  # one per day, the first of each
    assert hourly[0].seq in kept


# -- the owner's check against its chain ----------------------------------------------------


def test_untampered_chain_matches_every_head(database: Database) -> None:
    write_events(database, 8)
    hashes = chain(database)
    peers = [PeerHeads("kg", True, [opened(3, hashes[2]), opened(8, hashes[7])])]
    report = check_heads(hashes, peers)
    assert report.failure() is None
    assert report.matched == {3, 8}


@pytest.mark.parametrize("how", ["drop", "alter"])
def test_rewritten_chain_verifies_alone_but_not_against_a_witness(
    database: Database, how: str
) -> None:
    write_events(database, 8)
    hashes = chain(database)
    witnessed = [opened(2, hashes[1]), opened(6, hashes[5])]
    rewrite_audit(database, **{how: 4})  # type: ignore[arg-type]
    rewritten = chain(database)  # the old weakness: the chain alone still verifies
    report = check_heads(rewritten, [PeerHeads("kg", True, witnessed)])
    err = report.failure()
    assert err is not None
    assert "rewritten at or before event 6 and after event 2" in err.message
    assert "peer kg holds a signed head that does not match" in err.message


def test_truncated_chain_named(database: Database) -> None:
    write_events(database, 4)
    hashes = chain(database)
    report = check_heads(hashes[:2], [PeerHeads("tj", True, [opened(4, hashes[3])])])
    err = report.failure()
    assert err is not None and "the local log ends at event 2" in err.message


def test_offline_peer_reported_not_passed() -> None:
    report = check_heads([H], [PeerHeads("kg", False, error="UNAVAILABLE")])
    assert report.failure() is None
    assert report.offline == ["kg"]


def test_envelope_bytes_are_kept_exactly() -> None:
    env = sign_audit_checkpoint(KEY, "kz", 3, H, NOW)
    cp = open_audit_checkpoint(env, "kz", signers(), now_ns(NOW))
    assert envelope_pb2.Envelope.FromString(cp.envelope) == env
