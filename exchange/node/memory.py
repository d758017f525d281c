"""Keep a node's memory flat while it moves large documents.

Content moves as 1 MiB chunks. glibc serves such buffers with mmap and returns them on free,
but after the first free it raises its threshold to the freed size, so later chunks come from
the heap arenas of whichever thread allocated them, and a long transfer under load leaves the
node tens of MB larger than it needs (seen: 150 -> 211 MB peak for one 256 MiB document).
Fixing the threshold keeps every chunk-sized buffer on mmap. An operator's own
MALLOC_MMAP_THRESHOLD_ wins; other C libraries are left alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
THRESHOLD = 256 * 1024


def keep_large_buffers_on_mmap() -> bool:
    """True when the threshold was set (glibc, and not chosen by the operator)."""
    if "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False  # not glibc (musl has no mallopt)
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, THRESHOLD))
