"""The policy as the delivery path's per-recipient decision point."""

from __future__ import annotations

from collections.abc import Callable

from exchange._proto.v1 import alert_pb2
from exchange.alerts.views import Item, View
from exchange.policy.evaluate import evaluate, make_view
from exchange.policy.model import Policy


class PolicyDisclosure:
    """Views cut to the current policy. Withdrawals reach everyone who got a version."""

    def __init__(self, current: Callable[[], Policy]) -> None:
        self._current = current

    def view(self, item: Item, recipient: str, previously_sent: bool) -> View:
        if isinstance(item, alert_pb2.Withdrawal):
            if previously_sent:
                return View(item, (), "withdrawal of an alert the peer received")
            return View(None, (), "the peer never received this alert")
        decision = evaluate(self._current(), item, recipient)
        if not decision.send:
            return View(None, (), decision.reasons[-1])
        return View(make_view(item, decision.fields), tuple(sorted(decision.fields)), "policy")
