"""Decide, per alert and per peer, whether it is sent and which fields; explain why."""

from __future__ import annotations

from dataclasses import dataclass

from exchange._proto.v1 import alert_pb2
from exchange.alerts import model as alert_model
from exchange.policy.model import FIELDS, MANDATORY_FIELDS, Policy

_HANDLING_NAMES: dict[int, str] = {int(code): name for name, code in alert_model.HANDLING.items()}


@dataclass(frozen=True)
class Decision:
    send: bool
    fields: frozenset[str]  # optional fields disclosed (mandatory ones are always in a view)
    reasons: tuple[str, ...]


def evaluate(policy: Policy, alert: alert_pb2.Alert, peer: str) -> Decision:
    """Default deny: send only if a rule covers the peer, the category and the handling code."""
    rule, why = policy.share_rule(peer)
    if rule is None:
        return Decision(False, frozenset(), (why,))
    reasons = [f"applies: {why}"]
    label = alert_model.category_name(alert.category)
    if alert.category not in rule.categories:
        reasons.append(f"withheld: category {label} is not in the rule's categories")
        return Decision(False, frozenset(), tuple(reasons))
    reasons.append(f"category {label} is allowed")
    handling = _HANDLING_NAMES.get(alert.handling, "unspecified")
    if alert.handling > rule.max_handling:
        reasons.append(
            f"withheld: handling {handling} is above the rule's "
            f"max_handling {_HANDLING_NAMES[rule.max_handling]}"
        )
        return Decision(False, frozenset(), tuple(reasons))
    reasons.append(
        f"handling {handling} is within max_handling {_HANDLING_NAMES[rule.max_handling]}"
    )
    return Decision(True, rule.fields, tuple(reasons))


def explain(policy: Policy, alert: alert_pb2.Alert, peer: str) -> list[str]:
    """Rule by rule, then field by field: why each part of the alert is sent or withheld."""
    decision = evaluate(policy, alert, peer)
    lines = list(decision.reasons)
    if not decision.send:
        lines.append(f"nothing is sent to {peer}: no entry on its channel")
        return lines
    for name in sorted(MANDATORY_FIELDS):
        lines.append(f"{name}: sent (always)")
    for name in sorted(FIELDS):
        if name in decision.fields:
            lines.append(f"{name}: sent (listed in the rule's fields)")
        else:
            lines.append(f"{name}: withheld (not listed in the rule's fields)")
    return lines


def make_view(alert: alert_pb2.Alert, fields: frozenset[str]) -> alert_pb2.Alert:
    """A copy of alert holding only the mandatory fields and the disclosed ones."""
    view = alert_pb2.Alert(
        alert_id=alert.alert_id,
        version=alert.version,
        origin=alert.origin,
        handling=alert.handling,
    )
    view.issued_at.CopyFrom(alert.issued_at)
    for name in fields:
        if name.startswith("subject."):
            sub = name.split(".", 1)[1]
            if sub == "tokens":
                view.subject.tokens.extend(alert.subject.tokens)
            else:
                setattr(view.subject, sub, getattr(alert.subject, sub))
        elif name == "references":
            view.references.extend(alert.references)
        elif name == "valid_until":
            if alert.HasField("valid_until"):
                view.valid_until.CopyFrom(alert.valid_until)
        else:
            setattr(view, name, getattr(alert, name))
    return view
