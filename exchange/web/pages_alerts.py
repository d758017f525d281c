"""Inbox, one alert, and the person check.

The inbox asks the node for one page at a time (ListAlerts pages and filters in SQL), so it
never loads everything. Reading an alert is audited by the node (GetAlert). The person check is
a POST form only: the names and date typed are turned into subject tokens here, in the
console's memory, as `exchange match` does; only tokens reach the node, and nothing typed is
put in a URL, a log line or the audit."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from exchange._proto.v1 import operator_pb2
from exchange.alerts import model
from exchange.cli.match_cmds import identity_of, to_proto, tokens_for
from exchange.errors import Error
from exchange.matching import strength
from exchange.web import labels
from exchange.web.console import Ctx, now, page
from exchange.web.nodecall import NodeError

PAGE_SIZE = 25
MAX_PAGE = 40_000


def _int(value: str | None, low: int, high: int) -> int:
    try:
        n = int(value or 0)
    except ValueError:
        return low
    return max(low, min(high, n))


def _when(ts: object) -> datetime | None:
    if ts is None or not getattr(ts, "seconds", 0):
        return None
    return ts.ToDatetime(UTC)  # type: ignore[attr-defined, no-any-return]


def filters_of(request: Request) -> dict[str, object]:
    q = request.query_params
    origin = (q.get("origin") or "")[:2].lower()
    since = (q.get("since") or "")[:10]
    try:
        since_dt = datetime.strptime(since, "%Y-%m-%d").replace(tzinfo=UTC) if since else None
    except ValueError:
        since_dt, since = None, ""
    return {
        "origin": origin if model.is_country(origin) else "",
        "category": _int(q.get("category"), 0, max(labels.CATEGORIES)),
        "risk": _int(q.get("risk"), 0, max(labels.RISKS)),
        "handling": _int(q.get("handling"), 0, max(labels.HANDLING)),
        "since": since,
        "since_dt": since_dt,
        "page": _int(q.get("page"), 1, MAX_PAGE),
    }


@page("ListAlerts")
async def inbox(request: Request, ctx: Ctx) -> Response:
    f = filters_of(request)
    req = operator_pb2.ListAlertsRequest(
        origin=str(f["origin"]),
        limit=PAGE_SIZE,
        offset=(int(str(f["page"])) - 1) * PAGE_SIZE,
        category=int(str(f["category"])),  # type: ignore[arg-type]
        min_risk=int(str(f["risk"])),  # type: ignore[arg-type]
        handling=int(str(f["handling"])),  # type: ignore[arg-type]
    )
    if isinstance(f["since_dt"], datetime):
        req.since.FromDatetime(f["since_dt"])
    resp = await ctx.call("ListAlerts", req)
    mark = ctx.session.previous_visit
    rows = [
        {
            "r": r,
            "a": r.alert,
            "stored": _when(r.stored_at),
            "new": mark is not None
            and _when(r.stored_at) is not None
            and _when(r.stored_at) > mark,  # type: ignore[operator]
        }
        for r in resp.alerts
    ]
    ctx.console.sessions.last_visits[ctx.session.name] = now()
    query = {k: v for k, v in f.items() if k not in ("page", "since_dt") and v}
    template = "inbox_rows.html" if request.headers.get("hx-request") else "inbox.html"
    return ctx.render(template, rows=rows, f=f, more=resp.more, query=query, mark=mark)


@page("GetAlert")
async def alert(request: Request, ctx: Ctx) -> Response:
    origin = request.path_params["origin"][:2]
    alert_id = request.path_params["alert_id"][:40]
    if not model.is_country(origin):
        raise NodeError(404, "no such alert")
    resp = await ctx.call(
        "GetAlert", operator_pb2.GetAlertRequest(alert_id=alert_id, origin=origin)
    )
    versions = list(reversed(resp.versions))  # newest first
    latest = next((v.alert for v in versions if not v.withdrawn and not v.purged), None)
    return ctx.render(
        "alert.html",
        versions=[{"r": v, "a": v.alert, "stored": _when(v.stored_at)} for v in versions],
        latest=latest,
        origin=origin,
        alert_id=versions[0].alert.alert_id if versions else alert_id,
        withdrawn=bool(versions and versions[0].withdrawn),
        valid_until=_when(latest.valid_until) if latest is not None else None,
        edit_key=secrets.token_hex(16),  # one amendment or withdrawal per page shown
        risk_names=list(model.RISKS),
    )


@page("MatchTokens", post=True)
async def check(request: Request, ctx: Ctx) -> Response:
    if request.method == "GET":
        return ctx.render("check.html", result=None, problem="")
    form = request.state.form

    def field(key: str, n: int = 80) -> str:
        return str(form.get(key, ""))[:n]

    try:
        identity = identity_of(
            field("surname"), field("given"), field("patronymic"), field("dob", 12),
            field("sex", 1),
        )  # fmt: skip
        tokens = tokens_for(ctx.console.config, identity)
    except Error as err:
        # the message names what is missing, never what was typed
        return ctx.render("check.html", 400, result=None, problem=err.message)
    del identity
    resp = await ctx.call(
        "MatchTokens",
        operator_pb2.MatchRequest(
            queries=[operator_pb2.MatchQuery(ref="console", tokens=to_proto(tokens))]
        ),
    )
    hits = [{"h": h, "strength": strength(h.kinds), "kinds": list(h.kinds)} for h in resp.hits]
    hits.sort(key=lambda x: x["strength"] != "hit")
    return ctx.render(
        "check.html",
        result={"hits": hits, "strong": any(x["strength"] == "hit" for x in hits)},
        problem="",
    )


ROUTES = [
    Route("/inbox", inbox),
    Route("/alerts/{origin}/{alert_id}", alert),
    Route("/check", check, methods=["GET", "POST"]),
]
