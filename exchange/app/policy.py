"""Policy use cases: reload the policy file, and explain what one of our alerts would
disclose to a peer (default deny, rule by rule, field by field)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from exchange._proto.v1 import alert_pb2
from exchange.app.alerts import own_current
from exchange.errors import NotFound
from exchange.policy import evaluate, explain

if TYPE_CHECKING:
    from exchange.node.runtime import Node


@dataclass(frozen=True)
class PolicyLoaded:
    path: str
    digest: str
    changed: bool


@dataclass(frozen=True)
class Explanation:
    send: bool
    lines: tuple[str, ...]
    fields: tuple[str, ...]


async def reload_policy(node: Node) -> PolicyLoaded:
    """Load the policy file again; an invalid file is refused and the old policy kept. A
    change is audited with its digest."""
    policy, changed = node.reload_policy()
    if changed:
        await node.audit_policy("exchange policy reload")
    return PolicyLoaded(str(node.config.policy), policy.digest, changed)


async def explain_policy(node: Node, alert_id: str, peer: str) -> Explanation:
    row = await own_current(node, alert_id)
    if row.withdrawn:
        raise NotFound(f"alert {alert_id} is withdrawn")
    alert = alert_pb2.Alert.FromString(row.body)
    decision = evaluate(node.policy, alert, peer)
    return Explanation(
        send=decision.send,
        lines=tuple(explain(node.policy, alert, peer)),
        fields=tuple(sorted(decision.fields)),
    )
