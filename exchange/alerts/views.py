"""The one place that decides, per recipient, what of an alert is sent.

Every publish, amendment and withdrawal goes through a `Disclosure` for each recipient. The
foundation discloses everything to every peer; the policy engine replaces `FullDisclosure`
without touching the delivery path. A view without an item withholds it: no entry is written on
that channel, so the channel stays gap-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from exchange._proto.v1 import alert_pb2

Item = alert_pb2.Alert | alert_pb2.Withdrawal


@dataclass(frozen=True)
class View:
    """What one recipient gets of one item: the item itself (None = withheld), and why."""

    item: Item | None
    fields: tuple[str, ...] = ()
    reason: str = ""


class Disclosure(Protocol):
    def view(self, item: Item, recipient: str, previously_sent: bool) -> View:
        """The view of item that recipient receives.

        `previously_sent`: the recipient already received a version of this alert (a
        withdrawal must then always reach it, whatever the policy says today).
        """
        ...


class FullDisclosure:
    """Every peer receives every item in full (tests and tools that bypass policy)."""

    def view(self, item: Item, recipient: str, previously_sent: bool) -> View:
        return View(item, ("*",), "full disclosure")
