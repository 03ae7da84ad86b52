"""``ballast serve``: the API (and dashboard) with uvicorn. Registered on the main app by
:func:`register`."""

from __future__ import annotations

from typing import Annotated

import typer

from ballast.engine.workspace import open_store


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""
    app.command("serve")(serve_cmd)


def serve_cmd(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    db: Annotated[str | None, typer.Option(
        "--db", envvar="BALLAST_DATABASE_URL",
        help="Database URL (default sqlite:///./ballast.db).")] = None,
) -> None:
    """Serve the REST API (OpenAPI at /docs and /openapi.json), health, readiness and
    Prometheus metrics; logs are JSON lines on standard error."""
    import uvicorn

    from ballast.api import create_app
    from ballast.api.observability import configure_logging

    configure_logging()
    app = create_app(open_store(db))
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)
