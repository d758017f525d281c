"""Kernel-checked identity of the local user behind each Operator request.

gRPC does not expose a Unix socket's peer credentials (SO_PEERCRED) to servers: the auth
context of a `unix:` connection is empty and `context.peer()` is only "unix:" (grpc/grpc#15511,
#28755), and grpc.aio cannot serve from a socket we accepted ourselves. So the node serves a
second owner-only socket beside `operator.sock`, `operator.who`: on each connection it reads
SO_PEERCRED (pid, uid, gid, recorded by the kernel at connect) and answers a random ticket bound
to them. The CLI fetches one ticket per run and sends it as metadata; the Operator service
turns it back into the uid, user name and pid for the audit log. A request without a valid
ticket (another client) is recorded as unverified.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import pwd
import secrets
import socket
import struct
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from exchange import actor

TICKET_KEY = "x-exchange-ticket"
WHO_SOCKET = "operator.who"
TICKET_SECONDS = 300.0  # one CLI run
MAX_TICKETS = 10_000
_UCRED = struct.Struct("3i")  # struct ucred: pid, uid, gid
T = TypeVar("T")


def peer_credentials(sock: socket.socket) -> tuple[int, int, int]:
    """(pid, uid, gid) of the process at the other end of a connected Unix socket."""
    raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _UCRED.size)
    pid, uid, gid = _UCRED.unpack(raw)
    return pid, uid, gid


def user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return ""


class Tickets:
    """Tickets handed out on operator.who, each bound to the credentials of its caller."""

    def __init__(self) -> None:
        self._held: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

    def issue(self, pid: int, uid: int, gid: int) -> str:
        ticket = secrets.token_hex(16)
        who = {"uid": uid, "user": user_name(uid), "pid": pid, "gid": gid}
        self._held[ticket] = (time.monotonic() + TICKET_SECONDS, who)
        while len(self._held) > MAX_TICKETS:
            self._held.popitem(last=False)
        return ticket

    def actor_of(self, metadata: Any) -> dict[str, Any]:
        """The verified caller of a request, or an unverified marker."""
        ticket = next((v for k, v in metadata or () if k == TICKET_KEY), "")
        held = self._held.get(ticket) if isinstance(ticket, str) else None
        if held is None or held[0] < time.monotonic():
            return {"uid": None, "verified": False}
        return {**held[1], "verified": True}

    def acting(self, fn: Callable[[Any, Any], Awaitable[T]]) -> Callable[[Any, Any], Awaitable[T]]:
        """An Operator method run with its caller as the acting user of its audit events."""

        if inspect.isasyncgenfunction(fn):  # a server-streaming method

            async def stream(request: Any, context: Any) -> AsyncIterator[Any]:
                token = actor.ACTOR.set(self.actor_of(context.invocation_metadata()))
                try:
                    async for reply in fn(request, context):
                        yield reply
                finally:
                    with contextlib.suppress(ValueError):  # closed from another context
                        actor.ACTOR.reset(token)

            return stream  # type: ignore[return-value]

        async def call(request: Any, context: Any) -> T:
            token = actor.ACTOR.set(self.actor_of(context.invocation_metadata()))
            try:
                return await fn(request, context)
            finally:
                actor.ACTOR.reset(token)

        return call


async def serve(path: Path, tickets: Tickets) -> asyncio.Server:
    """Serve tickets on an owner-only Unix socket at path."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            pid, uid, gid = peer_credentials(writer.get_extra_info("socket"))
            writer.write(tickets.issue(pid, uid, gid).encode() + b"\n")
            await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    path.unlink(missing_ok=True)
    old = os.umask(0o077)
    try:
        return await asyncio.start_unix_server(handle, path=str(path))
    finally:
        os.umask(old)


def fetch_ticket(path: Path, timeout: float = 2.0) -> str:
    """The CLI side: one ticket for this run, or "" if the node gives none (then its audit
    events say the user is unverified)."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(str(path))
            data = s.recv(64)
    except OSError:
        return ""
    return data.decode("ascii", "replace").strip()[:32]
