"""Read models for the service: the book at a glance (AUM, accounts out of band, pending
approvals, breaches, kill switches) with every account's value, and one account's page.
Built to be cheap per request: the whole-book valuation is done once by :func:`book_view` and
kept by the caller; an account page reads one account."""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np

from ballast.compliance.approvals import Basis
from ballast.compliance.kill_switch import KillSwitch
from ballast.domain import Account, AccountId, UnknownReference
from ballast.engine import kill_switch, queries
from ballast.engine.approvals import PENDING, ProposalState, proposal_states
from ballast.engine.rows import AccountRow, LotRow, PositionRow
from ballast.store import AccountProposal, ProposedTrade, Store, UnitOfWork

__all__ = ["AccountView", "BookView", "KillSwitch", "ProposalView", "ProposedTrade", "RunIndex",
           "RunSummary", "account_view", "book_view", "cached_account_view", "engaged_switches",
           "latest_run_id", "proposal_review", "run_index", "run_summary"]


@dataclass(frozen=True, slots=True)
class RunSummary:
    """The latest rebalance run: how many accounts it found out of band, the compliance
    breaches of its latest check, and the proposals waiting for a person."""

    run_id: int
    as_of: date
    created_at: datetime
    accounts: int
    out_of_band: int
    trades: int
    checked: bool
    breaches: int
    pending_approval: int


@dataclass(frozen=True)
class BookView:
    """The book at a glance and every account with its value."""

    as_of: date
    aum: float
    cash: float
    households: int
    accounts: list[AccountRow]
    positions: dict[str, list[PositionRow]]


@dataclass(frozen=True)
class AccountView:
    """One account: its row, positions, open lots, and its latest proposal with trades and
    approval state."""

    account: AccountRow
    positions: list[PositionRow]
    lots: list[LotRow]
    proposal: AccountProposal | None
    trades: list[ProposedTrade]
    approval: ProposalState | None


def run_summary(store: Store, run_id: int | None = None) -> RunSummary | None:
    """The summary of run ``run_id`` (default: the latest), or None when there is none."""
    with store.transaction() as tx:
        runs = tx.rebalance_runs()
        run = next((r for r in runs if run_id in (None, r.id)), None)
        if run is None:
            return None
        checks = tx.checks(run.id)
        latest = max(checks, key=lambda c: c.id) if checks else None
        breaches = len({v.account_id for v in tx.check_violations(latest.id)}) if latest else 0
    pending = sum(1 for s in proposal_states(store, run.id) if s.decision == PENDING
                  and s.route == Basis.PERSON.value) if latest else 0
    return RunSummary(run.id, run.as_of, run.created_at, run.accounts, run.triggered,
                      run.trades, latest is not None, breaches, pending)


@dataclass(frozen=True)
class ProposalView:
    """One proposal under review: the proposal, its trades and its approval state."""

    proposal: AccountProposal
    trades: list[ProposedTrade]
    approval: ProposalState


def proposal_review(store: Store, run_id: int, account_id: str) -> ProposalView:
    """The proposal of ``account_id`` in run ``run_id`` with its trades and approval."""
    with store.transaction() as tx:
        found = tx.account_proposal(account_id, run_id)
    if found is None:
        raise UnknownReference(f"run {run_id} has no proposal for {account_id!r}",
                               field="account_id")
    _, proposal, trades = found
    return ProposalView(proposal, trades, proposal_states(store, run_id, [account_id])[0])


def latest_run_id(store: Store) -> int | None:
    """The id of the newest rebalance run, or None."""
    with store.transaction() as tx:
        runs = tx.rebalance_runs()
    return runs[0].id if runs else None


def engaged_switches(store: Store) -> list[KillSwitch]:
    """The kill switches engaged now."""
    return kill_switch.status(store)


def book_view(store: Store) -> BookView:
    """Value every account and position once (the expensive part) and summarize the book.
    Quantities are the database's float sums, shown to 6 decimals (an account's own holdings
    and lots are exact)."""
    snap = queries.snapshot(store)
    with store.transaction() as tx:
        names = {h.id: h.name for h in tx.households()}
        accounts = tx.accounts()
        instruments = tx.instruments()
    rows = [AccountRow(a.id, a.household_id, names[a.household_id], a.name, a.type.value,
                       a.base_currency, a.custodian, a.model, float(snap.account_value[i]),
                       float(snap.cash_value[i]))
            for i, a in enumerate(accounts[aid] for aid in snap.accounts)]
    weights = snap.weights()
    positions: dict[str, list[PositionRow]] = {}
    for r in np.lexsort((snap.pos_instrument, snap.pos_account)):
        account, sym = snap.accounts[snap.pos_account[r]], snap.instruments[snap.pos_instrument[r]]
        day = snap.price_date[r]
        positions.setdefault(account, []).append(PositionRow(
            account, sym, Decimal(f"{snap.quantity[r]:.6f}").normalize(), float(snap.price[r]),
            None if np.isnat(day) else day.astype(date), float(snap.market_value[r]),
            float(snap.cost_basis[r]), float(snap.unrealized[r]), float(weights[r]),
            instruments[sym].currency))
    return BookView(snap.as_of, sum(r.value for r in rows), sum(r.cash for r in rows),
                    len(names), rows, positions)


@dataclass(frozen=True)
class RunIndex:
    """The latest run held in memory for pages: its summary, every proposal with its trades
    and approval state, in account order."""

    summary: RunSummary
    proposals: dict[str, AccountProposal]
    trades: dict[str, list[ProposedTrade]]
    states: list[ProposalState]
    state_of: dict[str, ProposalState]


def run_index(store: Store) -> RunIndex | None:
    """The latest run's :class:`RunIndex`, or None when there is no run."""
    summary = run_summary(store)
    if summary is None:
        return None
    with store.transaction() as tx:
        proposals = {p.account_id: p for p in tx.proposals(summary.run_id)}
        trades: dict[str, list[ProposedTrade]] = {}
        for t in tx.proposed_trades(summary.run_id):
            trades.setdefault(t.account_id, []).append(t)
    states = proposal_states(store, summary.run_id)
    return RunIndex(summary, proposals, trades, states, {s.account_id: s for s in states})


def cached_account_view(store: Store, account_id: str, book: BookView,
                        run: RunIndex | None) -> AccountView:
    """An account page from the book view and the latest run's index (kept in memory); only
    the open lots are read from the store."""
    found = _find(book.accounts, account_id)
    if not found:
        return account_view(store, account_id)  # an account added since the book view
    with store.transaction() as tx:
        lots = _lot_rows(tx, account_id)
    if run is None or account_id not in run.proposals:
        return AccountView(found[0], book.positions.get(account_id, []), lots, None, [], None)
    return AccountView(found[0], book.positions.get(account_id, []), lots,
                       run.proposals[account_id], run.trades.get(account_id, []),
                       run.state_of.get(account_id))


def _find(rows: list[AccountRow], account_id: str) -> list[AccountRow]:
    """The row of ``account_id`` in ``rows`` (sorted by account id), by bisection."""
    k = bisect.bisect_left(rows, account_id, key=lambda r: r.account_id)
    return rows[k:k + 1] if k < len(rows) and rows[k].account_id == account_id else []


def _lot_rows(tx: UnitOfWork, account_id: str) -> list[LotRow]:
    return [LotRow(lot.account_id, lot.instrument_id, lot.id, lot.quantity, lot.cost_basis,
                   lot.unit_cost.quantize(Decimal("0.0001")), lot.acquired, lot.holding_start,
                   lot.wash_sale_adjustment)
            for lot in sorted(tx.lots([account_id]),
                              key=lambda x: (x.instrument_id, x.acquired, x.id))]


def _positions(tx: UnitOfWork, account: Account, as_of: date) -> tuple[list[PositionRow], float]:
    """The account's positions valued at the closes on or before ``as_of`` in its base
    currency, and their total (NaN-free: an unpriced position counts 0 and shows NaN)."""
    totals = tx.position_totals([account.id])
    ids = [i for _, i, _, _ in totals]
    closes = {b.instrument_id: b for b in tx.closes_as_of(as_of, ids)} if ids else {}
    instruments = tx.instruments()
    rates = _rates(tx, {instruments[i].currency for i in ids}, account.base_currency, as_of)
    rows = []
    for _, inst, qty, basis in totals:
        bar, ccy = closes.get(inst), instruments[inst].currency
        price = float(bar.close) if bar else math.nan
        value = float(qty) * price * float(instruments[inst].multiplier) * rates.get(ccy, math.nan)
        rows.append(PositionRow(account.id, inst, qty, price, bar.date if bar else None, value,
                                float(basis), value - float(basis), 0.0, ccy))
    total = sum(r.market_value for r in rows if not math.isnan(r.market_value))
    return [replace(r, weight=r.market_value / total if total else 0.0) for r in rows], total


def _rates(tx: UnitOfWork, currencies: set[str], base: str, as_of: date) -> dict[str, float]:
    """Rates from each of ``currencies`` to ``base`` on or before ``as_of`` (direct or inverse
    quotes; missing ones are left out)."""
    out = {base: 1.0}
    wanted = currencies - {base}
    if not wanted:
        return out
    for r in sorted(tx.fx_rates(as_of - timedelta(days=14), as_of), key=lambda r: r.date):
        if r.base in wanted and r.quote == base:
            out[r.base] = float(r.rate)
        elif r.quote in wanted and r.base == base:
            out[r.quote] = 1.0 / float(r.rate)
    return out


def account_view(store: Store, account_id: str, run_id: int | None = None) -> AccountView:
    """One account's page: value, positions, lots, and its proposal in run ``run_id``
    (default: the latest run that has one). Reads only this account's rows."""
    with store.transaction() as tx:
        household_id = tx.household_of(account_id)
        if household_id is None:
            raise UnknownReference(f"no account {account_id!r}", field="account_id",
                                   hint="/api/accounts lists the accounts.")
        account = tx.accounts([household_id])[AccountId(account_id)]
        household = tx.household_name(household_id) or ""
        as_of = tx.last_price_date() or date.today()
        positions, invested = _positions(tx, account, as_of)
        cash = float(tx.cash([account.id]).get((account.id, account.base_currency), 0))
        lots = _lot_rows(tx, account_id)
        found = tx.account_proposal(account_id, run_id)
    row = AccountRow(account.id, account.household_id, household, account.name,
                     account.type.value, account.base_currency, account.custodian,
                     account.model, invested + cash, cash)
    if found is None:
        return AccountView(row, positions, lots, None, [], None)
    chosen, proposal, trades = found
    approval = proposal_states(store, chosen, [account_id])[0]
    return AccountView(row, positions, lots, proposal, trades, approval)
