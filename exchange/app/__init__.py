"""Use cases behind every interface (the Operator service today, a web console later)."""
