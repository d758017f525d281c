"""A read-only, seekable file over a blob's chunk rows, for the checks that must look inside
a container (the ZIP directory sits at its end) without loading the whole document."""

from __future__ import annotations

import io
from typing import Any, Protocol

from exchange.store import documents


class _Db(Protocol):
    def read(self) -> Any: ...


class ChunkFile(io.RawIOBase):
    def __init__(self, db: _Db, digest: str, size: int, chunk_size: int) -> None:
        self._db, self._digest, self._size, self._chunk = db, digest, size, chunk_size
        self._pos = 0
        self._cached: tuple[int, bytes] = (-1, b"")

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def _piece(self, idx: int) -> bytes:
        if self._cached[0] != idx:
            with self._db.read() as s:
                self._cached = (idx, documents.chunk(s, self._digest, idx) or b"")
        return self._cached[1]

    def readinto(self, b: Any) -> int:
        if self._pos >= self._size:
            return 0
        idx, within = divmod(self._pos, self._chunk)
        data = self._piece(idx)[within : within + len(b)]
        b[: len(data)] = data
        self._pos += len(data)
        return len(data)
