"""Local hit/no-hit: which received alerts carry any of the subject tokens asked about.

The identities never reach the node (the CLI derives the tokens), and the query is audited by
counts and the alerts hit, never the tokens: a register checked in bulk would otherwise leave
every person's traces in the log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from exchange.errors import TooLarge
from exchange.store import repo

if TYPE_CHECKING:
    from exchange.node.runtime import Node

MAX_QUERIES = 1000
MAX_TOKENS = 16

Token = tuple[str, int, bytes]  # (kind, epoch, value)


@dataclass(frozen=True)
class Query:
    ref: str
    tokens: tuple[Token, ...]


@dataclass(frozen=True)
class Hit:
    ref: str
    alert_id: str
    origin: str
    version: int
    kinds: tuple[str, ...]
    category: int  # alert_pb2.Category value
    risk: int  # alert_pb2.Risk value


async def match(node: Node, queries: Sequence[Query]) -> list[Hit]:
    if len(queries) > MAX_QUERIES or any(len(q.tokens) > MAX_TOKENS for q in queries):
        raise TooLarge(
            f"at most {MAX_QUERIES} queries of at most {MAX_TOKENS} tokens each per request"
        )

    def run() -> list[Hit]:
        out: list[Hit] = []
        with node.db.read() as s:
            for q in queries:
                for kinds, head in repo.match_tokens(s, list(q.tokens)):
                    out.append(
                        Hit(
                            q.ref,
                            head.alert_id,
                            head.origin,
                            head.version,
                            tuple(kinds),
                            head.category,
                            head.risk,
                        )
                    )
        return out

    hits = await node.run_db(run)
    await node.audit(
        "match.query",
        {
            "queries": len(queries),
            "hits": len(hits),
            "alerts": sorted({f"{h.origin}/{h.alert_id}" for h in hits})[:100],
        },
    )
    return hits
