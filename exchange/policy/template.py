"""The policy `exchange init` writes when a node has none: deny everything, with examples."""

from __future__ import annotations


def default_policy(country: str) -> str:
    return f'''# Access policy of the {country} node. Default deny: a peer or a category that no
# rule names receives nothing, and nothing is accepted from a peer no [[accept]] rule names.
# Check it with `exchange policy check FILE`; a running node applies changes on its own
# (or at once with `exchange policy reload`).
country = "{country}"

[groups]
# members = ["kg", "tj"]
# observers = ["se", "bg"]

# [[share]]
# to = "members"                  # a country code or a group; a country's own rule wins
# categories = ["*"]              # or e.g. ["release-notice", "escape"]
# max_handling = "H2"             # highest handling code sent (H0..H3)
# fields = ["category", "risk", "subject.tokens", "subject.birth_year", "facility_region"]
# record_requests = "approve"     # no | approve | auto

# [[accept]]
# from = "members"
# categories = ["*"]
# max_batch = 500                 # entries per batch
# max_rate = 200                  # entries per second
'''
