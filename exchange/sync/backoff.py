"""Exponential backoff with full jitter, capped, for retrying unreachable peers."""

from __future__ import annotations

import random


class Backoff:
    def __init__(self, initial: float, maximum: float) -> None:
        self.initial = initial
        self.maximum = maximum
        self._attempt = 0

    def reset(self) -> None:
        self._attempt = 0

    def next(self) -> float:
        cap = min(self.maximum, self.initial * (2**self._attempt))
        self._attempt = min(self._attempt + 1, 30)
        return random.uniform(cap / 2, cap)
