"""Record requests and responses, two item kinds (schema 4).

A request is taken only when it is addressed to us, about one of our own alerts, and new; it
is stored as an "in" case in state "received", and the node's record desk decides it by
policy after the batch commits (refuse, queue for a person, or answer automatically). A
response is taken only for a request we sent to that peer and that is not yet answered; its
sealed record is kept as ciphertext and opened only when an officer reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from google.protobuf.message import Message

from exchange._proto.v1 import record_pb2
from exchange.alerts.model import ts_datetime
from exchange.errors import MalformedInput, NotPermitted
from exchange.items.base import Incoming, Parsed, Placing, Plan, refuse
from exchange.records import attach, checks, deadlines
from exchange.records.cases import FINAL_OUT, IN, OUT, blank

MAX_OPEN_REQUESTS = 500  # undecided requests from one country: a flood waits at the sender


@dataclass(frozen=True)
class _Requests:
    kind: str = "record-request"
    member: str = "record_request"
    id_key: str = "request_id"
    schema: int = 4
    held_whole: bool = True  # a purpose the guard flags waits for a person

    def read(self, item: Message, caller: str, now: datetime) -> Parsed:
        if not isinstance(item, record_pb2.RecordRequest):
            raise MalformedInput("not a record request")
        if item.requester != caller:
            raise NotPermitted("the request's requester differs from the entry's origin")
        if p := checks.request_problem(item, now):
            raise MalformedInput(f"record request: {p}")
        return Parsed(
            item.request_id, 1, [("purpose", item.purpose), ("legal_basis", item.legal_basis)]
        )

    def place(self, plan: Plan, row: dict[str, Any], it: Incoming, ctx: Placing) -> None:
        r = it.entry.record_request
        if r.owner != plan.me:
            refuse(plan, row, it, "the request is addressed to another country", "record.refused")
            return
        key = f"{IN}:{r.request_id}"
        if key in ctx.cases:
            refuse(plan, row, it, "a request with this id was already received", "record.refused")
            return
        if plan.open_requests >= MAX_OPEN_REQUESTS:
            why = f"{MAX_OPEN_REQUESTS} requests from this country already wait for a decision"
            refuse(plan, row, it, why, "record.refused")
            return
        plan.open_requests += 1
        ctx.cases[key] = "received"
        received_at = plan.now  # deadlines run from receipt, not from the time the peer claims
        plan.rows.setdefault("record_cases", []).append(
            blank(
                direction=IN,
                peer=plan.origin,
                request_id=r.request_id,
                state="received",
                alert_origin=r.alert_origin,
                alert_id=r.alert_id,
                hit_kind=r.hit_kind,
                purpose=r.purpose,
                legal_basis=r.legal_basis,
                urgent=r.urgent,
                officer=r.officer,
                requested_at=received_at,
                due_at=deadlines.due(received_at, r.urgent, ctx.acceptance.record_terms),
            )
        )
        plan.events.append(
            (
                "record.request_received",
                {
                    "request_id": r.request_id,
                    "alert_id": r.alert_id,
                    "urgent": r.urgent,
                    "officer": r.officer,
                    "purpose": r.purpose,
                    "legal_basis": r.legal_basis,
                },
            )
        )


@dataclass(frozen=True)
class _Responses:
    kind: str = "record-response"
    member: str = "record_response"
    id_key: str = "request_id"
    schema: int = 4
    held_whole: bool = True  # a denial reason the guard flags waits for a person

    def read(self, item: Message, caller: str, now: datetime) -> Parsed:
        if not isinstance(item, record_pb2.RecordResponse):
            raise MalformedInput("not a record response")
        if item.owner != caller:
            raise NotPermitted("the response's owner differs from the entry's origin")
        if p := checks.response_problem(item, now):
            raise MalformedInput(f"record response: {p}")
        return Parsed(item.request_id, 1, [("reason", item.reason)] if item.reason else [])

    def place(self, plan: Plan, row: dict[str, Any], it: Incoming, ctx: Placing) -> None:
        r = it.entry.record_response
        key = f"{OUT}:{r.request_id}"
        state = ctx.cases.get(key)
        if r.requester != plan.me or state is None:
            why = "a response to no request we sent to this country"
            refuse(plan, row, it, why, "record.response_refused")
            return
        if state in FINAL_OUT:
            why = "the request was already answered: a second response is refused"
            refuse(plan, row, it, why, "record.response_refused")
            return
        decision = checks.DECISIONS[r.decision]
        new_state = "answered" if decision == "approved" else decision
        ctx.cases[key] = new_state
        plan.rows.setdefault("record_answers", []).append(
            {
                "peer": plan.origin,
                "request_id": r.request_id,
                "state": new_state,
                "reason": r.reason,
                "decided_by": r.decided_by,
                "decided_at": ts_datetime(r.decided_at),
                "response_id": r.response_id,
                "handling": r.handling,
                "restrictions": "\n".join(r.restrictions),
                "sealed": r.sealed,
                "seal_key_id": r.seal_key_id,
                "sign_key_id": r.sign_key_id,
            }
        )
        for i, c in enumerate(r.attachments):
            plan.rows.setdefault("record_attachments", []).append(
                {
                    "direction": OUT,
                    "peer": plan.origin,
                    "request_id": r.request_id,
                    "idx": i,
                    "digest": c.content_sha256.hex(),
                    "size": c.size,
                    "manifest": attach.manifest_of(plan.origin, r.response_id, c),
                }
            )
        plan.events.append(
            (
                "record.response_received",
                {
                    "request_id": r.request_id,
                    "response_id": r.response_id,
                    "decision": decision,
                    "handling": r.handling,
                    "attachments": len(r.attachments),
                },
            )
        )


REQUESTS = _Requests()
RESPONSES = _Responses()
