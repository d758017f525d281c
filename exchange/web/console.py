"""What every page shares: the session of a request, role checks, CSRF, rendering.

A page is an async function taking (request, Ctx); `page(method)` wraps it: it finds the
session (a new anonymous one if none), sets the language, sends the unsigned-in to the
sign-in page, and refuses a role that may not call `method` with a 403 after asking the node
(WhoAmI with check_method), so the refusal is audited with the user's name exactly as the node
audits a refused call. POSTs must carry the session's CSRF token."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from exchange._proto.v1 import user_ops_pb2
from exchange.config import NodeConfig
from exchange.records.roles import allowed
from exchange.web import i18n, labels
from exchange.web.nodecall import NodeClient, NodeError
from exchange.web.sessions import Sessions, WebSession
from exchange.web.settings import WebSettings

HERE = Path(__file__).parent
STATIC = HERE / "static"
MAX_FORM = 64 * 1024
# Vendored static files and their sha256 (a test checks the files against these).
PINNED = {
    "htmx.min.js": "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717",
}


def sri(name: str) -> str:
    """The Subresource Integrity value of a static file."""
    import base64

    digest = hashlib.sha384((STATIC / name).read_bytes()).digest()
    return "sha384-" + base64.b64encode(digest).decode()


class Console:
    """The console's one state: node client, sessions, templates."""

    def __init__(self, config: NodeConfig, settings: WebSettings) -> None:
        self.config = config
        self.settings = settings
        self.node = NodeClient(config)
        self.sessions = Sessions(settings.idle_minutes * 60.0, settings.absolute_hours * 3600.0)
        self.cookie = "__Host-exsid" if settings.tls else "exsid"
        i18n.load()
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,  # everywhere, whatever the file name
            extensions=["jinja2.ext.i18n"],
            undefined=jinja2.StrictUndefined,
        )
        self.env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
        self.env.globals.update(
            when=i18n.when,
            number=i18n.number,
            language_name=i18n.language_name,
            LANGUAGES=i18n.LANGUAGES,
            L=labels,
            sri={n: sri(n) for n in PINNED},
            country=config.country,
        )


@dataclass
class Ctx:
    console: Console
    session: WebSession
    new_cookie: bool = False

    @property
    def token(self) -> str:
        return self.session.token

    async def call(self, method: str, req: Any) -> Any:
        return await self.console.node.call(method, req, self.session.token)

    def render(self, template: str, status: int = 200, **values: Any) -> Response:
        role = self.session.role
        html = self.console.env.get_template(template).render(
            s=self.session,
            csrf=self.session.csrf,
            may=lambda method: bool(role) and allowed(method, role),
            **values,
        )
        return self.finish(HTMLResponse(html, status_code=status))

    def redirect(self, url: str) -> Response:
        return self.finish(RedirectResponse(url, status_code=303))

    def finish(self, resp: Response) -> Response:
        if self.new_cookie:
            set_cookie(self.console, resp, self.session.sid)
        return resp


def set_cookie(console: Console, resp: Response, sid: str) -> None:
    resp.set_cookie(
        console.cookie,
        sid,
        httponly=True,
        secure=console.settings.tls,
        samesite="strict",
        path="/",
        max_age=int(console.settings.absolute_hours * 3600),
    )


def ctx_of(request: Request) -> Ctx:
    console: Console = request.app.state.console
    sid = request.cookies.get(console.cookie, "")
    s = console.sessions.get(sid) if sid else None
    new = s is None
    if s is None:
        s = console.sessions.new(i18n.pick(request.cookies.get("lang", "")))
    i18n.CURRENT.set(s.lang)
    return Ctx(console, s, new)


async def form_of(request: Request, ctx: Ctx) -> FormData | None:
    """The POSTed form if its CSRF token is this session's, else None."""
    if int(request.headers.get("content-length") or 0) > MAX_FORM:
        return None
    form = await request.form(max_files=0, max_fields=200)
    sent = form.get("csrf")
    if not isinstance(sent, str) or not hmac.compare_digest(sent, ctx.session.csrf):
        return None
    return form


Handler = Callable[[Request, Ctx], Awaitable[Response]]


def page(
    method: str | None, *, post: bool = False, anonymous: bool = False
) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """An endpoint: signed in (unless anonymous), allowed `method`, CSRF-checked if post."""

    def wrap(fn: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            ctx = ctx_of(request)
            if not anonymous and not ctx.session.signed_in:
                if request.method == "POST":
                    return ctx.render("error.html", 401, title="Signed out", err=None)
                return ctx.redirect("/signin")
            if post and request.method == "POST":
                form = await form_of(request, ctx)
                if form is None:
                    return ctx.render("error.html", 403, title="Form refused", err=None,
                                      csrf_refused=True)  # fmt: skip
                request.state.form = form
            try:
                if method and not allowed(method, ctx.session.role):
                    await ctx.call("WhoAmI", user_ops_pb2.WhoAmIRequest(check_method=method))
                    raise NodeError(403, "your role may not use this page")
                return await fn(request, ctx)
            except NodeError as err:
                if err.status == 401:  # the node no longer knows the token: signed out
                    ctx.console.sessions.drop(ctx.session.sid)
                    return ctx.redirect("/signin")
                return ctx.render("error.html", err.status, title="Refused", err=err)

        endpoint.__name__ = fn.__name__
        return endpoint

    return wrap


def now() -> datetime:
    return datetime.now(UTC)
