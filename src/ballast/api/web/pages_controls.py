"""Risk and compliance (the latest run's breaches, the approval policy, the kill switches and
their history; engage or disengage with a reason) and the audit journal (verification and the
newest entries)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse

from ballast.api.auth import store_of
from ballast.api.routes_book import summary_of
from ballast.api.web.session import PageRoute, Poster, Viewer
from ballast.api.web.views import done, render
from ballast.engine import approvals, kill_switch, overview, service
from ballast.engine.audit import journal, verify_journal
from ballast.engine.users import Permission

router = APIRouter(route_class=PageRoute, include_in_schema=False)
HISTORY_SHOWN = 20
Reason = Annotated[str, Form(min_length=1, max_length=500)]
Target = Annotated[str, Form(max_length=64)]
Scope = Annotated[str, Form(pattern="^(global|account|broker)$")]


@router.get("/compliance", response_class=HTMLResponse)
def compliance_page(request: Request, principal: Viewer) -> Response:
    """Breaches of the latest run's check, the approval policy and the kill switches."""
    store = store_of(request)
    run_id = overview.latest_run_id(store)
    breaches = service.violations(store, run_id) if run_id is not None else []
    history = list(reversed(kill_switch.history(store)))[:HISTORY_SHOWN]
    return render(request, "compliance.html", principal, run_id=run_id, breaches=breaches,
                  switches=kill_switch.status(store), history=history,
                  policy=approvals.load_policy(store))


def _target(scope: str, target: str) -> tuple[str | None, str | None]:
    """(account, broker) of the chosen scope."""
    name = target.strip() or None
    return (name if scope == "account" else None, name if scope == "broker" else None)


@router.post("/kill-switch/engage")
def engage(request: Request, principal: Poster, reason: Reason, scope: Scope = "global",
           target: Target = "") -> Response:
    """Engage a kill switch (compliance or trader): no order of its scope leaves."""
    principal.require(Permission.ENGAGE_KILL_SWITCH)
    return _switch(request, kill_switch.engage, principal.name, reason, scope, target,
                   "engaged", "was engaged already")


@router.post("/kill-switch/disengage")
def disengage(request: Request, principal: Poster, reason: Reason, scope: Scope = "global",
              target: Target = "") -> Response:
    """Disengage a kill switch (compliance only)."""
    principal.require(Permission.DISENGAGE_KILL_SWITCH)
    return _switch(request, kill_switch.disengage, principal.name, reason, scope, target,
                   "disengaged", "was not engaged")


def _switch(request: Request, action: Callable[..., bool], user: str, reason: str, scope: str,
            target: str, changed: str, unchanged: str) -> Response:
    """Engage or disengage the switch of the chosen scope and say which happened."""
    account, broker = _target(scope, target)
    did = action(store_of(request), reason=reason, user=user, account=account, broker=broker)
    summary_of(request).invalidate()
    what = service.scope_of(account, broker)
    return done(request, "/compliance", f"Kill switch {what} {changed if did else unchanged}.")


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, principal: Viewer,
               subject: Annotated[str, Query(max_length=200)] = "",
               limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> Response:
    """Whether the journal's hash chain is intact, and its newest entries."""
    store = store_of(request)
    entries = list(reversed(journal(store, subject.strip() or None, limit)))
    return render(request, "audit.html", principal, verification=verify_journal(store),
                  entries=entries, subject=subject, limit=limit)
