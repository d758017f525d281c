"""Passwords and sign-in for the web console.

A password is kept only as an Argon2id hash (argon2-cffi, its RFC 9106 low-memory profile).
Sign-in is checked here, by the node, not by the console: the console holds no privilege and
only passes on what the person typed; a good sign-in yields a short-lived API token, which the
console keeps server-side and sends with every call, so roles and audit work as for the CLI.
Failed attempts are counted per user and per source (the browser's address, as the console
saw it) over a window; past the limit the attempt is refused before any hash is checked.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from exchange.errors import MalformedInput, NotFound, TooLarge, Unauthenticated
from exchange.records.roles import MAX_PASSWORD, name_problem, password_problem
from exchange.store import users as store
from exchange.store.db import aware
from exchange.store.models import UserToken
from exchange.sync.recordqueue import audit

if TYPE_CHECKING:
    from exchange.node.runtime import Node

SESSION_LIFE = timedelta(hours=12)  # the console's absolute timeout; the token dies with it
WINDOW_SECONDS = 15 * 60
MAX_FAILS_USER = 5
MAX_FAILS_SOURCE = 20
MAX_SOURCE = 64

_hasher = PasswordHasher()  # Argon2id, t=3, m=64 MiB, p=4 (RFC 9106 second choice)
_DUMMY = _hasher.hash("an unused password, so unknown users cost as much as known ones")


@dataclass
class Limiter:
    """Failed sign-ins per user and per source within the last window (monotonic seconds)."""

    window: float = WINDOW_SECONDS
    per_user: int = MAX_FAILS_USER
    per_source: int = MAX_FAILS_SOURCE
    _fails: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def blocked(self, name: str, source: str, now: float | None = None) -> bool:
        t = time.monotonic() if now is None else now
        return (
            len(self._recent("u:" + name, t)) >= self.per_user
            or len(self._recent("s:" + source, t)) >= self.per_source
        )

    def failed(self, name: str, source: str, now: float | None = None) -> None:
        t = time.monotonic() if now is None else now
        self._recent("u:" + name, t).append(t)
        self._recent("s:" + source, t).append(t)
        if len(self._fails) > 10_000:  # bounded: forget the oldest keys first
            for k in list(self._fails)[:1000]:
                del self._fails[k]

    def succeeded(self, name: str) -> None:
        self._fails.pop("u:" + name, None)


async def set_password(node: Node, name: str, password: str, now: datetime) -> None:
    if p := password_problem(password):
        raise MalformedInput(p)
    hashed = await asyncio.to_thread(_hasher.hash, password)

    def write() -> None:
        with node.db.write() as s:
            u = store.get(s, name)
            if u is None or u.disabled:
                raise NotFound(f"no active user {name[:64]!r} on this node")
            u.password_hash, u.password_set_at = hashed, now
            audit(s, now, "user.password_set", {"user": name}, "")

    await node.run_db(write)


@dataclass(frozen=True)
class SignedIn:
    token: str
    expires_at: datetime
    name: str
    role: str


def _source(text: str) -> str:
    return "".join(c for c in text[:MAX_SOURCE] if c.isprintable()) or "unknown"


async def sign_in(
    node: Node, limiter: Limiter, name: str, password: str, source: str, now: datetime
) -> SignedIn:
    """A short-lived token for a user whose password verifies; refusals audited and counted."""
    src = _source(source)
    shown = name if not name_problem(name) else "(not a user name)"
    if limiter.blocked(shown, src):
        await node.audit("user.signin_refused", {"user": shown, "source": src, "reason": "rate"})
        raise TooLarge(
            "too many failed sign-ins; wait 15 minutes",
            hint="an administrator can set a new password: exchange users password NAME",
        )
    if len(password) > MAX_PASSWORD:
        raise MalformedInput("the password is too long")

    def read() -> tuple[str, str]:
        with node.db.read() as s:
            u = store.get(s, name) if shown == name else None
            if u is None or u.disabled or not u.password_hash:
                return "", ""
            return u.password_hash, u.role

    hashed, role = await node.run_db(read)
    ok = await asyncio.to_thread(_verify, hashed or _DUMMY, password)
    if not (ok and hashed):
        limiter.failed(shown, src)
        await node.audit(
            "user.signin_refused", {"user": shown, "source": src, "reason": "credentials"}
        )
        raise Unauthenticated("wrong user name or password", hint="check both and try again")
    limiter.succeeded(shown)

    def write() -> tuple[str, datetime]:
        with node.db.write() as s:
            token, expires = store.issue(s, name, 0, now, SESSION_LIFE)
            audit(s, now, "user.signin", {"user": name, "source": src, "via": "password"}, "")
            return token, expires

    token, expires = await node.run_db(write)
    return SignedIn(token, expires, name, role)


def _verify(hashed: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(hashed, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def token_sign_in(
    node: Node, limiter: Limiter, token: str, source: str, now: datetime
) -> SignedIn:
    """Sign-in with an API token: the token itself is what the console then sends."""
    src = _source(source)
    if limiter.blocked("(token)", src):
        await node.audit(
            "user.signin_refused", {"user": "(token)", "source": src, "reason": "rate"}
        )
        raise TooLarge("too many failed sign-ins; wait 15 minutes")

    def read() -> tuple[str, str, str, datetime | None]:
        with node.db.read() as s:
            u, why = store.resolve(s, token.strip(), now)
            if u is None:
                return "", "", why, None
            row = s.get(UserToken, store.digest(token.strip()))
            return u.name, u.role, "", aware(row.expires_at) if row else None

    name, role, why, expires = await node.run_db(read)
    if not name or expires is None:
        limiter.failed("(token)", src)
        await node.audit(
            "user.signin_refused", {"user": "(token)", "source": src, "reason": why[:80]}
        )
        raise Unauthenticated(f"the token was refused: {why}")
    await node.audit("user.signin", {"user": name, "source": src, "via": "token"})
    return SignedIn(token.strip(), min(expires, now + SESSION_LIFE), name, role)


async def sign_out(node: Node, token: str, name: str, now: datetime) -> None:
    """Revoke a console token (one issued by SignIn, which lives at most SESSION_LIFE); an API
    token used to sign in stays valid: it was the user's before and still is."""

    def write() -> None:
        with node.db.write() as s:
            row = s.get(UserToken, store.digest(token))
            if row is None:
                return
            life = aware(row.expires_at) - aware(row.created_at)
            if life <= SESSION_LIFE:
                store.revoke(s, token)
            audit(s, now, "user.signout", {"user": name}, "")

    await node.run_db(write)
