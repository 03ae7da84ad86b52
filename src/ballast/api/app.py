"""The FastAPI application: ``create_app(store)`` builds it (routers, authentication,
error handlers, request logging and metrics); ``ballast serve`` runs it with uvicorn.

The dashboard reuses it: add routers with ``app.include_router`` and use
:func:`ballast.api.auth.current_principal` / :func:`ballast.api.auth.require` for access, and
``app.state.book`` / ``app.state.run`` for the cached book view and latest run, both keyed by
the store's write generation (``app.state.generation``, see :mod:`ballast.api.cache`)."""

from __future__ import annotations

from fastapi import FastAPI

from ballast.api import errors
from ballast.api.auth import router as auth_router
from ballast.api.cache import Cached, Responses
from ballast.api.generation import Generation
from ballast.api.observability import Metrics, RequestMiddleware, configure_logging
from ballast.api.principals import Principals
from ballast.api.routes_admin import router as admin_router
from ballast.api.routes_book import router as book_router
from ballast.api.routes_controls import router as controls_router
from ballast.api.routes_onboarding import router as onboarding_router
from ballast.api.routes_ops import router as ops_router
from ballast.api.routes_records import router as records_router
from ballast.api.routes_runs import router as runs_router
from ballast.api.web import mount_dashboard
from ballast.engine import kill_switch, overview
from ballast.engine.service import Store, reader
from ballast.engine.workspace import open_store

RESPONSES_KEPT = 4096  # read endpoints' JSON bodies kept (about 10 kB each for account pages)


def create_app(store: Store) -> FastAPI:
    """The API over ``store`` (migrated by the caller)."""
    app = FastAPI(
        title="ballast", version="0.1.0",
        description="Portfolio automation engine: book of record, rebalancing, compliance, "
        "approvals, execution and audit. Authenticate with `Authorization: Bearer <token>` "
        "(`ballast token create USER`) or the dashboard's session cookie.")
    app.state.store = store
    app.state.reads = reads = reader(store)
    app.state.generation = generation = Generation(store)
    app.state.book = Cached(lambda: overview.book_view(reads), generation.current, exact=False)
    run: Cached[overview.RunIndex | None] = Cached(lambda: overview.run_index(reads),
                                                   generation.current, exact=True)
    app.state.run = run
    app.state.responses = Responses(RESPONSES_KEPT)
    app.state.principals = Principals(generation.current)

    def pending() -> float:
        index = run.get()[0]
        return float(index.summary.pending_approval if index else 0)

    app.state.metrics = metrics = Metrics({
        "ballast_pending_approvals": ("Proposals of the latest run waiting for a person",
                                      pending),
        "ballast_kill_switches_engaged": ("Kill switches engaged now",
                                          lambda: float(len(kill_switch.status(reads)))),
    })
    errors.install(app)
    app.add_middleware(RequestMiddleware, metrics=metrics, on_error=errors.unexpected_error)
    for router in (ops_router, auth_router, book_router, runs_router, controls_router,
                   records_router, admin_router, onboarding_router):
        app.include_router(router)
    mount_dashboard(app)
    return app


def app_from_environment() -> FastAPI:
    """The app of one ``ballast serve --workers N`` process: JSON logs, and the store at
    ``$BALLAST_DATABASE_URL`` (which ``serve`` sets and migrates before it starts them)."""
    configure_logging()
    return create_app(open_store())
