"""Recall and false-match rate of the tokens on a labelled table of record pairs.

Why: the normalization rules trade recall (same person, different spelling, still hits) against
false matches (different people who hit); these two figures, measured on the test table, are what
the README quotes and what a change to the rules must not make worse.
"""

from __future__ import annotations

from collections.abc import Sequence

from exchange.matching.identity import Identity
from exchange.matching.tokens import derive_tokens, match

__all__ = ["Pair", "evaluate", "hits"]

Pair = tuple[Identity, Identity]


def hits(pair: Pair, key: bytes, epoch: int = 0) -> list[str]:
    """The token kinds on which the two records of a pair hit."""
    left, right = pair
    return match(derive_tokens(left, key, epoch), derive_tokens(right, key, epoch))


def evaluate(
    pairs_same: Sequence[Pair], pairs_diff: Sequence[Pair], key: bytes, epoch: int = 0
) -> tuple[float, float]:
    """(recall, false-match rate): shares of same-person and different-person pairs that hit."""
    if not pairs_same or not pairs_diff:
        raise ValueError("evaluate needs at least one same-person and one different-person pair")
    recall = sum(1 for p in pairs_same if hits(p, key, epoch)) / len(pairs_same)
    false_match = sum(1 for p in pairs_diff if hits(p, key, epoch)) / len(pairs_diff)
    return recall, false_match
