"""Entry checks in worker processes, so they run beside the node's own work.

Checking one received entry (`exchange.sync.inbox.check_entry`: signature, routing, every
bound, canonical encoding, the personal-data guard) costs about three Ed25519 verifications of
CPU, and only the verification itself releases the GIL: in threads, the guard and the bounds of
one batch wait for the commit of the one before, and for the gRPC stream. Large batches (a
catch-up) are checked here instead, split over the worker processes; small ones stay on the
node's thread pool (no inter-process hop on the live path).

A worker gets each call's whole input: the entries' bytes, the signer's keys with their
windows and revocations, the guard's country lists and the time. It keeps nothing between
calls but caches rebuilt from those inputs. It hands back plain values; the node parses each
good entry's payload again (microseconds) to get the message it plans with.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import pickle
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from exchange._proto.v1 import channel_pb2, envelope_pb2
from exchange.alerts import pii, pii_rules
from exchange.channel import SCHEMA_VERSION
from exchange.envelope import VerifyKey
from exchange.errors import Error, MalformedInput
from exchange.items.base import Incoming
from exchange.sync import inbox
from exchange.trust.signers import TrustedSigners

# Below this many entries a batch is checked on the node's threads.
MIN_ENTRIES = 64

GuardLists = tuple[tuple[str, tuple[str, ...]], ...]
# What a worker sends back of each good entry: every Incoming field but the message and the
# envelope bytes (the node has both).
_FIELDS = tuple(f.name for f in fields(Incoming) if f.name not in ("entry", "envelope"))


@dataclass(frozen=True)
class SignerSpec:
    """A TrustedSigners as plain values (its keys as raw bytes), to send to a worker."""

    country: str
    keys: tuple[tuple[str, str, bytes], ...]  # key id, country, raw public key
    windows: tuple[tuple[str, tuple[tuple[int, int], ...]], ...]
    revoked: tuple[tuple[str, int], ...]
    max_skew_ns: int
    certified: bool  # False: a bare key map (no windows to check)

    @classmethod
    def of(cls, trusted: Mapping[str, VerifyKey]) -> SignerSpec:
        keys = tuple(sorted((kid, vk.country, vk.public_raw) for kid, vk in trusted.items()))
        if isinstance(trusted, TrustedSigners):
            return cls(
                trusted.country,
                keys,
                tuple(sorted((k, tuple(w)) for k, w in trusted.windows.items())),
                tuple(sorted(trusted.revoked.items())),
                trusted.max_skew_ns,
                True,
            )
        return cls("", keys, (), (), 0, False)


@functools.lru_cache(maxsize=16)
def _signers(spec: SignerSpec) -> Mapping[str, VerifyKey]:
    """The spec's keys again, each checked on import as the node checked it (cached)."""
    by_id = {kid: VerifyKey.from_raw(country, raw) for kid, country, raw in spec.keys}
    if not spec.certified:
        return by_id
    return TrustedSigners(
        spec.country, by_id, dict(spec.windows), dict(spec.revoked), spec.max_skew_ns
    )


def guard_lists() -> GuardLists:
    """The country's own guard words in force in this process (its policy's [guard] table)."""
    return tuple(sorted((k, tuple(v)) for k, v in pii_rules.extensions().items()))


_guard_in_force: list[GuardLists] = [()]


def _use_guard_lists(lists: GuardLists) -> None:
    if lists != _guard_in_force[0]:
        pii.use_country_lists(dict(lists))
        _guard_in_force[0] = lists


def _start_worker(parent: int) -> None:
    """In each worker, once: compile the guard's rules before the first batch waits on them,
    and exit once the node is gone, even if it was killed (SIGKILL) and could not shut its
    pool down."""
    pii.find_pii("warm up 1", None)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def check_chunk(
    raws: Sequence[bytes],
    spec: SignerSpec,
    lists: GuardLists,
    caller: str,
    me: str,
    max_entry_bytes: int,
    now: datetime,
) -> tuple[list[tuple[Any, ...]], Error | None]:
    """Run in a worker: check the envelopes in order; the good prefix as plain values, and the
    first refusal (as an Error that survives pickling)."""
    _use_guard_lists(lists)
    envs = [envelope_pb2.Envelope.FromString(raw) for raw in raws]
    good, err = inbox.check_batch(envs, _signers(spec), caller, me, max_entry_bytes, now)
    out = [tuple(getattr(it, name) for name in _FIELDS) for it in good]
    if err is not None:
        try:
            pickle.dumps(err)
        except Exception:  # an error class with required keyword arguments: keep its words
            err = MalformedInput(err.message, hint=err.hint)
    return out, err


def rebuild(
    envs: Sequence[envelope_pb2.Envelope],
    raws: Sequence[bytes],
    values: Sequence[tuple[Any, ...]],
) -> list[Incoming]:
    """The Incoming entries a worker checked (`raws`: the envelopes' bytes as sent to it), with
    their messages parsed here again from the same payload bytes (unknown fields dropped as
    the check did, for what this schema reads)."""
    out: list[Incoming] = []
    for env, raw, v in zip(envs, raws, values, strict=False):
        fields_ = dict(zip(_FIELDS, v, strict=True))
        entry = channel_pb2.ChannelEntry.FromString(env.payload)
        if fields_["schema"] <= SCHEMA_VERSION:
            entry.DiscardUnknownFields()
        out.append(Incoming(entry=entry, envelope=raw, **fields_))
    return out


class CheckPool:
    """Worker processes for large batches, started at the first one that needs them."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    @property
    def enabled(self) -> bool:
        return self.workers > 0

    def executor(self) -> Executor:
        if self._pool is None:
            # spawn: a fork of a process running gRPC's threads is not safe.
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(os.getpid(),),
            )
        return self._pool

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
