"""One id per key, and the prefixes a person may type for it.

A key's id is `node_key_id` (hex sha256 of the certified public key; for a TLS key, of its
SPKI sha256), the id that certificates, revocations and `keys status` use; for signing and
admin keys it equals the envelope key id. Tables may show it whole and people type a prefix:
any 8 or more hex digits that name exactly one known key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from exchange.errors import MalformedInput, NotFound

MIN_PREFIX = 8
_HEX = re.compile(r"[0-9a-f]+")


def resolve_key_id(text: str, known: Iterable[str], what: str = "key") -> str:
    """The one id in `known` that starts with `text`; a clear error otherwise."""
    prefix = text.strip().lower()
    if not _HEX.fullmatch(prefix) or not MIN_PREFIX <= len(prefix) <= 64:
        raise MalformedInput(
            f"{text[:80]!r} is not a key id",
            hint=f"give the key id in hex: all 64 digits, or at least the first {MIN_PREFIX}",
        )
    matches = sorted({k for k in known if k.startswith(prefix)})
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(
            f"no known {what} has an id starting with {prefix}",
            hint="check the id against `exchange keys status` or `exchange keys show FILE`",
        )
    raise MalformedInput(
        f"{prefix} names {len(matches)} keys: {', '.join(matches[:10])}",
        hint="give more digits of the key id",
    )
