"""Which peers a document goes to: the share rule's `document_topics` and `max_handling`.

A document is sent whole (there are no per-field views of a manifest); a peer without a rule,
or whose rule does not list the topic, gets nothing (default deny)."""

from __future__ import annotations

from exchange._proto.v1 import document_pb2
from exchange.policy.model import Policy


def decide(policy: Policy, m: document_pb2.DocumentManifest, recipient: str) -> tuple[bool, str]:
    """Whether `recipient` is sent the manifest, and why (a line of the policy, or the gap)."""
    rule, why = policy.share_rule(recipient)
    if rule is None:
        return False, why
    if m.topic not in rule.document_topics:
        return False, f"{why}: topic {m.topic!r} is not in its document_topics"
    if m.handling > rule.max_handling:
        return False, f"{why}: handling above its max_handling"
    return True, why
