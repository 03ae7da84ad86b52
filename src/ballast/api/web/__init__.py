"""The dashboard: server-rendered pages (Jinja2, HTMX for partial updates) on the API's app.
:func:`mount_dashboard` adds its routes and the static files; see docs/dashboard.md."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ballast.api.web import login, pages_book, pages_controls, pages_onboarding, pages_runs
from ballast.api.web.views import STATIC


def mount_dashboard(app: FastAPI) -> None:
    """Serve the dashboard's pages at ``/`` and its static files at ``/static``."""
    for module in (login, pages_book, pages_runs, pages_controls, pages_onboarding):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")


__all__ = ["mount_dashboard"]
