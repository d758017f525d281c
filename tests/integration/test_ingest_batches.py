"""Large received batches (a catch-up's), checked on the node's threads (the default) or in
worker processes ([sync] check_processes): one bad entry in the middle of such a batch is
refused alone, nothing of it is stored, the entries before it are, and the guard still holds
flagged text in quarantine.

In-process nodes (tests/inproc.py), real grpc.aio with mutual TLS, both backends."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from sqlalchemy import func, select

from exchange._proto.v1 import channel_pb2, envelope_pb2, exchange_pb2
from exchange.channel import entry_hash
from exchange.envelope import ENTRY_PAYLOAD_TYPE, SigningKey
from exchange.node import checkpool
from exchange.store.db import Database
from exchange.store.models import AlertVersion, Channel, Entry, QuarantineRow
from tests.conftest import PgSchemas, require_pg
from tests.inproc import InprocRegion, aio_channel_from, counts, push
from tests.integration.wire import make_alert, signed_entry, signer_of

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

BATCH = 3 * checkpool.MIN_ENTRIES  # over the threshold for the worker processes
BAD_AT = BATCH // 2


@pytest_asyncio.fixture(
    scope="module",
    loop_scope="module",
    params=[("sqlite", 0), ("sqlite", 2), ("postgresql", 0), ("postgresql", 2)],
    ids=["sqlite-threads", "sqlite-processes", "postgresql-threads", "postgresql-processes"],
)
async def region(request: pytest.FixtureRequest) -> AsyncIterator[InprocRegion]:
    backend, processes = request.param
    schemas = None
    if backend == "postgresql":
        require_pg()
        schemas = PgSchemas()
    root = Path(tempfile.mkdtemp(prefix="ex-"))
    url = (lambda c: schemas.url(c)) if schemas else None
    r = InprocRegion(root, ("kz", "kg"), url, sync={"check_processes": processes})
    try:
        await r.start()
        yield r
    finally:
        await r.stop()
        if schemas:
            schemas.drop_all()
        shutil.rmtree(root, ignore_errors=True)


def _held(region: InprocRegion) -> tuple[int, bytes, int, int]:
    """kz's head of kg's channel, its stored entries and alert versions from kg, quarantine."""
    db = Database(region["kz"].config().db_url)
    try:
        with db.read() as s:
            ch = s.get(Channel, ("kg", "kz"))
            entries = s.execute(
                select(func.count()).select_from(Entry).where(Entry.origin == "kg")
            ).scalar_one()
            versions = s.execute(
                select(func.count()).select_from(AlertVersion).where(AlertVersion.origin == "kg")
            ).scalar_one()
            held = s.execute(select(func.count()).select_from(QuarantineRow)).scalar_one()
    finally:
        db.close()
    assert entries == (ch.head_seq if ch else 0)
    return (ch.head_seq, ch.head_hash, versions, held) if ch else (0, bytes(32), versions, held)


def _chain(
    signer: SigningKey, first: int, prev: bytes, n: int, bad: dict[int, str] | None = None
) -> list[envelope_pb2.Envelope]:
    """n entries of kg's channel to kz from seq `first`, hash-chained; `bad`: index -> fault."""
    out = []
    for i in range(n):
        fault = (bad or {}).get(i, "")
        summary = "Transfer of subject, phone +7 701 555 1234 seen" if fault == "pii" else None
        alert = make_alert("kg", summary) if summary else make_alert("kg")
        if fault == "bounds":
            alert.handling = 99  # no such handling code
        env = signed_entry(signer, "kg", "kz", first + i, alert, prev)
        if fault == "forged":
            env = signed_entry(SigningKey.generate(), "kg", "kz", first + i, alert, prev)
            env.signatures[0].key_id = signer.key_id  # claims kg's key
        elif fault == "noncanonical":
            entry = channel_pb2.ChannelEntry.FromString(env.payload)
            payload = entry.SerializeToString() + b"\xfa\x06\x05Ivan."  # unknown field 111
            env = signer.sign(ENTRY_PAYLOAD_TYPE, payload)
        out.append(env)
        prev = entry_hash(env.payload)
    return out


@pytest.mark.parametrize(
    ("fault", "status", "words"),
    [
        ("forged", grpc.StatusCode.INVALID_ARGUMENT, "does not verify"),
        ("noncanonical", grpc.StatusCode.INVALID_ARGUMENT, "not canonically encoded"),
        ("bounds", grpc.StatusCode.INVALID_ARGUMENT, "handling code"),
    ],
)
async def test_bad_entry_in_the_middle_of_a_large_batch_refused_alone(
    region: InprocRegion, fault: str, status: grpc.StatusCode, words: str
) -> None:
    kz, kg = region["kz"], region["kg"]
    head, head_hash, versions, _ = _held(region)
    before = counts(kz)
    envs = _chain(signer_of(kg), head + 1, head_hash, BATCH, {BAD_AT: fault})
    async with aio_channel_from(kg, kz) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await push(ch, exchange_pb2.EntryBatch(entries=envs))
    assert info.value.code() == status
    assert words in (info.value.details() or "")
    if fault == "noncanonical":
        assert f"entry seq {head + BAD_AT + 1}" in (info.value.details() or "")
    # the prefix before the bad entry is stored, the bad entry and all after it are not
    now_head, now_hash, now_versions, _ = _held(region)
    assert now_head == head + BAD_AT
    assert now_hash == entry_hash(envs[BAD_AT - 1].payload)
    assert now_versions == versions + BAD_AT
    after = counts(kz)
    assert after["entries"] == before["entries"] + BAD_AT
    assert after["refusals"] == before["refusals"] + 1
    # the sender's corrected rest applies after it (the stored prefix is a replay)
    rest = _chain(signer_of(kg), now_head + 1, now_hash, BATCH - BAD_AT)
    async with aio_channel_from(kg, kz) as ch:
        [ack] = await push(ch, exchange_pb2.EntryBatch(entries=envs[:BAD_AT] + rest))
    assert (ack.head_seq, ack.applied, ack.replayed) == (head + BATCH, BATCH - BAD_AT, BAD_AT)
    assert _held(region)[2] == versions + BATCH


async def test_personal_data_in_a_large_batch_held_by_the_guard(region: InprocRegion) -> None:
    """The guard runs in the workers too: the flagged entry is held, the others stored."""
    kz, kg = region["kz"], region["kg"]
    head, head_hash, versions, held = _held(region)
    envs = _chain(signer_of(kg), head + 1, head_hash, BATCH, {BAD_AT: "pii"})
    async with aio_channel_from(kg, kz) as ch:
        [ack] = await push(ch, exchange_pb2.EntryBatch(entries=envs))
    assert (ack.head_seq, ack.applied) == (head + BATCH, BATCH)
    _, _, now_versions, now_held = _held(region)
    assert now_held == held + 1
    assert now_versions == versions + BATCH - 1  # the held alert is not shown
    assert kz.running and (await kz.status()).serving == "SERVING"
