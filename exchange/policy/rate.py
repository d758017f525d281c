"""Token bucket for inbound rate limits (time is passed in, so it is testable)."""

from __future__ import annotations


class TokenBucket:
    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self._tokens = capacity
        self._at = now

    def take(self, n: int, now: float) -> bool:
        """Take n tokens if available; False (and nothing taken) if the peer is over its rate."""
        self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if n > self._tokens:
            return False
        self._tokens -= n
        return True
