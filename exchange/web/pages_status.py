"""Status: the node, its peers and links, outboxes, alarms and record deadlines due."""

from __future__ import annotations

from datetime import UTC

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from exchange._proto.v1 import operator_pb2
from exchange.web.console import Ctx, page


@page("Status")
async def status(request: Request, ctx: Ctx) -> Response:
    st = await ctx.call("Status", operator_pb2.StatusRequest())
    peers = [
        {
            "p": p,
            "last": p.last_contact.ToDatetime(UTC) if p.last_contact.seconds else None,
        }
        for p in st.peers
    ]
    return ctx.render("status.html", st=st, peers=peers)


@page("KeysStatus")
async def trust(request: Request, ctx: Ctx) -> Response:
    """Administrators: the region's trust as this node holds it (read-only)."""
    ks = await ctx.call("KeysStatus", operator_pb2.KeysStatusRequest())
    keys = [
        {
            "k": k,
            "from": k.valid_from.ToDatetime(UTC) if k.valid_from.seconds else None,
            "until": k.valid_until.ToDatetime(UTC) if k.valid_until.seconds else None,
        }
        for k in ks.keys
    ]
    expires = ks.bundle_expires.ToDatetime(UTC) if ks.bundle_expires.seconds else None
    return ctx.render("trust.html", ks=ks, keys=keys, expires=expires)


ROUTES = [Route("/status", status), Route("/trust", trust)]
