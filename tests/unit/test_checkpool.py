"""Entry checks in worker processes give what the node's own check gives: the same entries,
the same first refusal (its class too), the signer's windows and revocations, and the
country's own guard words."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from exchange._proto.v1 import envelope_pb2
from exchange.alerts import pii
from exchange.envelope import SigningKey, VerifyKey
from exchange.errors import SignatureError
from exchange.node import checkpool
from exchange.sync import inbox
from exchange.trust.errors import KeyRevoked
from exchange.trust.signers import TrustedSigners
from tests.integration.wire import make_alert, signed_entry

NOW = datetime.now(UTC)  # key windows and revocations, a day either side: import time is fine
NS = 1_000_000_000


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPoolExecutor]:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as p:
        yield p


def _signers(signer: SigningKey, revoked_at: datetime | None = None) -> TrustedSigners:
    kid = signer.key_id
    lo = int((NOW - timedelta(days=1)).timestamp()) * NS
    hi = int((NOW + timedelta(days=1)).timestamp()) * NS
    revoked = {kid: int(revoked_at.timestamp()) * NS} if revoked_at else {}
    return TrustedSigners(
        "kg", {kid: VerifyKey.from_raw("kg", signer.public_raw)}, {kid: ((lo, hi),)}, revoked
    )


def _entries(signer: SigningKey, summaries: list[str]) -> list[envelope_pb2.Envelope]:
    return [
        signed_entry(signer, "kg", "kz", i + 1, make_alert("kg", s))
        for i, s in enumerate(summaries)
    ]


def _in_worker(
    pool: ProcessPoolExecutor,
    envs: list[envelope_pb2.Envelope],
    trusted: TrustedSigners,
    lists: checkpool.GuardLists = (),
) -> tuple[list[inbox.Incoming], Exception | None]:
    raws = [e.SerializeToString() for e in envs]
    spec = checkpool.SignerSpec.of(trusted)
    values, err = pool.submit(
        checkpool.check_chunk, raws, spec, lists, "kg", "kz", 65536, datetime.now(UTC)
    ).result(60)
    return checkpool.rebuild(envs, raws, values), err


def test_worker_check_equals_the_nodes_own(pool: ProcessPoolExecutor) -> None:
    signer = SigningKey.generate()
    trusted = _signers(signer)
    envs = _entries(signer, ["Transfer between facilities", "Phone +7 701 555 1234 seen", "x"])
    forged = _entries(SigningKey.generate(), ["forged"])[0]
    forged.signatures[0].key_id = signer.key_id
    envs.insert(2, forged)
    got, err = _in_worker(pool, envs, trusted)
    # the check time is now, not import time: entries signed minutes after import (the suite
    # runs this file late) would otherwise be refused as signed in the future
    want, want_err = inbox.check_batch(envs, trusted, "kg", "kz", 65536, datetime.now(UTC))
    assert got == want and len(got) == 2
    assert got[1].findings == (("summary", ("phone",)),)  # the guard ran in the worker
    assert type(err) is type(want_err) is SignatureError
    assert str(err) == str(want_err)


def test_revoked_signer_refused_in_the_worker(pool: ProcessPoolExecutor) -> None:
    signer = SigningKey.generate()
    envs = _entries(signer, ["Transfer between facilities"])
    got, err = _in_worker(pool, envs, _signers(signer, revoked_at=NOW - timedelta(hours=1)))
    assert got == []
    assert isinstance(err, KeyRevoked)


def test_country_guard_words_apply_in_the_worker(pool: ProcessPoolExecutor) -> None:
    signer = SigningKey.generate()
    envs = _entries(signer, ["Inmate goes by Shadow in the yard"])
    trusted = _signers(signer)
    plain, _ = _in_worker(pool, envs, trusted)
    assert plain[0].findings == ()
    pii.use_country_lists({"alias_phrases": ["goes by"]})
    try:
        lists = checkpool.guard_lists()
        assert lists == (("alias_phrases", ("goes by",)),)
        flagged, _ = _in_worker(pool, envs, trusted, lists)
    finally:
        pii.use_country_lists({})
    assert flagged[0].findings == (("summary", ("alias",)),)
    again, _ = _in_worker(pool, envs, trusted, checkpool.guard_lists())  # lists lifted again
    assert again[0].findings == ()


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")  # a zombie: exited, waiting for init to reap it


def test_workers_exit_when_the_node_is_killed() -> None:
    """A node killed with SIGKILL cannot shut its pool down: its workers must go by themselves."""
    code = (
        "import os, sys, time\n"
        "from exchange.node.checkpool import CheckPool\n"
        "if __name__ == '__main__':\n"
        "    pool = CheckPool(2).executor()\n"
        "    print(*{pool.submit(os.getpid).result() for _ in range(8)}, flush=True)\n"
        "    time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        workers = [int(p) for p in proc.stdout.readline().split()]
        assert workers and all(not _gone(p) for p in workers)
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 10
    while not all(_gone(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(_gone(p) for p in workers)
