"""Key id prefixes: any 8+ hex digits that name one known key; anything else is refused."""

from __future__ import annotations

import pytest

from exchange.errors import MalformedInput, NotFound
from exchange.trust.keyids import resolve_key_id

A = "abcdef01" + "1" * 56
B = "abcdef01" + "2" * 56
C = "12345678" + "3" * 56


def test_unique_prefix_names_the_whole_id() -> None:
    assert resolve_key_id("12345678", [A, B, C]) == C
    assert resolve_key_id(A.upper(), [A, B, C]) == A
    assert resolve_key_id("abcdef011", [A, B, C]) == A


def test_ambiguous_prefix_lists_the_candidates() -> None:
    with pytest.raises(MalformedInput) as exc:
        resolve_key_id("abcdef01", [A, B, C])
    assert A in exc.value.message and B in exc.value.message


@pytest.mark.parametrize("text", ["abc", "abcdef0", "not-hex!", "a" * 65])
def test_short_or_malformed_refused(text: str) -> None:
    with pytest.raises(MalformedInput):
        resolve_key_id(text, [A])


def test_unknown_id_refused() -> None:
    with pytest.raises(NotFound):
        resolve_key_id("ffffffff", [A, B, C])
