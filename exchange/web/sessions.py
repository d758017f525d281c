"""Sessions held in the console's memory, keyed by a random id sent as a cookie.

A session holds the node token of its user (never sent to the browser), a CSRF token for its
forms, and its times: it ends after `idle` without a request or `absolute` after sign-in,
whichever comes first, and on sign-out. Anonymous sessions exist only to carry the sign-in
form's CSRF token and the chosen language.

Anyone who reaches the console can make anonymous sessions (one per cookie-less GET), so they
live in a table of their own: a flood of them evicts only other anonymous sessions, never a
signed-in one. Signed-in sessions need a password the node accepted; each user holds at most
MAX_PER_USER of them (their oldest goes first), so one user cannot push the others out."""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

MAX_ANONYMOUS = 10_000
MAX_SIGNED_IN = 10_000
MAX_PER_USER = 16


@dataclass
class WebSession:
    sid: str
    csrf: str
    created: float
    seen: float
    lang: str = "en"
    name: str = ""
    role: str = ""
    token: str = ""
    previous_visit: datetime | None = None  # the inbox's "new since" mark for this session

    @property
    def signed_in(self) -> bool:
        return bool(self.token)


def _bound(table: OrderedDict[str, WebSession], size: int) -> None:
    while len(table) > size:
        table.popitem(last=False)


@dataclass
class Sessions:
    idle: float
    absolute: float
    _anonymous: OrderedDict[str, WebSession] = field(default_factory=OrderedDict)
    _signed_in: OrderedDict[str, WebSession] = field(default_factory=OrderedDict)
    last_visits: dict[str, datetime] = field(default_factory=dict)  # user -> last inbox visit

    def __len__(self) -> int:
        return len(self._anonymous) + len(self._signed_in)

    @property
    def anonymous(self) -> int:
        return len(self._anonymous)

    def _fresh(self, lang: str) -> WebSession:
        now = time.monotonic()
        return WebSession(secrets.token_urlsafe(32), secrets.token_urlsafe(32), now, now, lang)

    def new(self, lang: str = "en") -> WebSession:
        """An anonymous session; past MAX_ANONYMOUS the oldest anonymous one goes."""
        s = self._fresh(lang)
        self._anonymous[s.sid] = s
        _bound(self._anonymous, MAX_ANONYMOUS)
        return s

    def get(self, sid: str) -> WebSession | None:
        sid = sid[:100]
        table = self._signed_in if sid in self._signed_in else self._anonymous
        s = table.get(sid)
        if s is None:
            return None
        now = time.monotonic()
        if now - s.seen > self.idle or now - s.created > self.absolute:
            del table[s.sid]
            return None
        s.seen = now
        table.move_to_end(s.sid)
        return s

    def signed_in(self, old: WebSession, name: str, role: str, token: str) -> WebSession:
        """A new session for the user (a new id: a session id seen before sign-in is never the
        signed-in one), keeping the language; the anonymous one is dropped."""
        self.drop(old.sid)
        mine = [k for k, v in self._signed_in.items() if v.name == name]
        for sid in mine[: max(0, len(mine) - MAX_PER_USER + 1)]:
            del self._signed_in[sid]
        s = self._fresh(old.lang)
        s.name, s.role, s.token = name, role, token
        s.previous_visit = self.last_visits.get(name)
        self._signed_in[s.sid] = s
        _bound(self._signed_in, MAX_SIGNED_IN)
        return s

    def drop(self, sid: str) -> WebSession | None:
        return self._signed_in.pop(sid, None) or self._anonymous.pop(sid, None)
