"""A document transfer killed on either side at a random chunk resumes from the last verified
chunk after a restart: real node processes, SIGKILL (EXCHANGE_FAULT crash points in the
fetcher and in Exchange.FetchContent). The final content is whole, its sha256 verified, and
every chunk is stored once."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from exchange.localregion import LocalNode, LocalRegion, wait_for
from exchange.store.db import Database
from exchange.store.models import Blob, BlobChunk
from tests.integration.wire import audit_of

pytestmark = pytest.mark.integration
MiB = 1024 * 1024
CHUNKS = 12


def blob_state(node: LocalNode) -> tuple[int, bool, int]:
    """(verified chunks, complete, chunk rows) of the one blob a node holds."""
    db = Database(node.config().db_url)
    rows = select(func.count()).select_from(BlobChunk).scalar_subquery()
    try:
        with db.read() as s:  # one statement: one snapshot while the node may be writing
            found = s.execute(select(Blob.have, Blob.complete, rows)).first()
            if found is None:
                return 0, False, s.execute(select(rows)).scalar_one()
            return found[0], found[1], found[2]
    finally:
        db.close()


def _publish(kz: LocalNode, tmp: Path) -> tuple[str, bytes]:
    data = b"%PDF-1.7\n" + random.randbytes(CHUNKS * MiB - 9 - 1000)
    f = tmp / "manual.pdf"
    f.write_bytes(data)
    out = kz.cli("docs", "publish", str(f), "--title", "Control room manual",
                 "--topic", "control-systems", "--language", "ru", "--json")  # fmt: skip
    return json.loads(out)["document_id"], data


def _finished(kg: LocalNode, did: str, data: bytes, tmp: Path) -> None:
    wait_for(lambda: blob_state(kg)[1], 60, "the content complete at kg")
    assert blob_state(kg) == (CHUNKS, True, CHUNKS)  # each chunk once
    out = tmp / "got.pdf"
    kg.cli("docs", "get", did, "--out", str(out), "--json")
    assert hashlib.sha256(out.read_bytes()).digest() == hashlib.sha256(data).digest()
    assert len(audit_of(kg, "document.content_stored")) == 1


@pytest.mark.parametrize("side", ["receiver", "sender"])
def test_transfer_killed_at_a_random_chunk_resumes_after_restart(
    make_region: Callable[..., LocalRegion], tmp_path: Path, side: str
) -> None:
    at = random.randint(1, CHUNKS - 2)
    region = make_region(("kz", "kg"))
    region.start()
    kz, kg = region["kz"], region["kg"]
    victim, fault = (
        (kg, "crash-after-chunks") if side == "receiver" else (kz, "crash-serving-chunks")
    )
    victim.stop()
    victim.start(env={"EXCHANGE_FAULT": f"{fault}:{at}"})
    did, data = _publish(kz, tmp_path)
    assert victim.wait_exit(60) == -9, f"{side} did not die at chunk {at}"
    have, complete, rows = blob_state(kg)
    assert not complete and have == rows, at  # a verified prefix, not yet whole
    if side == "receiver":
        assert at <= have <= CHUNKS, at  # killed right after the write that passed chunk `at`
    else:
        assert have < CHUNKS, at
    victim.start()
    _finished(kg, did, data, tmp_path)
