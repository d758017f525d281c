"""The region's document topics: one vocabulary, in exchange/data/documents/topics.json,
extended by a policy's own `[topics]` table."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

TOPIC_RE = re.compile(r"[a-z][a-z0-9-]{0,47}")


@cache
def seeded() -> dict[str, str]:
    """Topic name -> English label, as the region seeded them."""
    raw = resources.files("exchange.data.documents").joinpath("topics.json").read_text("utf-8")
    return {name: labels["en"] for name, labels in json.loads(raw)["topics"].items()}


def known(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The seeded topics and a policy's additions."""
    return seeded() | (extra or {})


def problem(topic: str, extra: dict[str, str] | None = None) -> str | None:
    """Why `topic` is not one of the region's topics (None if it is)."""
    if not TOPIC_RE.fullmatch(topic):
        return f"{topic[:50]!r} is not a topic name (lower-case letters, digits and '-')"
    if topic not in known(extra):
        return (
            f"unknown topic {topic!r}; the region's topics are: "
            + ", ".join(sorted(known(extra)))
            + " (add an agreed one under [topics] in the policy)"
        )
    return None
