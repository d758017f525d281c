"""Amend or withdraw one of this node's own alerts (publisher), from the alert's page.

Two small POST forms, each with the session's CSRF token and an idempotency key made when the
page was shown (a form sent twice makes one version). The console checks the role first; the
node checks it again, refuses an alert that is not its own, runs the personal-data guard on a
new summary (published only with a reason, which it audits), and audits every change with the
user's name."""

from __future__ import annotations

import secrets

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from exchange._proto.v1 import operator_pb2
from exchange.alerts import model
from exchange.alerts.input import alert_from_mapping
from exchange.errors import Error
from exchange.web.console import Ctx, page
from exchange.web.nodecall import NodeError

MAX_REASON = 200


def _id(request: Request) -> str:
    alert_id = str(request.path_params["alert_id"])[:40]
    if not alert_id.replace("-", "").isalnum():
        raise NodeError(404, "no such alert")
    return alert_id


def _key(form: FormData) -> str:
    key = str(form.get("key", ""))[:64]
    return key if key.isalnum() else secrets.token_hex(16)


@page("AmendAlert", post=True)
async def amend(request: Request, ctx: Ctx) -> Response:
    alert_id, form = _id(request), request.state.form
    risk = str(form.get("risk", ""))[:10]
    summary = str(form.get("summary", "")).strip()[: model.MAX_SUMMARY + 1]
    data = {k: v for k, v in (("risk", risk), ("summary", summary)) if v}
    if not data:
        raise NodeError(400, "change the risk or the summary (or both), then send")
    try:
        changes = alert_from_mapping(data)
    except Error as err:
        raise NodeError(400, err.message) from None
    rec = await ctx.call(
        "AmendAlert",
        operator_pb2.AmendAlertRequest(
            alert_id=alert_id,
            changes=changes,
            fields=sorted(data),
            allow_pii_reason=str(form.get("allow_pii_reason", "")).strip()[:MAX_REASON],
            idempotency_key=_key(form),
        ),
    )
    return ctx.redirect(f"/alerts/{rec.alert.origin}/{rec.alert.alert_id}")


@page("WithdrawAlert", post=True)
async def withdraw(request: Request, ctx: Ctx) -> Response:
    alert_id, form = _id(request), request.state.form
    if form.get("confirm") != "on":
        raise NodeError(400, "tick the box to confirm: a withdrawal cannot be undone")
    rec = await ctx.call(
        "WithdrawAlert",
        operator_pb2.WithdrawAlertRequest(
            alert_id=alert_id,
            reason=str(form.get("reason", "")).strip()[:MAX_REASON],
            idempotency_key=_key(form),
        ),
    )
    return ctx.redirect(f"/alerts/{rec.alert.origin}/{rec.alert.alert_id}")


ROUTES = [
    Route("/alerts/{alert_id}/amend", amend, methods=["POST"]),
    Route("/alerts/{alert_id}/withdraw", withdraw, methods=["POST"]),
]
