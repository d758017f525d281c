"""Sign-in, sign-out and the language: the only pages an unsigned-in browser reaches.

The password (or API token) goes to the node, which checks it, counts failures and audits;
the console keeps the token it gets back and gives the browser only a new session id."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from exchange._proto.v1 import user_ops_pb2
from exchange.records.roles import MAX_PASSWORD
from exchange.web import i18n
from exchange.web.console import Ctx, page, set_cookie
from exchange.web.nodecall import NodeError

LOCAL_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9/_.-]*")  # a path of this console, never //host


def home_of(role: str) -> str:
    return "/audit" if role == "auditor" else "/inbox"


@page(None, anonymous=True)
async def root(request: Request, ctx: Ctx) -> Response:
    return ctx.redirect(home_of(ctx.session.role) if ctx.session.signed_in else "/signin")


@page(None, anonymous=True, post=True)
async def signin(request: Request, ctx: Ctx) -> Response:
    if request.method == "GET":
        if ctx.session.signed_in:
            return ctx.redirect(home_of(ctx.session.role))
        return ctx.render("signin.html", err=None)
    form = request.state.form
    name = str(form.get("name", ""))[:64].strip()
    password = str(form.get("password", ""))[: MAX_PASSWORD + 1]
    api_token = str(form.get("api_token", ""))[:200].strip()
    source = request.client.host if request.client else "unknown"
    req = user_ops_pb2.SignInRequest(source=source)
    if api_token:
        req.api_token = api_token
    else:
        req.name, req.password = name, password
    try:
        got = await ctx.console.node.call("SignIn", req, "")
    except NodeError as err:
        status = err.status if err.status in (400, 429, 503) else 401
        return ctx.render("signin.html", status, err=err)
    s = ctx.console.sessions.signed_in(ctx.session, got.name, got.role, got.token)
    ctx.new_cookie = False  # the signed-in session's cookie replaces the anonymous one
    resp = ctx.redirect(home_of(got.role))
    set_cookie(ctx.console, resp, s.sid)
    return resp


@page(None, post=True)
async def signout(request: Request, ctx: Ctx) -> Response:
    try:
        await ctx.call("SignOut", user_ops_pb2.SignOutRequest())
    finally:
        ctx.console.sessions.drop(ctx.session.sid)
    ctx.new_cookie = False
    resp = ctx.redirect("/signin")
    resp.delete_cookie(ctx.console.cookie, path="/", secure=ctx.console.settings.tls,
                       httponly=True, samesite="strict")  # fmt: skip
    return resp


@page(None, anonymous=True, post=True)
async def language(request: Request, ctx: Ctx) -> Response:
    lang = i18n.pick(str(request.state.form.get("lang", "")))
    ctx.session.lang = lang
    back = str(request.state.form.get("back", "/"))[:200]
    resp = ctx.redirect(back if LOCAL_PATH.fullmatch(back) else "/")
    resp.set_cookie("lang", lang, samesite="strict", secure=ctx.console.settings.tls,
                    httponly=True, max_age=365 * 86400, path="/")  # fmt: skip
    return resp


ROUTES = [
    Route("/", root),
    Route("/signin", signin, methods=["GET", "POST"]),
    Route("/signout", signout, methods=["POST"]),
    Route("/language", language, methods=["POST"]),
]
