"""The performance of a scope over a period, measured from the book of record: time-weighted
returns gross and net of fees, Modified Dietz, money-weighted (XIRR), the benchmark and excess
return, risk statistics, attribution against the model and contribution by holding."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from typing import TypeVar

import numpy as np

from ballast.analytics import FloatArray
from ballast.analytics.nav_returns import nav_daily_returns
from ballast.analytics.performance import annualize, link_returns, modified_dietz, xirr
from ballast.analytics.performance_report import (
    AttributionTable,
    DailySeries,
    HoldingContribution,
    PerformanceReport,
    PeriodReturns,
)
from ballast.analytics.statistics import PerformanceStatistics, performance_statistics
from ballast.domain import DataError
from ballast.engine.benchmark_returns import (
    Benchmark,
    Benchmarks,
    choose_benchmarks,
    in_currency,
    total_returns,
)
from ballast.engine.nav import NavInputs, NavSeries, Scope, load_nav_inputs, nav_from
from ballast.engine.performance_attribution import (
    attribution_table,
    contributions,
    start_weights,
)
from ballast.engine.period import Period
from ballast.store import Store

T = TypeVar("T")
_YEAR_DAYS = 365.25


def _or_note(compute: Callable[[], T], what: str, notes: list[str]) -> T | None:
    """The computed value, or None with a note saying why it is undefined."""
    try:
        return compute()
    except DataError as exc:
        notes.append(f"{what}: not measured ({exc})")
        return None


def _xirr(nav: NavSeries) -> float:
    value, flows = nav.value, nav.flows
    moved = np.flatnonzero(flows)
    amounts = [-value[0]] if value[0] > 0 else []
    dates = [nav.days[0]] if value[0] > 0 else []
    amounts += [-f for f in flows[moved]] + [value[-1]]
    dates += [*nav.days[1:][moved], nav.days[-1]]
    return xirr(amounts, np.array(dates, dtype="datetime64[D]"))


def _dietz(nav: NavSeries) -> float:
    moved = np.flatnonzero(nav.flows)
    return modified_dietz(float(nav.value[0]), float(nav.value[-1]), nav.flows[moved],
                          nav.days[1:][moved], nav.days[0], nav.days[-1])


def _annual(period: Period, r: float) -> float:
    """``r`` annualized past a year (GIPS: never within one)."""
    return r if period.days <= 366 else annualize(r, period.days / _YEAR_DAYS)


def _returns(inputs: NavInputs, nav: NavSeries, ids: Sequence[str]) -> FloatArray:
    """Daily total returns of ``ids`` in the series' currency [T, N]."""
    local = total_returns(inputs.prices, ids, nav.days)
    return in_currency(local, ids, inputs.instruments, inputs.fx, nav.currency, nav.days)


def _attribution(inputs: NavInputs, nav: NavSeries, model: Benchmark | None,
                 notes: list[str]
                 ) -> tuple[tuple[AttributionTable, ...], tuple[HoldingContribution, ...]]:
    w, live = start_weights(nav.instrument_value, nav.cash_value, nav.value)
    held = _returns(inputs, nav, nav.instruments)
    r = np.column_stack([held, np.zeros(len(held))])
    if not live.any():
        notes.append("attribution: no day of the period starts with capital")
        return (), ()
    found = contributions(nav.instruments, w, r, nav.instrument_value, nav.cash_value,
                          inputs.instruments)
    if model is None:
        notes.append("attribution: needs a model to attribute against (the scope has none)")
        return (), found
    model_r = _returns(inputs, nav, model.instruments)
    tables = tuple(
        attribution_table(by, nav.instruments, w, r, live, model.instruments, model.weights,
                          model_r, inputs.instruments)
        for by in ("asset_class", "sector"))
    return tables, found


def measure(store: Store, scope: Scope, period: Period, *, benchmark: str | None = None,
            currency: str | None = None) -> PerformanceReport:
    """Measure ``scope`` over ``period`` against ``benchmark`` (an instrument id; default the
    scope's model's blended benchmark). NoPerformanceData when nothing was held or priced."""
    with store.transaction() as tx:
        inputs = load_nav_inputs(tx, scope, period.end)
        chosen = choose_benchmarks(tx, scope, inputs.members, benchmark)
    return report_of(inputs, period, chosen, currency)


def report_of(inputs: NavInputs, period: Period, chosen: Benchmarks,
              currency: str | None = None) -> PerformanceReport:
    """The report of loaded inputs over ``period`` against the ``chosen`` benchmarks."""
    scope, bench = inputs.scope, chosen.index
    nav = nav_from(inputs, period.start, period.end, currency=currency, by_instrument=True)
    notes: list[str] = []
    net = nav_daily_returns(nav.value, nav.flows)
    gross = nav_daily_returns(nav.value, nav.flows - nav.fees)
    bench_daily: FloatArray | None = None
    if bench is not None:
        bench_daily = _returns(inputs, nav, bench.instruments) @ bench.weights
        opening = inputs.prices.closes(list(bench.instruments), nav.days[0].astype(object))[0]
        unpriced = [bench.instruments[k] for k in np.flatnonzero(np.isnan(opening))]
        if unpriced:
            notes.append(f"benchmark: no price for {', '.join(unpriced)} on {nav.days[0]}; "
                         "its return counts as 0 until its first price")
    else:
        notes.append(f"benchmark: none ({chosen.why_none})")
    r_net, r_gross = link_returns(net), link_returns(gross)
    mw = _or_note(lambda: _xirr(nav), "money-weighted return", notes)
    span = float((nav.days[-1] - nav.days[0]).astype(np.int64))
    mw_period = None if mw is None else _or_note(
        partial(_compound, mw, span), "money-weighted return over the period", notes)
    r_bench = None if bench_daily is None else link_returns(bench_daily)
    returns = PeriodReturns(
        net=r_net, gross=r_gross, net_annualized=_annual(period, r_net),
        gross_annualized=_annual(period, r_gross),
        modified_dietz=_or_note(lambda: _dietz(nav), "Modified Dietz", notes),
        money_weighted=mw_period,
        money_weighted_annualized=mw if period.days > 366 else mw_period,
        benchmark=r_bench,
        benchmark_annualized=None if r_bench is None else _annual(period, r_bench),
        excess=None if r_bench is None else r_net - r_bench,
        years=period.days / _YEAR_DAYS)
    stats: PerformanceStatistics | None = _or_note(
        lambda: performance_statistics(net, bench_daily), "statistics", notes)
    tables, found = _attribution(inputs, nav, chosen.model, notes)
    flows = nav.flows
    days = tuple(d.astype(object) for d in nav.days)
    return PerformanceReport(
        scope=scope.label, period=period.label, start=period.start, end=period.end,
        currency=nav.currency, accounts=nav.accounts,
        benchmark=None if bench is None else bench.name,
        start_value=float(nav.value[0]), end_value=float(nav.value[-1]),
        inflows=float(flows[flows > 0].sum()), outflows=float(flows[flows < 0].sum()),
        fees=float(nav.fees.sum()), returns=returns, statistics=stats, attribution=tables,
        contributions=found,
        series=DailySeries(days, nav.value, flows, nav.fees, net, gross, bench_daily),
        notes=tuple(notes))


def today_or_last_price(store: Store) -> date:
    """The date ``YTD``-style periods run to: the latest price date (else today)."""
    with store.transaction() as tx:
        return tx.last_price_date() or date.today()


def _compound(rate: float, days: float) -> float:
    """``rate`` a year compounded over ``days``; DataError when it cannot be expressed."""
    try:
        return float((1.0 + rate) ** (days / 365.0) - 1.0)
    except OverflowError:
        raise DataError(f"a rate of {rate:.6g} a year over {days:,.0f} days is too large to "
                        "express") from None


__all__ = ["PerformanceReport", "measure", "today_or_last_price"]

