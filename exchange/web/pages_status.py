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


ROUTES = [Route("/status", status)]
