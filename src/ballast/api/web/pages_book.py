"""The book's pages: the overview (AUM, accounts out of band, pending proposals, breaches,
kill switches), the accounts list and one account (allocation against target, holdings, lots,
its proposal and the journal entries naming it)."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from ballast.api.auth import store_of
from ballast.api.routes_book import book_of, summary_of
from ballast.api.web.charts import Slice, allocation_svg, value_svg
from ballast.api.web.session import PageRoute, Viewer
from ballast.api.web.views import is_htmx, render
from ballast.domain import BallastError, ConfigError
from ballast.engine import overview, service
from ballast.engine.approvals import page_proposals
from ballast.engine.audit import journal
from ballast.engine.nav import Scope, ScopeKind, nav_series
from ballast.engine.weights import model_weights

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PER_PAGE = 50
OUT_OF_BAND_SHOWN = 15
PERFORMANCE_DAYS = 365


@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request, principal: Viewer) -> Response:
    """The book at a glance."""
    store = store_of(request)
    view, computed_at = book_of(request).get()
    summary = summary_of(request).get()[0]
    out_of_band = (page_proposals(store, summary.run_id, 0, OUT_OF_BAND_SHOWN, "trade")[0]
                   if summary is not None else [])
    return render(request, "overview.html", principal, view=view, summary=summary,
                  computed_at=computed_at, out_of_band=out_of_band,
                  switches=overview.engaged_switches(store))


@router.get("/partials/kill-switch", response_class=HTMLResponse)
def kill_switch_card(request: Request, principal: Viewer) -> Response:
    """The kill-switch card alone (the overview refreshes it)."""
    return render(request, "partials/kill_switch_card.html", principal,
                  switches=overview.engaged_switches(store_of(request)))


@router.get("/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, principal: Viewer,
                  q: Annotated[str, Query(max_length=64)] = "",
                  offset: Annotated[int, Query(ge=0)] = 0) -> Response:
    """Every account with its value, filtered by ``q`` (id, name or household)."""
    rows = book_of(request).get()[0].accounts
    needle = q.strip().lower()
    if needle:
        rows = [r for r in rows if needle in f"{r.account_id} {r.name} {r.household}".lower()]
    template = "partials/accounts_table.html" if is_htmx(request) else "accounts.html"
    return render(request, template, principal, rows=rows[offset:offset + PER_PAGE],
                  total=len(rows), q=q, offset=offset, per_page=PER_PAGE)


def allocation(view: overview.AccountView, targets: dict[str, float],
               cash_target: float | None) -> list[Slice]:
    """Each holding's (and cash's) share of the account's whole value against its target;
    targets the account does not hold are shown at 0%."""
    total = view.account.value
    held = {p.symbol: p.market_value for p in view.positions}
    slices = []
    for symbol in sorted(set(held) | set(targets)):
        value = held.get(symbol, 0.0)
        weight = value / total if total > 0 and math.isfinite(value) else math.nan
        slices.append(Slice(symbol, weight, targets.get(symbol) if targets else None))
    slices.append(Slice("cash", view.account.cash / total if total > 0 else math.nan,
                        cash_target))
    return slices


@router.get("/accounts/{account_id}", response_class=HTMLResponse)
def account_page(request: Request, principal: Viewer, account_id: str) -> Response:
    """One account: allocation chart, holdings, lots, its proposal and its journal."""
    store = store_of(request)
    view = overview.account_view(store, account_id)
    targets: dict[str, float] = {}
    cash_target: float | None = None
    model_note = ""
    try:
        with store.transaction() as tx:
            targets, cash_target = model_weights(tx, view.account.model)
    except ConfigError as exc:
        model_note = str(exc)
    chart = allocation_svg(allocation(view, targets, cash_target),
                           f"Allocation of {view.account.account_id} against model "
                           f"{view.account.model}")
    entries = list(reversed(journal(store, f"account:{account_id}", 50)))
    return render(request, "account.html", principal, view=view, chart=chart,
                  model_note=model_note, entries=entries)


@router.get("/accounts/{account_id}/performance", response_class=HTMLResponse)
def account_performance(request: Request, principal: Viewer, account_id: str) -> Response:
    """The account's value over the trailing year, its returns against its benchmark and its
    risk (the account page loads them after the page itself: they are the slow part)."""
    store = store_of(request)
    with store.transaction() as tx:
        end = tx.last_price_date() or date.today()
    start = end - timedelta(days=PERFORMANCE_DAYS)
    context: dict[str, Any] = {"chart": None, "report": None, "note": "", "risk": None,
                                  "risk_note": ""}
    try:
        series = nav_series(store, Scope(ScopeKind.ACCOUNT, account_id), start, end)
        context["report"] = service.performance(store, "account", account_id,
                                                f"{start}..{end}")
        days = [date.fromisoformat(str(d)) for d in series.days]
        context["chart"] = value_svg(days, [float(v) for v in series.value],
                                     f"Value of {account_id} from {start} to {end}")
    except BallastError as exc:
        context["note"] = str(exc)
    try:
        context["risk"] = service.risk(store, account=account_id)
    except BallastError as exc:
        context["risk_note"] = str(exc)
    return render(request, "partials/performance.html", principal, **context)
