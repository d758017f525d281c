"""Record requests: ask from an alert (purpose and legal basis), my requests with their state
and time left, approvals (approver: approve with fields and files, or deny), a response opened
with its handling restrictions, and its attachments downloaded. The node decides and audits
each step; the approver is never the officer who asked (checked by the node)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import AsyncIterator, Iterator
from urllib.parse import quote

from starlette.concurrency import iterate_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from exchange._proto.v1 import record_ops_pb2, record_pb2
from exchange.alerts import model
from exchange.web import labels
from exchange.web.console import Ctx, page
from exchange.web.nodecall import NodeError

MAX_ATTACH = 8 << 20
MAX_ATTACHMENTS = 4


def _rid(request: Request) -> str:
    rid = request.path_params["request_id"]
    if not 8 <= len(rid) <= 40 or not all(c in "0123456789abcdef-" for c in rid):
        raise NodeError(404, "no such request")
    return str(rid)


@page("ListRecords")
async def records(request: Request, ctx: Ctx) -> Response:
    mine, pending = [], []
    if ctx.session.role == "officer":
        resp = await ctx.call("ListRecords", record_ops_pb2.ListRecordsRequest(direction="out"))
        mine = list(resp.cases)
    if ctx.session.role == "approver":
        resp = await ctx.call(
            "ListRecords", record_ops_pb2.ListRecordsRequest(direction="in", pending=True)
        )
        pending = list(resp.cases)
    return ctx.render("records.html", mine=mine, pending=pending, fields=labels.RELEASABLE)


@page("RequestRecord", post=True)
async def request_record(request: Request, ctx: Ctx) -> Response:
    form = request.state.form
    origin = str(form.get("origin", ""))[:2]
    alert_id = str(form.get("alert_id", ""))[:40]
    purpose = str(form.get("purpose", "")).strip()[:500]
    basis = str(form.get("legal_basis", "")).strip()[:300]
    if not model.is_country(origin) or not alert_id:
        raise NodeError(400, "the request names no alert")
    if not purpose or not basis:
        raise NodeError(400, "a purpose and a legal basis are both required")
    key = str(form.get("key", ""))[:64] or secrets.token_hex(16)
    await ctx.call(
        "RequestRecord",
        record_ops_pb2.RequestRecordRequest(
            to=origin,
            alert_id=alert_id,
            purpose=purpose,
            legal_basis=basis,
            urgent=form.get("urgent") == "on",
            idempotency_key=key,
        ),
    )
    return ctx.redirect("/records")


@page("ApproveRecord")
async def approve(request: Request, ctx: Ctx) -> Response:
    rid = _rid(request)
    if int(request.headers.get("content-length") or 0) > MAX_ATTACHMENTS * MAX_ATTACH + 65536:
        raise NodeError(413, "the attachments are too large")
    form = await request.form(max_files=MAX_ATTACHMENTS, max_fields=200, max_part_size=MAX_ATTACH)
    sent = form.get("csrf")
    if not isinstance(sent, str) or not secrets.compare_digest(sent, ctx.session.csrf):
        return ctx.render("error.html", 403, title="Form refused", err=None, csrf_refused=True)
    fields = [str(f) for f in form.getlist("fields") if str(f) in labels.RELEASABLE]
    handling = {v: k for k, v in labels.HANDLING_CODES.items()}.get(str(form.get("handling")), 3)
    restrictions = [
        line.strip()[:200]
        for line in str(form.get("restrictions", "")).splitlines()
        if line.strip()
    ][:16]
    attachments = []
    for up in form.getlist("attach"):
        if isinstance(up, UploadFile) and up.filename:
            data = await up.read(MAX_ATTACH + 1)
            if len(data) > MAX_ATTACH:
                raise NodeError(413, "an attachment is over 8 MiB")
            attachments.append(
                record_pb2.RecordAttachment(
                    name=up.filename[:120],
                    media_type=(up.content_type or "application/octet-stream")[:100],
                    data=data,
                    sha256=hashlib.sha256(data).digest(),
                    size=len(data),
                )
            )
    await ctx.call(
        "ApproveRecord",
        record_ops_pb2.ApproveRecordRequest(
            request_id=rid,
            fields=fields,
            attachments=attachments,
            handling=handling,  # type: ignore[arg-type]
            restrictions=restrictions,
        ),
    )
    return ctx.redirect("/records")


@page("DenyRecord", post=True)
async def deny(request: Request, ctx: Ctx) -> Response:
    reason = str(request.state.form.get("reason", "")).strip()[:300]
    if not reason:
        raise NodeError(400, "say why the request is denied")
    await ctx.call(
        "DenyRecord", record_ops_pb2.DenyRecordRequest(request_id=_rid(request), reason=reason)
    )
    return ctx.redirect("/records")


@page("OpenRecord")
async def open_record(request: Request, ctx: Ctx) -> Response:
    rid = _rid(request)
    got = await ctx.call("OpenRecord", record_ops_pb2.OpenRecordRequest(request_id=rid))
    return ctx.render("record.html", c=got.case, fields=got.fields, attachments=got.attachments)


@page("ReadAttachment")
async def attachment(request: Request, ctx: Ctx) -> Response:
    rid = _rid(request)
    index = int(request.path_params["index"])
    got = await ctx.call("OpenRecord", record_ops_pb2.OpenRecordRequest(request_id=rid))
    if not 0 <= index < len(got.attachments):
        raise NodeError(404, "no such attachment")
    a = got.attachments[index]
    first, rest = await ctx.console.node.first_chunk(
        "ReadAttachment",
        record_ops_pb2.ReadAttachmentRequest(request_id=rid, index=index),
        ctx.token,
    )
    return ctx.finish(download(first, rest, a.name, a.media_type, a.size))


def download(
    first: bytes, rest: Iterator[bytes], name: str, media: str, size: int
) -> StreamingResponse:
    """A file streamed from the node: its first chunk already read (a refusal is a page)."""

    async def body() -> AsyncIterator[bytes]:
        yield first
        async for chunk in iterate_in_threadpool(rest):
            yield chunk

    safe = "".join(c for c in name if c.isalnum() or c in "._- ")[:100] or "download"
    disposition = f"attachment; filename=\"{safe}\"; filename*=UTF-8''{quote(name[:100])}"
    headers = {
        "content-disposition": disposition,
        "content-length": str(size),
    }
    return StreamingResponse(body(), media_type="application/octet-stream", headers=headers)


ROUTES = [
    Route("/records", records),
    Route("/records/request", request_record, methods=["POST"]),
    Route("/records/{request_id}/approve", approve, methods=["POST"]),
    Route("/records/{request_id}/deny", deny, methods=["POST"]),
    Route("/records/{request_id}", open_record),
    Route("/records/{request_id}/attachments/{index:int}", attachment),
]
