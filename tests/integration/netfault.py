"""A TCP forwarder on 127.0.0.1 whose connections can be made to go silent.

What the other side sees when a host loses power or a middlebox drops its state: the
connection stays open, no FIN, no RST, and nothing arrives any more. `silence()` does that to
every connection open now (bytes from both ends are read and dropped, closes are not passed
on); connections made afterwards are forwarded normally, as after the host comes back, unless
`silence(refuse_new=True)` keeps the network down (new connections closed at once) until
`reopen()`.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from types import TracebackType

POLL = 0.2  # seconds between checks of the stop flag in every blocking call


class _Pair:
    def __init__(self, a: socket.socket, b: socket.socket) -> None:
        self.a, self.b = a, b
        self.silent = False

    def close(self) -> None:
        for s in (self.a, self.b):
            with contextlib.suppress(OSError):
                s.close()


class Forwarder:
    def __init__(self, target: str) -> None:
        host, _, port = target.rpartition(":")
        self.target = (host, int(port))
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(POLL)
        self.address = f"127.0.0.1:{self._listener.getsockname()[1]}"
        self._pairs: list[_Pair] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._refusing = False
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def silence(self, refuse_new: bool = False) -> int:
        """Make every open connection silent; return how many there were. With refuse_new,
        connections made from now on are closed at once until reopen()."""
        with self._lock:
            self._refusing = refuse_new
            for p in self._pairs:
                p.silent = True
            return len(self._pairs)

    def reopen(self) -> None:
        """Forward new connections again (the ones silenced stay silent)."""
        with self._lock:
            self._refusing = False

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            for p in self._pairs:
                p.close()
        for t in self._threads:
            t.join(5)

    def __enter__(self) -> Forwarder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                refusing = self._refusing
            if refusing:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            pair = _Pair(client, upstream)
            for s in (client, upstream):
                s.settimeout(None)  # blocking; reads wait in select() so the stop flag is seen
            with self._lock:
                self._pairs.append(pair)
            for src, dst in ((client, upstream), (upstream, client)):
                t = threading.Thread(target=self._pump, args=(pair, src, dst), daemon=True)
                t.start()
                self._threads.append(t)

    def _pump(self, pair: _Pair, src: socket.socket, dst: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([src], [], [], POLL)
                if not ready:
                    continue
                data = src.recv(65536)
            except (OSError, ValueError):  # reset, or closed by close()
                data = b""
            if pair.silent:
                if not data:
                    return  # the far end is gone; the other side never learns it
                continue  # read and dropped: nothing arrives, nothing is refused
            if not data:
                with contextlib.suppress(OSError):
                    dst.shutdown(socket.SHUT_WR)
                return
            try:
                dst.sendall(data)
            except OSError:
                pair.close()
                return
