"""``ballast serve``: the API (and dashboard) with uvicorn, in one process or ``--workers N``.
Registered on the main app by :func:`register`."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from ballast.engine.workspace import URL_ENV, open_store


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""
    app.command("serve")(serve_cmd)


def serve_cmd(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    db: Annotated[str | None, typer.Option(
        "--db", envvar="BALLAST_DATABASE_URL",
        help="Database URL (default sqlite:///./ballast.db).")] = None,
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="Server processes sharing the port (about one per core; each "
        "keeps its own caches, all keyed by the store's write generation).")] = 1,
) -> None:
    """Serve the REST API (OpenAPI at /docs and /openapi.json), health, readiness and
    Prometheus metrics; logs are JSON lines on standard error."""
    import uvicorn

    from ballast.api import create_app
    from ballast.api.observability import configure_logging

    configure_logging()
    store = open_store(db)  # migrated once, here, before any worker starts
    if workers == 1:
        uvicorn.run(create_app(store), host=host, port=port, log_config=None, access_log=False)
        return
    os.environ[URL_ENV] = store.url
    store.close()
    uvicorn.run("ballast.api.app:app_from_environment", factory=True, workers=workers,
                host=host, port=port, log_config=None, access_log=False)
