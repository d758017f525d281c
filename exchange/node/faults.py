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


def maybe_crash_after(point: str, count: int) -> None:
    """`EXCHANGE_FAULT=<point>:<n>`: SIGKILL once `count` reaches n (crash-after-chunks: a
    receiver has stored n chunks of a document; crash-serving-chunks: a sender has served n)."""
    name, _, n = os.environ.get("EXCHANGE_FAULT", "").partition(":")
    if name == point and n.isdigit() and count >= int(n):
        os.kill(os.getpid(), signal.SIGKILL)
