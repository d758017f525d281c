"""Alarm use cases: every alarm now with its acknowledgement, and acknowledging one.

An acknowledged alarm stays shown, marked, and no longer fails `status --check`; its id is a
digest of its text, so a changed alarm has a new id and must be acknowledged again."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from exchange.errors import MalformedInput, NotFound
from exchange.store import received, repo
from exchange.store.models import AlarmAck

if TYPE_CHECKING:
    from exchange.node.runtime import Node

MIN_ALARM_ID = 6
MAX_REASON = 300


@dataclass(frozen=True)
class AlarmView:
    id: str
    text: str
    acknowledged: bool = False
    reason: str = ""
    acknowledged_at: datetime | None = None


def alarm_id(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


async def alarm_states(node: Node, held: int | None = None) -> list[AlarmView]:
    """Every alarm now, with its acknowledgement if an operator gave one (`held`: the
    quarantine count, when the caller has already read it)."""

    def load() -> tuple[int, dict[str, tuple[str, datetime]]]:
        with node.db.read() as s:
            acks = {a.id: (a.reason, a.at) for a in s.execute(select(AlarmAck)).scalars()}
            return (received.quarantine_count(s) if held is None else held), acks

    count, acks = await node.run_db(load)
    out = []
    for text in node.alarms(count):
        aid = alarm_id(text)
        ack = acks.get(aid)
        out.append(
            AlarmView(aid, text)
            if ack is None
            else AlarmView(aid, text, acknowledged=True, reason=ack[0], acknowledged_at=ack[1])
        )
    return out


async def ack_alarm(node: Node, wanted: str, reason: str, now: datetime) -> AlarmView:
    """Acknowledge one current alarm, named by a prefix of its id."""
    wanted = wanted.strip().lower()
    if len(wanted) < MIN_ALARM_ID:
        raise MalformedInput(
            f"give at least {MIN_ALARM_ID} characters of the alarm id",
            hint="see the ids in `exchange status`",
        )
    if not reason.strip() or len(reason) > MAX_REASON:
        raise MalformedInput(f"say why it is acknowledged (--reason, up to {MAX_REASON} chars)")
    found = [a for a in await alarm_states(node) if a.id.startswith(wanted)]
    if len(found) != 1:
        raise NotFound(
            f"no current alarm {wanted[:12]!r}" if not found else f"{wanted!r} names several",
            hint="see the ids in `exchange status`",
        )
    st = found[0]

    def run() -> None:
        with node.db.write() as s:
            row = s.get(AlarmAck, st.id)
            if row is None:
                s.add(AlarmAck(id=st.id, text=st.text, reason=reason, at=now))
            else:
                row.reason, row.at = reason, now
            repo.append_audit(
                s, now, "alarm.acknowledged", {"id": st.id, "alarm": st.text, "reason": reason}
            )

    await node.run_db(run)
    return AlarmView(st.id, st.text, acknowledged=True, reason=reason, acknowledged_at=now)
