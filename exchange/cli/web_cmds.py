"""`exchange web`: the web console for the node's people, a process of its own beside the node.

It reaches the node only through the Operator socket (the node must run) and holds no
privilege: each person signs in and the node checks their role on every call."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from exchange.cli.common import config_option, echo, json_option, load_config, print_json

MAX_CONNECTIONS = 128


@click.command()
@config_option
@click.option(
    "--listen",
    default=None,
    help="HOST:PORT (default [web] listen, else 127.0.0.1:8080); beyond loopback TLS is required.",
)
@json_option
def web(config_path: Path | None, listen: str | None, as_json: bool) -> None:
    """Serve the web console of this node (sign-in, inbox, checks, records, documents)."""
    import uvicorn

    from exchange.web import app as web_app
    from exchange.web import settings as web_settings

    cfg = load_config(config_path)
    settings = web_settings.load(cfg.source or Path("."), listen)
    application = web_app.build(cfg, settings)
    scheme = "https" if settings.tls else "http"
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    address = f"{scheme}://{host}:{settings.port}/"
    if as_json:
        print_json({"country": cfg.country, "url": address})
    else:
        echo(f"console of the {cfg.country} node on {address}")
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)  # paths only; no bodies
    uvicorn.run(
        application,
        host=settings.host,
        port=settings.port,
        ssl_certfile=str(settings.tls_cert) if settings.tls_cert else None,
        ssl_keyfile=str(settings.tls_key) if settings.tls_key else None,
        log_level="info",
        access_log=False,
        server_header=False,
        proxy_headers=False,
        limit_concurrency=MAX_CONNECTIONS,  # past it: 503, rather than memory for everyone
        timeout_keep_alive=5,
    )
