"""The console's ASGI app: routes, static files and the headers every response carries."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exchange.config import NodeConfig
from exchange.web import (
    pages_alerts,
    pages_amend,
    pages_audit,
    pages_auth,
    pages_docs,
    pages_publish,
    pages_records,
    pages_status,
)
from exchange.web.console import MAX_FORM, STATIC, Console
from exchange.web.settings import WebSettings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeaders:
    """Every response: the strict CSP and friends; pages (not static files) are never cached."""

    def __init__(self, app: ASGIApp, tls: bool) -> None:
        self.app, self.tls = app, tls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(HEADERS)
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                if self.tls:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with)


class _TooLarge(Exception):
    pass


def body_limit(path: str) -> int:
    """The most bytes a request to path may send: uploads on their two pages, else a form."""
    if path == "/documents/publish":
        return pages_docs.MAX_UPLOAD + 65536
    if path.startswith("/records/") and path.endswith("/approve"):
        return pages_records.MAX_ATTACHMENTS * pages_records.MAX_ATTACH + 65536
    return MAX_FORM


class BodyLimit:
    """Counts the bytes each request actually sends, whatever its content-length says (a
    chunked body has none), and answers 413 past body_limit: nothing a client sends is read
    into memory without a bound."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, got, started = body_limit(str(scope.get("path", ""))), 0, False

        async def counted() -> Message:
            nonlocal got
            message = await receive()
            if message["type"] == "http.request":
                got += len(message.get("body", b""))
                if got > limit:
                    raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if started:
                raise
            await send({"type": "http.response.start", "status": 413,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")]})  # fmt: skip
            await send({"type": "http.response.body", "body": b"Request too large.\n"})


def build(config: NodeConfig, settings: WebSettings) -> Starlette:
    console = Console(config, settings)
    routes = [
        *pages_auth.ROUTES,
        *pages_amend.ROUTES,
        *pages_alerts.ROUTES,
        *pages_records.ROUTES,
        *pages_docs.ROUTES,
        *pages_status.ROUTES,
        *pages_audit.ROUTES,
        *pages_publish.ROUTES,
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.console = console
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders, tls=settings.tls)
    return app


__all__ = ["Route", "build"]
