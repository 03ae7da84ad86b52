"""Households, accounts with their holdings and lots, drift, and the book overview."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from ballast.api.auth import require, store_of
from ballast.api.cache import Cached, Responses, json_response, kept_json
from ballast.api.convert import (
    account_out,
    account_page,
    lot_out,
    position_out,
    summary_out,
    switch_out,
)
from ballast.api.generation import Generation
from ballast.api.schemas import (
    MAX_INT,
    AccountOut,
    AccountPage,
    DriftOut,
    HouseholdOut,
    LotOut,
    OverviewOut,
    Page,
    PositionOut,
)
from ballast.domain import UnknownReference
from ballast.engine import overview, service
from ballast.engine.approvals import page_proposals
from ballast.engine.users import Permission

router = APIRouter(prefix="/api", tags=["book"],
                   dependencies=[Depends(require(Permission.READ))])
Offset = Annotated[int, Query(ge=0, le=MAX_INT, description="Items to skip.")]
Limit = Annotated[int, Query(ge=1, le=500, description="Items per page (at most 500).")]


def book_of(request: Request) -> Cached[overview.BookView]:
    """The app's cached book view."""
    cache: Cached[overview.BookView] = request.app.state.book
    return cache


def generation_of(request: Request) -> Hashable:
    """The store's write generation now (read once per request)."""
    generation: Generation = request.app.state.generation
    return generation.current()


def responses_of(request: Request) -> Responses:
    """The app's kept response bodies."""
    responses: Responses = request.app.state.responses
    return responses


def run_of(request: Request) -> Cached[overview.RunIndex | None]:
    """The app's cached index of the latest run."""
    cache: Cached[overview.RunIndex | None] = request.app.state.run
    return cache


class SummaryCache:
    """The latest run's summary, read from the cached run index."""

    def __init__(self, run: Cached[overview.RunIndex | None]) -> None:
        self._run = run

    def get(self) -> tuple[overview.RunSummary | None, datetime]:
        """The summary (None without a run) and when it was computed."""
        index, at = self._run.get()
        return (index.summary if index else None), at

    def refresh(self) -> tuple[overview.RunSummary | None, datetime]:
        """Recompute the run index now."""
        index, at = self._run.refresh()
        return (index.summary if index else None), at

    def invalidate(self) -> None:
        """Mark the run index stale."""
        self._run.invalidate()


def summary_of(request: Request) -> SummaryCache:
    """The app's cached summary of the latest run."""
    return SummaryCache(run_of(request))


@router.get("/overview", response_model=OverviewOut)
async def get_overview(request: Request) -> Response:
    """AUM, accounts, the latest run (out of band, breaches, pending approvals) and the kill
    switches engaged; valued at ``computed_at`` (a change to the book starts a new valuation,
    served once done)."""
    generation = generation_of(request)
    view, at = await book_of(request).aget()
    index, run_at = await run_of(request).aget()

    def build() -> OverviewOut:
        return OverviewOut(as_of=view.as_of, aum=view.aum, cash=view.cash,
                           households=view.households, accounts=len(view.accounts),
                           latest_run=summary_out(index.summary) if index else None,
                           kill_switches=[switch_out(k) for k in
                                          overview.engaged_switches(store_of(request))],
                           computed_at=at)

    return kept_json(responses_of(request), ("overview", generation, at, run_at), build)


@router.get("/households", response_model=list[HouseholdOut])
def get_households(request: Request) -> list[HouseholdOut]:
    """Every household with its number of accounts."""
    return [HouseholdOut(id=h.id, name=h.name, accounts=h.accounts)
            for h in service.households(store_of(request))]


@router.get("/accounts", response_model=Page[AccountOut])
def get_accounts(request: Request, offset: Offset = 0, limit: Limit = 50,
                 household: Annotated[str | None, Query(max_length=64)] = None
                 ) -> Page[AccountOut]:
    """Accounts with their value (from the book view), by id, a page at a time."""
    rows = book_of(request).get()[0].accounts
    if household is not None:
        rows = [r for r in rows if r.household_id == household]
    return Page[AccountOut](total=len(rows), offset=offset, limit=limit,
                            items=[account_out(r) for r in rows[offset:offset + limit]])


@router.get("/accounts/{account_id}", response_model=AccountPage)
async def get_account(request: Request, account_id: str,
                      run_id: Annotated[int | None, Query(ge=1)] = None) -> Response:
    """One account: value, positions, open lots, and its latest proposal with trades (values
    from the book view, valued at the overview's ``computed_at``)."""
    store = store_of(request)
    if run_id is not None:
        return json_response(account_page(await run_in_threadpool(
            overview.account_view, store, account_id, run_id)))
    generation = generation_of(request)
    book, at = await book_of(request).aget()
    run, run_at = await run_of(request).aget()
    return kept_json(responses_of(request), ("account", account_id, generation, at, run_at),
                     lambda: account_page(overview.cached_account_view(store, account_id,
                                                                       book, run)))


@router.get("/accounts/{account_id}/holdings", response_model=list[PositionOut])
def get_holdings(request: Request, account_id: str) -> list[PositionOut]:
    """An account's positions with price, value, cost basis and weight."""
    view = overview.account_view(store_of(request), account_id)
    return [position_out(p) for p in view.positions]


@router.get("/accounts/{account_id}/lots", response_model=list[LotOut])
def get_lots(request: Request, account_id: str) -> list[LotOut]:
    """An account's open tax lots."""
    view = overview.account_view(store_of(request), account_id)
    return [lot_out(x) for x in view.lots]


@router.get("/drift", response_model=Page[DriftOut])
def get_drift(request: Request, run_id: Annotated[int | None, Query(ge=1)] = None,
              offset: Offset = 0, limit: Limit = 50,
              status: Annotated[str | None, Query(pattern="^(trade|no_action|skipped)$")] = None
              ) -> Page[DriftOut]:
    """Each account's drift from its model before and after the proposed trades, as the
    latest rebalance run (or run ``run_id``) measured it."""
    store = store_of(request)
    chosen = run_id or overview.latest_run_id(store)
    if chosen is None:
        raise UnknownReference("no rebalance run yet: drift is measured by a run",
                               hint="POST /api/runs (portfolio manager) makes one.")
    page, total = page_proposals(store, chosen, offset, limit, status)
    return Page[DriftOut](total=total, offset=offset, limit=limit, items=[
        DriftOut(run_id=chosen, account_id=p.account_id, status=p.status, model=p.model,
                 drift_before=p.drift_before, drift_after=p.drift_after, reasons=p.reasons)
        for p in page])
