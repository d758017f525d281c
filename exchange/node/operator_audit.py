"""The Operator service's audit reading for auditors (the web console): one alert's or one
request's trail, and the chain verified, through the socket with the auditor's token. The CLI
reads the database directly (exchange.cli.audit_cmds); both use exchange.app.audit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from exchange._proto.v1 import operator_pb2
from exchange.alerts.model import timestamp
from exchange.app import audit
from exchange.audit import AuditBroken
from exchange.errors import MalformedInput
from exchange.node.operator_admin import Ctx
from exchange.node.status import abort

if TYPE_CHECKING:
    from exchange.node.runtime import Node

DEFAULT_LAST = 200
MAX_LAST = 1000
_ID = frozenset("0123456789abcdef-")


def _prefix(text: str, what: str) -> str | None:
    if not text:
        return None
    if len(text) > 36 or not set(text.lower()) <= _ID:
        raise MalformedInput(f"{what} is an id or its beginning (hex digits and '-')")
    return text.lower()


class AuditMethods:
    node: Node

    async def AuditList(
        self, request: operator_pb2.AuditListRequest, context: Ctx
    ) -> operator_pb2.AuditListResponse:
        try:
            alert = _prefix(request.alert_id, "an alert id")
            rid = _prefix(request.request_id, "a request id")
        except MalformedInput as err:
            await abort(context, err)
        last = min(request.last or DEFAULT_LAST, MAX_LAST)
        found = await self.node.run_db(
            audit.events, self.node.db, request.event[:64] or None, alert, last, rid
        )
        out = operator_pb2.AuditListResponse()
        for e in found:
            info = out.events.add(seq=e.seq, event=e.event, peer=e.peer, detail=e.detail)
            info.at.CopyFrom(timestamp(e.at))
        return out

    async def AuditVerify(
        self, request: operator_pb2.AuditVerifyRequest, context: Ctx
    ) -> operator_pb2.AuditVerifyResponse:
        keys = audit.own_signing_keys(self.node.config.state_dir, self.node.config.country)
        try:
            checked = await self.node.run_db(audit.verify, self.node.db, None, keys)
        except AuditBroken as err:
            return operator_pb2.AuditVerifyResponse(intact=False, problem=err.message)
        return operator_pb2.AuditVerifyResponse(
            intact=True, events=checked.events, head=checked.head.hex()
        )
