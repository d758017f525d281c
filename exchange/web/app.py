"""The console's ASGI app: routes, static files and the headers every response carries."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exchange.config import NodeConfig
from exchange.web import (
    pages_alerts,
    pages_audit,
    pages_auth,
    pages_docs,
    pages_publish,
    pages_records,
    pages_status,
)
from exchange.web.console import STATIC, Console
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


def build(config: NodeConfig, settings: WebSettings) -> Starlette:
    console = Console(config, settings)
    routes = [
        *pages_auth.ROUTES,
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
    app.add_middleware(SecurityHeaders, tls=settings.tls)
    return app


__all__ = ["Route", "build"]
