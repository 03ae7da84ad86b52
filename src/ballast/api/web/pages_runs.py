"""Rebalancing review and orders: the runs, a run's proposals (approve or reject one by one or
every pending one, with a reason), one proposal's trades with their rationale and the
violations compliance found, and the orders and fills of an executed run.

Every change goes through the engine's use cases, which check the user's roles, keep
maker-checker (the run's proposer cannot approve it) and write the audit journal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse

from ballast.api.auth import store_of
from ballast.api.routes_book import Offset, book_of, summary_of
from ballast.api.routes_runs import RunId
from ballast.api.web.session import PageRoute, Poster, Viewer
from ballast.api.web.views import done, is_htmx, render
from ballast.domain import UnknownReference
from ballast.engine import approvals, overview, service

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PER_PAGE = 50
Reason = Annotated[str, Form(min_length=1, max_length=500)]
Status = Annotated[str | None, Query(pattern="^(trade|no_action|skipped)$")]


def changed(request: Request) -> None:
    """After a change: the overview's run summary now, the book's valuation soon."""
    summary_of(request).refresh()
    book_of(request).invalidate()


@router.get("/runs", response_class=HTMLResponse)
def runs_page(request: Request, principal: Viewer) -> Response:
    """Every rebalance run, newest first."""
    return render(request, "runs.html", principal, runs=service.runs(store_of(request)))


@router.post("/runs")
def new_run(request: Request, principal: Poster, reason: Reason) -> Response:
    """Run the rebalancer over the book (portfolio manager): a run proposed by the user."""
    run_id = service.request_rebalance(store_of(request), principal, reason)
    changed(request)
    return done(request, f"/runs/{run_id}", f"Run {run_id} proposed.")


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, principal: Viewer, run_id: RunId, status: Status = "trade",
             offset: Offset = 0) -> Response:
    """A run's proposals with compliance's verdict and their approval."""
    store = store_of(request)
    summary = overview.run_summary(store, run_id)
    if summary is None:
        raise UnknownReference(f"no rebalance run {run_id}", field="run_id")
    states, total = approvals.page_states(store, run_id, offset, PER_PAGE, status)
    proposer = next((who for r, who in service.runs(store) if r.id == run_id), None)
    return render(request, "run.html", principal, summary=summary, states=states,
                  total=total, status=status or "", offset=offset, per_page=PER_PAGE,
                  proposer=proposer, policy=approvals.load_policy(store),
                  orders=len(service.orders(store, run_id)))


@router.get("/runs/{run_id}/proposals/{account_id}", response_class=HTMLResponse)
def proposal_page(request: Request, principal: Viewer, run_id: RunId, account_id: str
                  ) -> Response:
    """One proposal: its trades with rationale, the violations, and the decision form."""
    store = store_of(request)
    view = overview.proposal_review(store, run_id, account_id)
    return render(request, "proposal.html", principal, run_id=run_id, view=view,
                  violations=service.violations(store, run_id, account_id))


@router.post("/runs/{run_id}/decide", response_class=HTMLResponse)
def decide(request: Request, principal: Poster, run_id: RunId, reason: Reason,
           decision: Annotated[str, Form(pattern="^(approved|rejected)$")],
           account: Annotated[str, Form(max_length=64)] = "") -> Response:
    """Approve or reject one proposal (``account``) or every pending one (approver)."""
    store = store_of(request)
    accounts = [account] if account else None
    records = approvals.decide(store, run_id, decision, user=principal.name, reason=reason,
                               accounts=accounts)
    changed(request)
    if is_htmx(request) and account:
        state = approvals.proposal_states(store, run_id, [account])[0]
        return render(request, "partials/proposal_row.html", principal, s=state,
                      run_id=run_id)
    what = account or f"{len(records)} proposal(s)"
    return done(request, f"/runs/{run_id}", f"{what}: {decision} by {principal.name}.")


@router.post("/runs/{run_id}/check")
def check(request: Request, principal: Poster, run_id: RunId, reason: Reason) -> Response:
    """Check the run against the stored compliance rules."""
    result = service.request_check(store_of(request), principal, run_id, reason)
    changed(request)
    return done(request, f"/runs/{run_id}", f"Checked: {len(result.denied)} proposal(s) "
                f"denied of {len(result.decisions)}.")


@router.post("/runs/{run_id}/execute")
def execute(request: Request, principal: Poster, run_id: RunId, reason: Reason) -> Response:
    """Send the approved run to the broker (trader)."""
    report = service.execute_run(store_of(request), principal, run_id, reason)
    changed(request)
    return done(request, f"/orders?run={run_id}", f"Run {run_id} executed: {report.orders} "
                f"order(s), {report.fills} fill(s).")


@router.get("/orders", response_class=HTMLResponse)
def orders_page(request: Request, principal: Viewer,
                run: Annotated[int | None, Query(ge=1)] = None) -> Response:
    """The orders and fills of a run (default: the newest run)."""
    store = store_of(request)
    runs = service.runs(store)
    chosen = run if run is not None else (runs[0][0].id if runs else None)
    orders = service.orders(store, chosen) if chosen is not None else []
    fills = service.fills(store, chosen) if chosen is not None else []
    return render(request, "orders.html", principal, runs=runs, chosen=chosen, orders=orders,
                  fills=fills)
