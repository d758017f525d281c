"""Sessions held in the console's memory, keyed by a random id sent as a cookie.

A session holds the node token of its user (never sent to the browser), a CSRF token for its
forms, and its times: it ends after `idle` without a request or `absolute` after sign-in,
whichever comes first, and on sign-out. Anonymous sessions exist only to carry the sign-in
form's CSRF token and the chosen language. The table is bounded: past its size the oldest
sessions go first."""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

MAX_SESSIONS = 10_000


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


@dataclass
class Sessions:
    idle: float
    absolute: float
    _held: OrderedDict[str, WebSession] = field(default_factory=OrderedDict)
    last_visits: dict[str, datetime] = field(default_factory=dict)  # user -> last inbox visit

    def new(self, lang: str = "en") -> WebSession:
        now = time.monotonic()
        s = WebSession(secrets.token_urlsafe(32), secrets.token_urlsafe(32), now, now, lang)
        self._held[s.sid] = s
        while len(self._held) > MAX_SESSIONS:
            self._held.popitem(last=False)
        return s

    def get(self, sid: str) -> WebSession | None:
        s = self._held.get(sid[:100])
        if s is None:
            return None
        now = time.monotonic()
        if now - s.seen > self.idle or now - s.created > self.absolute:
            del self._held[s.sid]
            return None
        s.seen = now
        self._held.move_to_end(s.sid)
        return s

    def signed_in(self, old: WebSession, name: str, role: str, token: str) -> WebSession:
        """A new session for the user (a new id: a session id seen before sign-in is never the
        signed-in one), keeping the language; the anonymous one is dropped."""
        self.drop(old.sid)
        s = self.new(old.lang)
        s.name, s.role, s.token = name, role, token
        s.previous_visit = self.last_visits.get(name)
        return s

    def drop(self, sid: str) -> WebSession | None:
        return self._held.pop(sid, None)
