"""The Operator service's record and user methods: adapters over exchange.app.records and
exchange.app.users."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, TypeAlias

from exchange._proto.v1 import document_pb2, record_ops_pb2, user_ops_pb2
from exchange.alerts.model import timestamp
from exchange.app import records, users
from exchange.app.records import CaseView
from exchange.app.users import UserView
from exchange.errors import Error
from exchange.node.status import abort

if TYPE_CHECKING:
    from exchange.node.runtime import Node

Ctx: TypeAlias = Any  # grpc.aio.ServicerContext


def case_pb(v: CaseView) -> record_ops_pb2.RecordCase:
    r = v.row
    out = record_ops_pb2.RecordCase(
        request_id=r.request_id,
        direction=r.direction,
        peer=r.peer,
        state=v.state,
        alert_origin=r.alert_origin,
        alert_id=r.alert_id,
        hit_kind=r.hit_kind,
        purpose=r.purpose,
        legal_basis=r.legal_basis,
        urgent=r.urgent,
        officer=r.officer,
        seconds_left=v.seconds_left,
        reason=r.reason,
        decided_by=r.decided_by,
        response_id=r.response_id,
        handling=r.handling,  # type: ignore[arg-type]
        restrictions=[x for x in r.restrictions.split("\n") if x],
        fields=[x for x in r.fields.split("\n") if x],
        attachments=r.attachments,
    )
    out.requested_at.CopyFrom(timestamp(r.requested_at))
    out.due_at.CopyFrom(timestamp(r.due_at))
    if r.decided_at is not None:
        out.decided_at.CopyFrom(timestamp(r.decided_at))
    return out


def user_pb(u: UserView) -> user_ops_pb2.UserInfo:
    out = user_ops_pb2.UserInfo(
        name=u.name, role=u.role, disabled=u.disabled, live_tokens=u.live_tokens
    )
    out.created_at.CopyFrom(timestamp(u.created_at))
    return out


class RecordMethods:
    node: Node

    async def RequestRecord(
        self, request: record_ops_pb2.RequestRecordRequest, context: Ctx
    ) -> record_ops_pb2.RecordCase:
        try:
            return case_pb(
                await records.request(
                    self.node,
                    request.to,
                    request.alert_id,
                    request.hit_ref,
                    request.purpose,
                    request.legal_basis,
                    request.urgent,
                    self.node.clock.now(),
                )
            )
        except Error as err:
            await abort(context, err)

    async def ListRecords(
        self, request: record_ops_pb2.ListRecordsRequest, context: Ctx
    ) -> record_ops_pb2.ListRecordsResponse:
        try:
            found = await records.listing(
                self.node,
                request.direction,
                request.state,
                request.pending,
                request.limit,
                self.node.clock.now(),
            )
            return record_ops_pb2.ListRecordsResponse(cases=[case_pb(v) for v in found])
        except Error as err:
            await abort(context, err)

    async def ApproveRecord(
        self, request: record_ops_pb2.ApproveRecordRequest, context: Ctx
    ) -> record_ops_pb2.RecordCase:
        try:
            return case_pb(
                await records.approve(
                    self.node,
                    request.request_id,
                    list(request.fields),
                    list(request.record),
                    list(request.attachments),
                    request.handling,
                    list(request.restrictions),
                    self.node.clock.now(),
                )
            )
        except Error as err:
            await abort(context, err)

    async def DenyRecord(
        self, request: record_ops_pb2.DenyRecordRequest, context: Ctx
    ) -> record_ops_pb2.RecordCase:
        try:
            return case_pb(
                await records.deny(
                    self.node, request.request_id, request.reason, self.node.clock.now()
                )
            )
        except Error as err:
            await abort(context, err)

    async def OpenRecord(
        self, request: record_ops_pb2.OpenRecordRequest, context: Ctx
    ) -> record_ops_pb2.OpenRecordResponse:
        try:
            got = await records.open_record(self.node, request.request_id, self.node.clock.now())
            return record_ops_pb2.OpenRecordResponse(
                case=case_pb(got.case),
                fields=list(got.record.fields),
                attachments=list(got.attachments),
            )
        except Error as err:
            await abort(context, err)

    async def ReadAttachment(
        self, request: record_ops_pb2.ReadAttachmentRequest, context: Ctx
    ) -> AsyncIterator[document_pb2.ContentChunk]:
        at = 0
        try:
            async for block in records.read_attachment(
                self.node, request.request_id, request.index, self.node.clock.now()
            ):
                yield document_pb2.ContentChunk(offset=at, data=block)
                at += len(block)
        except Error as err:
            await abort(context, err)

    async def ForwardRecord(
        self, request: record_ops_pb2.ForwardRecordRequest, context: Ctx
    ) -> record_ops_pb2.RecordCase:
        try:
            return case_pb(
                await records.forward(
                    self.node, request.request_id, request.to, self.node.clock.now()
                )
            )
        except Error as err:
            await abort(context, err)

    async def AddUser(
        self, request: user_ops_pb2.AddUserRequest, context: Ctx
    ) -> user_ops_pb2.UserInfo:
        try:
            return user_pb(
                await users.add(self.node, request.name, request.role, self.node.clock.now())
            )
        except Error as err:
            await abort(context, err)

    async def ListUsers(
        self, request: user_ops_pb2.ListUsersRequest, context: Ctx
    ) -> user_ops_pb2.ListUsersResponse:
        try:
            found, open_ = await users.listing(self.node, self.node.clock.now())
            return user_ops_pb2.ListUsersResponse(users=[user_pb(u) for u in found], open=open_)
        except Error as err:
            await abort(context, err)

    async def DisableUser(
        self, request: user_ops_pb2.DisableUserRequest, context: Ctx
    ) -> user_ops_pb2.UserInfo:
        try:
            return user_pb(await users.disable(self.node, request.name, self.node.clock.now()))
        except Error as err:
            await abort(context, err)

    async def IssueToken(
        self, request: user_ops_pb2.IssueTokenRequest, context: Ctx
    ) -> user_ops_pb2.IssueTokenResponse:
        try:
            now = self.node.clock.now()
            token, expires = await users.issue_token(self.node, request.name, request.days, now)
            u = await users.listing(self.node, now)
            info = next(x for x in u[0] if x.name == request.name)
            out = user_ops_pb2.IssueTokenResponse(token=token, user=user_pb(info))
            out.expires_at.CopyFrom(timestamp(expires))
            return out
        except Error as err:
            await abort(context, err)
