"""People on the node: add, list, disable, issue tokens; and who a request's token speaks for.

The first user added must be an administrator (so the node is never left with users and no
one who can manage them); until then the node is open to its OS-level operator, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from exchange import actor
from exchange.errors import AlreadyExists, MalformedInput, NotFound, NotPermitted
from exchange.records.roles import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, name_problem, role_problem
from exchange.store import users as store
from exchange.store.models import User
from exchange.sync.recordqueue import audit

if TYPE_CHECKING:
    from exchange.node.runtime import Node


@dataclass(frozen=True)
class UserView:
    name: str
    role: str
    disabled: bool
    created_at: datetime
    live_tokens: int


def _view(node: Node, name: str, now: datetime) -> UserView:
    with node.db.read() as s:
        u = store.get(s, name)
        if u is None:
            raise NotFound(f"no user {name[:64]!r} on this node", hint="see `exchange users list`")
        return UserView(u.name, u.role, u.disabled, u.created_at, store.live_tokens(s, name, now))


async def add(node: Node, name: str, role: str, now: datetime) -> UserView:
    if p := name_problem(name) or role_problem(role):
        raise MalformedInput(p)

    def write() -> None:
        with node.db.write() as s:
            if not store.any_users(s) and role != "administrator":
                raise NotPermitted(
                    "the first user must be an administrator",
                    hint="exchange users add NAME --role administrator",
                )
            if store.get(s, name) is not None:
                raise AlreadyExists(f"user {name} already exists")
            store.add(s, name, role, now)
            audit(s, now, "user.added", {"user": name, "role": role}, "")

    await node.run_db(write)
    return await node.run_db(_view, node, name, now)


async def listing(node: Node, now: datetime) -> tuple[list[UserView], bool]:
    def read() -> tuple[list[UserView], bool]:
        with node.db.read() as s:
            rows = list(s.execute(select(User).order_by(User.name)).scalars())
            out = [
                UserView(
                    u.name, u.role, u.disabled, u.created_at, store.live_tokens(s, u.name, now)
                )
                for u in rows
            ]
            return out, not rows

    return await node.run_db(read)


async def disable(node: Node, name: str, now: datetime) -> UserView:
    def write() -> None:
        with node.db.write() as s:
            u = store.get(s, name)
            if u is None:
                raise NotFound(f"no user {name[:64]!r} on this node")
            store.disable(s, name)
            audit(s, now, "user.disabled", {"user": name}, "")

    await node.run_db(write)
    return await node.run_db(_view, node, name, now)


async def issue_token(node: Node, name: str, days: int, now: datetime) -> tuple[str, datetime]:
    days = days or DEFAULT_TOKEN_DAYS
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise MalformedInput(f"a token lives 1 to {MAX_TOKEN_DAYS} days")

    def write() -> tuple[str, datetime]:
        with node.db.write() as s:
            u = store.get(s, name)
            if u is None or u.disabled:
                raise NotFound(f"no active user {name[:64]!r} on this node")
            by = actor.current() or {}
            if not by.get("role") and u.role != "administrator":
                raise NotPermitted(
                    "without a token, only an administrator's first token can be issued",
                    hint=f"issue one for an administrator, then use it to give {name} theirs",
                )
            token, expires = store.issue(s, name, days, now)
            audit(s, now, "user.token_issued", {"user": name, "days": days}, "")
            return token, expires

    return await node.run_db(write)


BOOTSTRAP = frozenset({"AddUser", "IssueToken", "ListUsers"})


def authorise(
    node: Node, token: str, now: datetime, method: str = ""
) -> tuple[bool, str, str, str]:
    """(open, name, role, why): open when the node has no users yet, or, for managing users,
    while no administrator holds a live token (the first token, and recovery: the OS-level
    operator owns the machine anyway); else the token's user and role, or why the token is
    refused (in a database thread)."""
    with node.db.read() as s:
        if not store.any_users(s):
            return True, "", "", ""
        if not token and method in BOOTSTRAP and not store.admin_tokens(s, now):
            return True, "", "", ""
        if not token:
            return False, "", "", "no API token"
        u, why = store.resolve(s, token, now)
        if u is None:
            return False, "", "", why
        return False, u.name, u.role, ""
