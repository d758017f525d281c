"""People and their API tokens; a token is kept only as its sha256."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from exchange.records.roles import TOKEN_PREFIX
from exchange.store.db import aware
from exchange.store.models import User, UserToken


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def any_users(s: Session) -> bool:
    return s.execute(select(func.count()).select_from(User)).scalar_one() > 0


def get(s: Session, name: str) -> User | None:
    return s.get(User, name)


def add(s: Session, name: str, role: str, now: datetime) -> User:
    u = User(name=name, role=role, disabled=False, created_at=now)
    s.add(u)
    s.flush()
    return u


def live_tokens(s: Session, name: str, now: datetime) -> int:
    q = select(func.count()).where(UserToken.user == name, UserToken.expires_at > now)
    return int(s.execute(q.select_from(UserToken)).scalar_one())


def admin_tokens(s: Session, now: datetime) -> int:
    """Live tokens held by active administrators."""
    q = (
        select(func.count())
        .select_from(UserToken)
        .join(User, User.name == UserToken.user)
        .where(User.role == "administrator", User.disabled.is_(False), UserToken.expires_at > now)
    )
    return int(s.execute(q).scalar_one())


def issue(
    s: Session, name: str, days: int, now: datetime, life: timedelta | None = None
) -> tuple[str, datetime]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = now + (life if life is not None else timedelta(days=days))
    s.add(UserToken(digest=digest(token), user=name, created_at=now, expires_at=expires))
    s.flush()
    return token, expires


def disable(s: Session, name: str) -> None:
    u = s.get(User, name)
    if u is not None:
        u.disabled = True
    for t in s.execute(select(UserToken).where(UserToken.user == name)).scalars():
        s.delete(t)
    s.flush()


def resolve(s: Session, token: str, now: datetime) -> tuple[User | None, str]:
    """The user a token speaks for, or None and why not (unknown, expired, disabled)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None, "not an API token of this node"
    row = s.get(UserToken, digest(token))
    if row is None:
        return None, "unknown or revoked API token"
    if aware(row.expires_at) <= now:
        return None, "the API token has expired"
    u = s.get(User, row.user)
    if u is None or u.disabled:
        return None, "the token's user is disabled"
    return u, ""


def revoke(s: Session, token: str) -> bool:
    """Drop one token (a console sign-out); False when it was not held."""
    row = s.get(UserToken, digest(token))
    if row is None:
        return False
    s.delete(row)
    s.flush()
    return True
