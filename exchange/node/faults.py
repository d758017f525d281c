"""Crash points for the durability tests.

`EXCHANGE_FAULT=<point>` makes the node kill itself with SIGKILL at that point, once, so tests
can prove that what was committed survives and is delivered exactly once. Unset in production.
"""

from __future__ import annotations

import os
import signal


def maybe_crash(point: str) -> None:
    """Points: crash-after-commit (operator publish), crash-after-ack (sender)."""
    if os.environ.get("EXCHANGE_FAULT") == point:
        os.kill(os.getpid(), signal.SIGKILL)
