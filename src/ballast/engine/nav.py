"""Daily valuation (NAV) of an account, a household, a model composite or the firm, from the book
of record: market value at each close (positions × the point-in-time close, FX to the scope's
currency, cash included), external flows and fees per day. A composite or the firm is the sum of
its accounts, so its time-weighted return is asset-weighted (the GIPS way)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from ballast.data import FxTable, PriceTable
from ballast.domain import (
    Account,
    AccountId,
    DataError,
    Instrument,
    InstrumentId,
    UnknownReference,
)
from ballast.engine.nav_events import BookedChanges, Row, booked_changes
from ballast.engine.period import NoPerformanceData
from ballast.ledger.valuation_series import Changes, nav_arrays
from ballast.store import Store, UnitOfWork

FloatArray = npt.NDArray[np.float64]
DayArray = npt.NDArray[np.datetime64]


class ScopeKind(StrEnum):
    ACCOUNT = "account"
    HOUSEHOLD = "household"
    MODEL = "model"
    FIRM = "firm"


@dataclass(frozen=True, slots=True)
class Scope:
    """What is measured: one account, a household's accounts, every account assigned a model
    (the model's composite) or every account (the firm)."""

    kind: ScopeKind
    ident: str = ""

    @property
    def label(self) -> str:
        """``"account H1-TAX"``, ``"model growth"``, ``"firm"``."""
        return self.kind.value if self.kind is ScopeKind.FIRM else f"{self.kind} {self.ident}"


@dataclass(frozen=True, slots=True, eq=False)
class NavSeries:
    """Values at ``days`` [T+1] (``days[0]`` the last close before the period) in ``currency``:
    ``account_value`` [T+1, A]; ``account_flows`` and ``account_fees`` [T, A] belong to
    ``days[1:]``. ``instrument_value`` [T+1, I] (summed over the accounts) and ``cash_value``
    [T+1] break the total down; ``instrument_value`` is empty unless asked for."""

    scope: Scope
    currency: str
    days: DayArray
    accounts: tuple[str, ...]
    account_value: FloatArray
    account_flows: FloatArray
    account_fees: FloatArray
    instruments: tuple[str, ...]
    instrument_value: FloatArray
    cash_value: FloatArray

    @property
    def value(self) -> FloatArray:
        """Total value at each close [T+1]."""
        return np.asarray(self.account_value.sum(axis=1))

    @property
    def flows(self) -> FloatArray:
        """Total external flow of each day [T] (in +, out -)."""
        return np.asarray(self.account_flows.sum(axis=1))

    @property
    def fees(self) -> FloatArray:
        """Total fees paid each day [T]."""
        return np.asarray(self.account_fees.sum(axis=1))


def scope_members(tx: UnitOfWork, scope: Scope) -> list[Account]:
    """The accounts of ``scope``, by id; UnknownReference when it names nothing."""
    return members_in(tx.accounts(), scope)


def members_in(accounts: Mapping[AccountId, Account], scope: Scope) -> list[Account]:
    """The accounts of ``scope`` among ``accounts`` (the book's), by id; UnknownReference when
    it names nothing."""
    if scope.kind is ScopeKind.ACCOUNT:
        found = [a for a in accounts.values() if a.id == scope.ident]
    elif scope.kind is ScopeKind.HOUSEHOLD:
        found = [a for a in accounts.values() if a.household_id == scope.ident]
    elif scope.kind is ScopeKind.MODEL:
        found = [a for a in accounts.values() if a.model == scope.ident]
    else:
        found = list(accounts.values())
    if not found:
        known = sorted({getattr(a, {"account": "id", "household": "household_id",
                                    "model": "model", "firm": "id"}[scope.kind]) or ""
                        for a in accounts.values()} - {""})
        raise UnknownReference(
            f"no {scope.label} in the book" + (f" (known: {', '.join(known[:12])})"
                                               if known else " (it has no accounts)"),
            hint="`ballast accounts` lists accounts, households and their models.")
    return sorted(found, key=lambda a: a.id)


def valuation_days(price_days: DayArray, start: date, end: date,
                   what: str) -> DayArray:
    """The closes in ``[start, end]`` with a price, after the last close before ``start``
    (or the day before ``start`` when there is none)."""
    lo, hi = np.searchsorted(price_days, np.datetime64(start, "D")), np.searchsorted(
        price_days, np.datetime64(end, "D"), side="right")
    if hi <= lo:
        last = (f" (prices run from {price_days[0]} to {price_days[-1]})" if len(price_days)
                else " (there are no prices)")
        raise NoPerformanceData(f"{what} has no holdings or prices between {start} and "
                                f"{end}{last}")
    opening = price_days[lo - 1] if lo > 0 else np.datetime64(start - timedelta(days=1), "D")
    return np.concatenate([[opening], price_days[lo:hi]]).astype("datetime64[D]")


def _rate(fx: FxTable, base: str, quote: str, day: date) -> float:
    try:
        return float(fx.rate(base, quote, day))
    except DataError:
        return float("nan")


def _unit_values(prices: PriceTable, fx: FxTable, instruments: Sequence[Instrument],
                 currencies: Sequence[str], currency: str, days: DayArray
                 ) -> tuple[FloatArray, FloatArray]:
    """Per day: each instrument's close × multiplier in ``currency`` [T+1, I], and each
    currency's rate into ``currency`` [T+1, C]; NaN where unknown."""
    ids = [i.id for i in instruments]
    mult = np.array([float(i.multiplier) for i in instruments])
    ccy_of = np.array([currencies.index(i.currency) for i in instruments], dtype=np.int64)
    rates = np.full((len(days), len(currencies)), np.nan)
    close = np.full((len(days), len(ids)), np.nan)
    for t, day in enumerate(days.astype(object)):
        close[t] = prices.closes(ids, day)[0] if ids else close[t]
        for c, ccy in enumerate(currencies):
            rates[t, c] = _rate(fx, ccy, currency, day)
    return close * mult * rates[:, ccy_of], rates


def _changes(rows: Sequence[Row], acct: dict[str, int], item: dict[str, int],
             days: DayArray, *, flows: bool) -> Changes:
    """Rows dated on or before the last day, by (account, item, valuation day) codes; a flow
    on or before the opening day is part of the opening value and left out."""
    when = np.array([r[2] for r in rows], dtype="datetime64[D]")
    day = np.searchsorted(days, when).astype(np.int64)
    keep = (day < len(days)) & ((day > 0) if flows else True)
    out = Changes.of([acct[r[0]] for r in rows], [item[r[1]] for r in rows],
                     day, [r[3] for r in rows]).take(keep)
    return Changes(out.account, out.item, out.day - 1, out.amount) if flows else out


@dataclass(frozen=True, slots=True, eq=False)
class NavInputs:
    """What valuing a scope reads from the store: its accounts, their booked changes up to the
    end, the instruments, every price and the FX rates up to the end."""

    scope: Scope
    members: tuple[Account, ...]
    booked: BookedChanges
    instruments: dict[InstrumentId, Instrument]
    prices: PriceTable
    price_days: DayArray
    fx: FxTable


def load_nav_inputs(tx: UnitOfWork, scope: Scope, end: date) -> NavInputs:
    """Read (and replay up to ``end``) what valuing ``scope`` needs."""
    members = scope_members(tx, scope)
    bars = tx.price_bars(end=end)
    return NavInputs(scope, tuple(members), booked_changes(tx, members, end), tx.instruments(),
                     PriceTable(bars),
                     np.unique(np.array([b.date for b in bars], dtype="datetime64[D]")),
                     FxTable(tx.fx_rates(end=end)))


def nav_from(inputs: NavInputs, start: date, end: date, *, currency: str | None = None,
             by_instrument: bool = False) -> NavSeries:
    """The NAV series of loaded inputs from ``start`` to ``end``."""
    days = valuation_days(inputs.price_days, start, end, inputs.scope.label)
    return _series(inputs, days, currency or inputs.members[0].base_currency, by_instrument,
                   f"between {start} and {end}")


def nav_series(store: Store, scope: Scope, start: date, end: date, *,
               currency: str | None = None, by_instrument: bool = False) -> NavSeries:
    """Daily values, flows and fees of ``scope`` from ``start`` to ``end`` on the days with
    prices, in ``currency`` (default: the first account's base currency). NoPerformanceData
    when nothing is held or priced then."""
    with store.transaction() as tx:
        inputs = load_nav_inputs(tx, scope, end)
    return nav_from(inputs, start, end, currency=currency, by_instrument=by_instrument)


def _series(inputs: NavInputs, days: DayArray, currency: str, by_instrument: bool,
            when: str) -> NavSeries:
    scope, members, booked = inputs.scope, inputs.members, inputs.booked
    inst_ids = sorted({r[1] for r in booked.positions})
    instruments = [inputs.instruments[InstrumentId(i)] for i in inst_ids]
    currencies = sorted({currency, *(i.currency for i in instruments),
                         *(r[1] for r in (*booked.cash, *booked.cash_flows, *booked.fees))})
    unit, rates = _unit_values(inputs.prices, inputs.fx, instruments, currencies, currency, days)
    acct: dict[str, int] = {a.id: k for k, a in enumerate(members)}
    inst = {i: k for k, i in enumerate(inst_ids)}
    ccy = {c: k for k, c in enumerate(currencies)}
    arrays = nav_arrays(
        _changes(booked.positions, acct, inst, days, flows=False),
        _changes(booked.cash, acct, ccy, days, flows=False),
        _changes(booked.cash_flows, acct, ccy, days, flows=True),
        _changes(booked.unit_flows, acct, inst, days, flows=True),
        _changes(booked.fees, acct, ccy, days, flows=True),
        unit, rates, len(members), by_instrument=by_instrument, instruments=inst_ids,
        currencies=currencies, days=days)
    if not np.any(arrays.value != 0.0):
        raise NoPerformanceData(f"{scope.label} has no holdings or prices {when}")
    return NavSeries(
        scope=scope, currency=currency, days=days, accounts=tuple(a.id for a in members),
        account_value=arrays.value, account_flows=arrays.flows, account_fees=arrays.fees,
        instruments=tuple(inst_ids),
        instrument_value=(arrays.instrument_value if arrays.instrument_value is not None
                          else np.zeros((len(days), 0))),
        cash_value=arrays.cash_value.sum(axis=1))
