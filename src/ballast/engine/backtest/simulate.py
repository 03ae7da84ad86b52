"""The backtest loop: every session, for every policy, in this order —

1. corporate actions with that ex-date through the ledger (splits reshape lots; cash dividends
   are credited as cash, reinvested by a later rebalance);
2. the decision stages on that day's closes only (point in time): the first session invests
   every account; then buy and hold never trades again, a calendar policy rebalances every
   account on the first session of each month or quarter, a bands policy checks every
   account's triggers daily and trades those that fire (and harvests, when on);
3. pre-trade compliance when the spec names rule sets (a denied account trades nothing that
   day; auto-fix cuts apply);
4. fills at the close with the simulated market's costs, booked into the ledger;
5. valuation at the close: NAV, and after-tax (liquidation) value for taxable accounts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path

import numpy as np

from ballast.config.backtest import BacktestSpec, PolicyKind, PolicySpec
from ballast.config.compliance import RuleSet
from ballast.config.models import ResolvedModel, resolve_all
from ballast.config.rebalance import Calendar
from ballast.data.importing import ImportContext
from ballast.data.reference import parse_instruments
from ballast.domain import (
    Account,
    AccountId,
    AccountType,
    ConfigError,
    CorporateAction,
    CorporateActionKind,
    DataError,
    HouseholdId,
    Instrument,
    InstrumentId,
    InstrumentKind,
    RealizedGain,
)
from ballast.engine.backtest.checks import check_decision
from ballast.engine.backtest.decide import Activity, Setup, decide
from ballast.engine.backtest.fills import Tally, book_decision, new_tally
from ballast.engine.backtest.market import PriceHistory, load_prices, sample_prices
from ballast.engine.backtest.state import PolicyState
from ballast.engine.backtest.taxes import gains_tax
from ballast.engine.rebalance_input import model_targets
from ballast.execution.simulated import SimulationConfig
from ballast.ledger.snapshot import FloatArray
from ballast.rebalance import ModelTargets

Progress = Callable[[int, int], None]
RETURN_SESSIONS = 252  # daily returns behind the VaR and tracking-error rules


@dataclass
class PolicyRun:
    """One policy's accounts through the run: state, per-session values and tallies."""

    spec: PolicySpec
    setup: Setup
    state: PolicyState
    activity: Activity
    tally: Tally
    nav: FloatArray  # [T, N]
    after_tax: FloatArray  # [T, N]
    taxes: FloatArray  # [N] paid for closed years
    carry: FloatArray  # [N] loss carried forward
    ytd_short: FloatArray
    ytd_long: FloatArray
    year_start: list[int]
    denied: int = 0
    fixed: int = 0


@dataclass(frozen=True)
class Universe:
    """The run's accounts, instruments, models and prices."""

    accounts: tuple[Account, ...]
    instruments: tuple[Instrument, ...]
    models: tuple[ModelTargets, ...]
    model_of: np.ndarray
    cash: FloatArray
    prices: PriceHistory
    rule_sets: tuple[RuleSet, ...] = ()


def _instruments(symbols: Sequence[str], fractional: bool, source: str | None,
                 base: Path) -> tuple[Instrument, ...]:
    """The run's instruments: their attributes from ``source`` (``sample`` or a CSV in the
    instruments format) when given, else plain USD equities; lots by ``fractional``."""
    known: dict[str, Instrument] = {}
    if source is not None:
        with resources.as_file(resources.files("ballast.sample") / "instruments.csv") as sample:
            path = sample if source == "sample" else base / source
            parsed = parse_instruments(path, ImportContext(today=date.today()))
        if parsed.errors:
            e = parsed.errors[0]
            raise DataError(f"{path}: row {e.row}: {e.field}: {e.reason}", field="instruments")
        known = {str(i.id): i for i in parsed.records}
    lot = Decimal("0.0001") if fractional else Decimal(1)
    return tuple(replace(known[s], lot_size=lot, fractional=fractional) if s in known else
                 Instrument(InstrumentId(s), InstrumentKind.EQUITY, "USD", lot_size=lot,
                            fractional=fractional) for s in symbols)


def universe(spec: BacktestSpec, base: Path, prices: PriceHistory | None = None) -> Universe:
    """Resolve the spec: models, accounts (ids ``<group>-<k>``), instruments and prices."""
    resolved = resolve_all(spec.library(base))
    used: list[str] = []
    for g in spec.accounts:
        for name in g.models:
            if name not in resolved:
                raise ConfigError(f"account group {g.name}: unknown model {name} (known: "
                                  f"{', '.join(sorted(resolved)) or 'none'})", field="models")
            if name not in used:
                used.append(name)
    models: list[ResolvedModel] = [resolved[n] for n in used]
    symbols = sorted({i for m in models for s in m.sleeves for i in s.instruments})
    if prices is None:
        prices = sample_prices() if spec.prices == "sample" else load_prices(base / spec.prices)
    prices = prices.window(spec.start, spec.end, symbols)
    index = {s: k for k, s in enumerate(symbols)}
    rng = np.random.default_rng(spec.seed)
    accounts: list[Account] = []
    cash: list[float] = []
    model_of: list[int] = []
    for g in spec.accounts:
        low, high = g.cash_range
        draws = np.exp(rng.uniform(np.log(low), np.log(high), g.count))
        for k in range(g.count):
            aid = f"{g.name}-{k + 1:04d}"
            name = g.models[k % len(g.models)]
            accounts.append(Account(
                AccountId(aid), HouseholdId(aid), aid,
                AccountType.TAXABLE if g.taxable else AccountType.TAX_DEFERRED,
                model=name, lot_method=g.lot_method))
            cash.append(round(float(draws[k]), 2))
            model_of.append(used.index(name))
    return Universe(tuple(accounts),
                    _instruments(symbols, spec.fractional, spec.instruments, base),
                    tuple(model_targets(m, index, len(symbols)) for m in models),
                    np.array(model_of, dtype=np.int64), np.array(cash), prices,
                    tuple(spec.rule_sets(base)))


def _first_of_period(dates: Sequence[date], calendar: Calendar) -> np.ndarray:
    """Whether each session opens a new month or quarter (the first session counts)."""
    key = [(d.year, d.month) if calendar is Calendar.MONTHLY else (d.year, (d.month - 1) // 3)
           for d in dates]
    return np.array([t == 0 or key[t] != key[t - 1] for t in range(len(dates))])


def _policy_run(spec: BacktestSpec, p: PolicySpec, u: Universe) -> PolicyRun:
    n, m, t = len(u.accounts), len(u.instruments), len(u.prices.dates)
    setup = Setup(spec.policy(p), u.models, u.model_of,
                  np.array([float(i.lot_size) for i in u.instruments]),
                  np.array([a.taxable for a in u.accounts]), np.arange(m, dtype=np.int64))
    state = PolicyState(u.accounts, u.instruments)
    state.deposit(u.prices.dates[0], u.cash)
    z = np.zeros(n)
    return PolicyRun(p, setup, state, Activity(), new_tally(n), np.zeros((t, n)),
                     np.zeros((t, n)), z.copy(), z.copy(), z.copy(), z.copy(), [0] * n)


def _corporate_actions(run: PolicyRun, prices: PriceHistory, t: int, dividends: bool,
                       fractional: bool) -> None:
    day = prices.dates[t]
    for j in np.flatnonzero(prices.split[t] != 1.0).tolist():
        sym = prices.symbols[j]
        run.state.corporate_action(CorporateAction(
            f"split:{sym}:{day}", InstrumentId(sym), CorporateActionKind.SPLIT, day,
            ratio=Decimal(repr(float(prices.split[t, j]))),
            amount=None if fractional else Decimal(repr(float(prices.close[t, j])))))
    if dividends:
        for j in np.flatnonzero(prices.dividend[t] > 0).tolist():
            sym = prices.symbols[j]
            run.state.corporate_action(CorporateAction(
                f"div:{sym}:{day}", InstrumentId(sym), CorporateActionKind.CASH_DIVIDEND, day,
                amount=Decimal(repr(float(prices.dividend[t, j])))))


def _realized_ytd(run: PolicyRun) -> None:
    """Every account's year-to-date reportable gains from the ledger (wash sales included)."""
    for a in range(len(run.state.accounts)):
        gains = run.state.book.realized(run.state.account_id(a))[run.year_start[a]:]
        run.ytd_short[a] = sum(float(g.reportable_gain) for g in gains if g.term == "short")
        run.ytd_long[a] = sum(float(g.reportable_gain) for g in gains if g.term == "long")


def _add_realized(run: PolicyRun, realized: dict[int, list[RealizedGain]]) -> None:
    """Add newly realized gains to the year so far (re-read whole at the year's end, when a
    later purchase may have disallowed a loss)."""
    for a, gains in realized.items():
        for g in gains:
            if g.term == "short":
                run.ytd_short[a] += float(g.reportable_gain)
            else:
                run.ytd_long[a] += float(g.reportable_gain)


def _value(run: PolicyRun, t: int, day: date, close: FloatArray, year_end: bool) -> None:
    """NAV and after-tax value at the close; at a year's last session, that year's tax."""
    st = run.state
    nav = st.quantity @ close + st.cash
    run.nav[t] = nav
    taxable = run.setup.taxable
    pol = run.setup.policy
    rs, rl = pol.tax_rate_short_term, pol.tax_rate_long_term
    lots = st.lots()
    n = len(nav)
    gain = close[lots.instrument] * lots.quantity - lots.basis
    long = (np.datetime64(day, "D") - lots.holding_start) > np.timedelta64(365, "D")
    u_long = np.bincount(lots.account, np.where(long, gain, 0.0), minlength=n)
    u_short = np.bincount(lots.account, np.where(long, 0.0, gain), minlength=n)
    liquidation, _ = gains_tax(run.ytd_short + u_short, run.ytd_long + u_long, run.carry, rs, rl)
    run.after_tax[t] = nav - np.where(taxable, run.taxes + liquidation, 0.0)
    if year_end:
        _realized_ytd(run)
        tax, carry = gains_tax(run.ytd_short, run.ytd_long, run.carry, rs, rl)
        run.taxes += np.where(taxable, tax, 0.0)
        run.carry = np.where(taxable, carry, 0.0)
        run.ytd_short[:] = run.ytd_long[:] = 0.0
        run.year_start = [len(st.book.realized(a.id)) for a in st.accounts]


def simulate(spec: BacktestSpec, u: Universe, progress: Progress | None = None
             ) -> list[PolicyRun]:
    """Run every policy of ``spec`` over the universe's sessions."""
    prices = u.prices
    config = SimulationConfig(
        spread_bps=Decimal(repr(2 * spec.costs.half_spread_bps)),
        slippage_bps=Decimal(repr(spec.costs.slippage_bps)),
        commission_per_share=Decimal(repr(spec.costs.commission_per_share)),
        commission_bps=Decimal(repr(spec.costs.commission_bps)),
        commission_minimum=Decimal(repr(spec.costs.commission_minimum)),
        fractional=spec.fractional)
    runs = [_policy_run(spec, p, u) for p in spec.policies]
    calendars = {c: _first_of_period(prices.dates, c) for c in (Calendar.MONTHLY,
                                                                 Calendar.QUARTERLY)}
    last = np.full(len(prices.symbols), np.nan)
    returns = prices.total_return() if u.rule_sets else np.zeros((0, len(prices.symbols)))
    days = len(prices.dates)
    for t, day in enumerate(prices.dates):
        close = prices.close[t]
        last = np.where(np.isfinite(close), close, last)  # valuation carries a gap forward
        year_end = t == days - 1 or prices.dates[t + 1].year != day.year
        for run in runs:
            if t > 0:
                _corporate_actions(run, prices, t, spec.dividends, spec.fractional)
            kind = run.spec.kind
            forced = t == 0 or (kind is PolicyKind.CALENDAR
                                and bool(calendars[run.spec.calendar][t]))
            if forced or kind is PolicyKind.BANDS:
                run.activity.prune(day)
                dec = decide(run.state, run.setup, run.activity, close, day, forced=forced)
                if dec is not None:
                    units = None
                    if u.rule_sets:
                        checked = check_decision(
                            run.state, run.setup, dec, run.activity, close,
                            returns[max(t - RETURN_SESSIONS, 0) + 1:t + 1], day, u.rule_sets)
                        units = checked.quantity
                        run.denied += checked.denied
                        run.fixed += checked.fixed
                    realized = book_decision(run.state, dec, close, day, config, run.activity,
                                             run.tally, units)
                    _add_realized(run, realized)
            if t == 0:  # turnover counts trading after the first investment
                run.tally.traded[:] = 0.0
            _value(run, t, day, np.nan_to_num(last), year_end)
        if progress is not None:
            progress(t + 1, days)
    return runs
