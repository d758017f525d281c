"""The one place that decides, per recipient, what of an alert is sent.

Every publish, amendment and withdrawal goes through a `Disclosure` for each recipient. The
foundation discloses everything to every peer; the policy engine replaces `FullDisclosure`
without touching the delivery path. Returning None withholds the item: no entry is written on
that channel, so the channel stays gap-free.
"""

from __future__ import annotations

from typing import Protocol

from exchange._proto.v1 import alert_pb2

Item = alert_pb2.Alert | alert_pb2.Withdrawal


class Disclosure(Protocol):
    def view(self, item: Item, recipient: str) -> Item | None:
        """The view of item that recipient receives, or None to withhold it."""
        ...


class FullDisclosure:
    """Every peer receives every item in full (before access policies exist)."""

    def view(self, item: Item, recipient: str) -> Item | None:
        return item
