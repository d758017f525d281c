"""The local Operator service behind the CLI, served only on the state dir's Unix socket.

Each method is an adapter: read the request, call the use case (exchange.app), build the
reply, and abort with the error's status. The admin methods (peers, alarms, trust, audit)
are in operator_admin. Every request runs as the OS user its socket ticket names, so every
audit event it causes is attributed (exchange.node.whoami)."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

from exchange._proto.v1 import operator_pb2, operator_pb2_grpc
from exchange.app import alerts, listing, matching, passwords, quarantine, status
from exchange.app import policy as app_policy
from exchange.errors import Error, TooLarge
from exchange.node import whoami
from exchange.node.operator_admin import AdminMethods, Ctx
from exchange.node.operator_audit import AuditMethods
from exchange.node.operator_auth import guarded
from exchange.node.operator_docs import DocumentMethods
from exchange.node.operator_records import RecordMethods
from exchange.node.operator_replies import alert_record, held_item, match_hit, status_response
from exchange.node.operator_users import UserMethods
from exchange.node.status import abort

if TYPE_CHECKING:
    from exchange.node.runtime import Node


class OperatorService(
    AdminMethods,
    AuditMethods,
    DocumentMethods,
    RecordMethods,
    UserMethods,
    operator_pb2_grpc.OperatorServicer,
):
    def __init__(self, node: Node) -> None:
        self.node = node
        self.limiter = passwords.Limiter()
        self.tickets = whoami.Tickets()
        for m in operator_pb2.DESCRIPTOR.services_by_name["Operator"].methods:
            fn = guarded(node, m.name, getattr(self, m.name))
            setattr(self, m.name, self.tickets.acting(fn))

    async def PublishAlert(
        self, request: operator_pb2.PublishAlertRequest, context: Ctx
    ) -> operator_pb2.AlertRecord:
        try:
            return alert_record(
                await alerts.publish(
                    self.node,
                    request.alert,
                    self.node.clock.now(),
                    allow_pii=request.allow_pii_reason,
                    key=request.idempotency_key,
                )
            )
        except Error as err:
            await abort(context, err)

    async def AmendAlert(
        self, request: operator_pb2.AmendAlertRequest, context: Ctx
    ) -> operator_pb2.AlertRecord:
        try:
            return alert_record(
                await alerts.amend(
                    self.node,
                    request.alert_id,
                    request.changes,
                    request.fields,
                    self.node.clock.now(),
                    allow_pii=request.allow_pii_reason,
                    key=request.idempotency_key,
                )
            )
        except Error as err:
            await abort(context, err)

    async def WithdrawAlert(
        self, request: operator_pb2.WithdrawAlertRequest, context: Ctx
    ) -> operator_pb2.AlertRecord:
        try:
            return alert_record(
                await alerts.withdraw(
                    self.node,
                    request.alert_id,
                    request.reason,
                    self.node.clock.now(),
                    key=request.idempotency_key,
                )
            )
        except Error as err:
            await abort(context, err)

    async def ListAlerts(
        self, request: operator_pb2.ListAlertsRequest, context: Ctx
    ) -> operator_pb2.ListAlertsResponse:
        where = listing.AlertFilter(
            origin=request.origin,
            offset=request.offset,
            category=request.category,
            min_risk=request.min_risk,
            handling=request.handling,
            since=request.since.ToDatetime(UTC) if request.HasField("since") else None,
            received_only=request.received_only,
        )
        try:
            found, more = await listing.page(self.node, request.limit, where)
        except Error as err:
            await abort(context, err)
        return operator_pb2.ListAlertsResponse(alerts=[alert_record(v) for v in found], more=more)

    async def GetAlert(
        self, request: operator_pb2.GetAlertRequest, context: Ctx
    ) -> operator_pb2.GetAlertResponse:
        try:
            found = await listing.show(self.node, request.alert_id, request.origin)
        except Error as err:
            await abort(context, err)
        return operator_pb2.GetAlertResponse(versions=[alert_record(v) for v in found])

    async def Status(
        self, request: operator_pb2.StatusRequest, context: Ctx
    ) -> operator_pb2.StatusResponse:
        return status_response(await status.status(self.node))

    async def ReloadPolicy(
        self, request: operator_pb2.ReloadPolicyRequest, context: Ctx
    ) -> operator_pb2.PolicyInfo:
        try:
            loaded = await app_policy.reload_policy(self.node)
        except Error as err:
            await abort(context, err)
        return operator_pb2.PolicyInfo(
            path=loaded.path, digest=loaded.digest, changed=loaded.changed
        )

    async def ExplainPolicy(
        self, request: operator_pb2.ExplainPolicyRequest, context: Ctx
    ) -> operator_pb2.ExplainPolicyResponse:
        try:
            why = await app_policy.explain_policy(self.node, request.alert_id, request.peer)
        except Error as err:
            await abort(context, err)
        return operator_pb2.ExplainPolicyResponse(send=why.send, lines=why.lines, fields=why.fields)

    async def MatchTokens(
        self, request: operator_pb2.MatchRequest, context: Ctx
    ) -> operator_pb2.MatchResponse:
        queries = [
            matching.Query(q.ref, tuple((t.kind, t.epoch, t.value) for t in q.tokens))
            for q in request.queries
        ]
        try:
            hits = await matching.match(self.node, queries)
        except TooLarge as err:
            await abort(context, err)
        return operator_pb2.MatchResponse(
            hits=[match_hit(h) for h in hits], queries=len(request.queries)
        )

    # -- quarantine ------------------------------------------------------------------------

    async def ListQuarantine(
        self, request: operator_pb2.ListQuarantineRequest, context: Ctx
    ) -> operator_pb2.ListQuarantineResponse:
        try:
            items = await quarantine.list_quarantine(self.node, request.origin)
        except Error as err:
            await abort(context, err)
        return operator_pb2.ListQuarantineResponse(items=[held_item(h) for h in items])

    async def ReleaseQuarantined(
        self, request: operator_pb2.QuarantineActionRequest, context: Ctx
    ) -> operator_pb2.QuarantinedItem:
        try:
            return held_item(
                await quarantine.release(
                    self.node, request.origin, request.seq, request.reason, self.node.clock.now()
                )
            )
        except Error as err:
            await abort(context, err)

    async def DropQuarantined(
        self, request: operator_pb2.QuarantineActionRequest, context: Ctx
    ) -> operator_pb2.QuarantinedItem:
        try:
            return held_item(
                await quarantine.drop(
                    self.node, request.origin, request.seq, request.reason, self.node.clock.now()
                )
            )
        except Error as err:
            await abort(context, err)
