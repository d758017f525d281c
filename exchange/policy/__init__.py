"""Per-country access policy: what each peer may receive, and what is accepted from it.

Default deny: a peer or a category that no rule names receives nothing. The model is plain
frozen values; `load` turns a TOML file into one (with errors that point at the line), and
`evaluate` / `explain` decide per alert and per peer without any I/O.
"""

from exchange.policy.evaluate import Decision, evaluate, explain
from exchange.policy.loader import PolicyError, load_policy, parse_policy
from exchange.policy.model import FIELDS, MANDATORY_FIELDS, AcceptRule, Policy, ShareRule

__all__ = [
    "FIELDS",
    "MANDATORY_FIELDS",
    "AcceptRule",
    "Decision",
    "Policy",
    "PolicyError",
    "ShareRule",
    "evaluate",
    "explain",
    "load_policy",
    "parse_policy",
]
