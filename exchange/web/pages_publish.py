"""Publish an alert (publisher): the form is previewed first, showing what the personal-data
guard finds in the free text and the policy's answer for every peer (sent or withheld, and
with which fields), and only then sent. The preview runs in the console over the node's own
policy file and guard lists (the same pure functions the node runs); the node checks both
again when it publishes, and a text the guard flags is published only with a reason, which
the node audits."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from exchange._proto.v1 import operator_pb2
from exchange.alerts import model
from exchange.alerts.input import alert_from_mapping
from exchange.alerts.pii import find_pii, use_country_lists
from exchange.errors import Error
from exchange.policy import load_policy
from exchange.policy.evaluate import evaluate
from exchange.policy.model import MANDATORY_FIELDS
from exchange.web.console import Ctx, page
from exchange.web.nodecall import NodeError

TEXT_FIELDS = ("summary", "action_requested", "facility_region")
LIMITS = {"summary": model.MAX_SUMMARY, "action_requested": model.MAX_ACTION,
          "facility_region": model.MAX_REGION}  # fmt: skip


def _mask(excerpt: str) -> str:
    """First and last character only (as `exchange pii check`): enough to find it."""
    if len(excerpt) <= 2:
        return "*" * len(excerpt)
    return excerpt[0] + "*" * min(len(excerpt) - 2, 20) + excerpt[-1]


def _draft(form: Any) -> dict[str, str]:
    d = {
        "category": str(form.get("category", ""))[:40],
        "risk": str(form.get("risk", ""))[:10],
        "handling": str(form.get("handling", ""))[:3],
        "valid_until": str(form.get("valid_until", ""))[:10],
    }
    for f in TEXT_FIELDS:
        d[f] = str(form.get(f, ""))[: LIMITS[f] + 1]
    return d


def _mapping(d: dict[str, str]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v}


@page("PublishAlert", post=True)
async def publish(request: Request, ctx: Ctx) -> Response:
    cats = {k: v[1] for k, v in model.CATEGORIES.items()}
    if request.method == "GET":
        return ctx.render("publish.html", d=None, cats=cats, preview=None, problem="")
    form = request.state.form
    d = _draft(form)
    try:
        alert = alert_from_mapping(_mapping(d))
    except Error as err:
        return ctx.render("publish.html", 400, d=d, cats=cats, preview=None, problem=err.message)
    if form.get("action") == "send":
        reason = str(form.get("allow_pii_reason", "")).strip()[:200]
        key = str(form.get("key", ""))[:64] or secrets.token_hex(16)
        rec = await ctx.call(
            "PublishAlert",
            operator_pb2.PublishAlertRequest(alert=alert, allow_pii_reason=reason,
                                             idempotency_key=key),
        )  # fmt: skip
        return ctx.redirect(f"/alerts/{rec.alert.origin}/{rec.alert.alert_id}")
    cfg = ctx.console.config
    if cfg.policy is None:
        raise NodeError(409, "this node has no policy file")
    policy = load_policy(cfg.policy, cfg.country)
    use_country_lists(dict(policy.guard))
    today = datetime.now(UTC).date()
    findings = [
        {"field": f, "kind": x.kind, "at": f"{x.start}-{x.end}", "masked": _mask(x.excerpt)}
        for f in TEXT_FIELDS
        for x in find_pii(d[f], today)
        if d[f]
    ]
    st = await ctx.call("Status", operator_pb2.StatusRequest())
    answers = []
    for p in st.peers:
        dec = evaluate(policy, alert, p.country)
        answers.append(
            {
                "peer": p.country,
                "send": dec.send,
                "fields": sorted(MANDATORY_FIELDS | dec.fields) if dec.send else [],
                "why": list(dec.reasons),
            }
        )
    preview = {"findings": findings, "answers": answers, "key": secrets.token_hex(16)}
    return ctx.render("publish.html", d=d, cats=cats, preview=preview, problem="")


ROUTES = [Route("/publish", publish, methods=["GET", "POST"])]
