"""Audit (auditor, administrator): the trail of one alert or one record request, and the whole
chain verified, read through the node with the auditor's token. Nothing here changes anything."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from exchange._proto.v1 import operator_pb2
from exchange.web.console import Ctx, page

SHOWN = 200


def _detail(text: str) -> list[tuple[str, str]]:
    try:
        d: Any = json.loads(text)
    except ValueError:
        return [("", text[:500])]
    if not isinstance(d, dict):
        return [("", text[:500])]
    by = d.pop("by", None)
    out = [(str(k), json.dumps(v, ensure_ascii=False)[:300]) for k, v in sorted(d.items())]
    if isinstance(by, dict):
        who = by.get("name") or by.get("os_user") or by.get("user") or ""
        out.insert(0, ("by", f"{who} ({by.get('role', '')})" if by.get("role") else str(who)))
    return out


@page("AuditList")
async def trail(request: Request, ctx: Ctx) -> Response:
    q = request.query_params
    alert = (q.get("alert") or "").strip()[:36]
    rid = (q.get("request") or "").strip()[:36]
    resp = await ctx.call(
        "AuditList", operator_pb2.AuditListRequest(alert_id=alert, request_id=rid, last=SHOWN)
    )
    events = [
        {"e": e, "at": e.at.ToDatetime(UTC), "detail": _detail(e.detail)}
        for e in reversed(resp.events)
    ]
    return ctx.render(
        "audit.html", events=events, f={"alert": alert, "request": rid}, verified=None
    )


@page("AuditVerify")
async def verify(request: Request, ctx: Ctx) -> Response:
    got = await ctx.call("AuditVerify", operator_pb2.AuditVerifyRequest())
    return ctx.render("audit.html", events=[], f={"alert": "", "request": ""}, verified=got)


ROUTES = [Route("/audit", trail), Route("/audit/verify", verify)]
