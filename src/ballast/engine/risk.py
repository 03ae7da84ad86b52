"""The risk report of an account, a household or a model: figures on the current weights over a
look-back window, tail risk four ways, risk contributions, drawdown and a stress table."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ballast.analytics import (
    FloatArray,
    ScenarioResult,
    TailRisk,
    beta,
    cornish_fisher,
    equity_shock,
    factor_exposures,
    gaussian,
    historical,
    historical_replay,
    max_drawdown_of_returns,
    monte_carlo,
    rate_shock,
    returns_from_prices,
    risk_contributions,
    sample_covariance,
    single_name_shock,
    tracking_error,
)
from ballast.data.calendar import to_date
from ballast.domain import ConfigError, Instrument, InstrumentId, InstrumentKind, UnknownReference
from ballast.engine.factor_input import Factors, load_factors
from ballast.engine.history import History, load_history
from ballast.engine.weights import Holdings, book_holdings, model_holdings
from ballast.store import Store

DEFAULT_BENCHMARK = "SPY"
CONFIDENCES = (0.95, 0.99)
BOND_WORDS = ("bond", "fixed_income", "treasur", "credit")
DEFAULT_BOND_DURATION = 6.0  # modified duration, years: about the US aggregate bond index
MONTE_CARLO_PATHS = 100_000


@dataclass(frozen=True, slots=True)
class HoldingRisk:
    """One holding's weight and its contributions to the annualized volatility."""

    instrument: str
    weight: float
    marginal: float
    component: float
    share: float


@dataclass(frozen=True, slots=True)
class FactorRisk:
    """OLS of the back-cast daily portfolio returns on the factors of ``file`` over
    ``sessions`` dates: ``betas`` by factor, daily ``alpha``, ``r_squared`` and the annualized
    ``residual_vol``."""

    file: str
    sessions: int
    betas: tuple[tuple[str, float], ...]
    alpha: float
    r_squared: float
    residual_vol: float


@dataclass(frozen=True, slots=True)
class RiskReport:
    """Risk of ``subject`` as of ``as_of``, over the ``sessions`` daily returns from
    ``window_start`` to ``window_end``. Volatility and tracking error are annualized; VaR and
    CVaR are one-day losses as fractions of the value; ``value`` and loss values are in
    ``currency`` (None for a model)."""

    subject: str
    as_of: date
    value: float | None
    currency: str | None
    window_start: date
    window_end: date
    sessions: int
    cash_weight: float
    volatility: float
    benchmark: str | None
    beta: float | None
    tracking_error: float | None
    tail: tuple[TailRisk, ...]
    max_drawdown: float
    drawdown_peak: date
    drawdown_trough: date
    holdings: tuple[HoldingRisk, ...]
    stress: tuple[ScenarioResult, ...]
    factors: FactorRisk | None
    notes: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data for JSON."""
        return asdict(self)


def risk_report(store: Store, *, account: str | None = None, household: str | None = None,
                model: str | None = None, as_of: date | None = None, lookback_days: int = 756,
                benchmark: str | None = None, durations: Mapping[str, float] | None = None,
                factors: Path | None = None) -> RiskReport:
    """The risk report of one account, household or model (exactly one of them).

    ``benchmark``: an instrument (default SPY when the book has it, else none). ``durations``:
    modified durations by instrument for the rates shock; instruments without one get
    :data:`DEFAULT_BOND_DURATION` when bond-like (kind bond, or an asset class naming bonds,
    fixed income, treasuries or credit) and 0 otherwise. ``factors``: a factor file (every
    column but RF) to regress the portfolio's returns on."""
    if sum(x is not None for x in (account, household, model)) != 1:
        raise ConfigError("give exactly one of an account, a household or a model",
                          hint="`ballast risk` takes --account, --household or --model.")
    if lookback_days < 2:
        raise ConfigError(f"lookback of {lookback_days} sessions: give at least 2",
                          field="lookback_days")
    held = (model_holdings(store, str(model), as_of) if model is not None
            else book_holdings(store, account=account, household=household, as_of=as_of))
    with store.transaction() as tx:
        master = tx.instruments()
        bench = _benchmark(benchmark, master)
        ids = list(held.instruments) + ([bench] if bench and bench not in held.instruments
                                        else [])
        history = load_history(tx, ids, held.as_of)
    window = history.window(lookback_days)
    n = len(held.instruments)
    w = held.weights
    returns = returns_from_prices(window.prices)
    assets = returns[:, :n]
    port = assets @ w
    rc = risk_contributions(w, sample_covariance(assets))
    tail = tuple(t for c in CONFIDENCES for t in (
        historical(port, c), gaussian(port, c), cornish_fisher(port, c),
        monte_carlo(w, assets.mean(axis=0), sample_covariance(assets, periods_per_year=1), c,
                    MONTE_CARLO_PATHS, seed=0)))
    dd = max_drawdown_of_returns(port)
    bench_r = None if bench is None else returns[:, ids.index(bench)]
    stress, notes = _stress(held, history, None if bench is None else ids.index(bench),
                            [master[InstrumentId(i)] for i in held.instruments], durations or {})
    fr = None if factors is None else load_factors(factors, window.dates[1:], held.as_of)
    if fr is not None and fr.missing:
        notes = (*notes, fr.described())
    return RiskReport(
        subject=held.subject, as_of=held.as_of, value=held.value, currency=held.currency,
        window_start=to_date(window.dates[0]), window_end=to_date(window.dates[-1]),
        sessions=len(port), cash_weight=1.0 - float(w.sum()), volatility=rc.volatility,
        benchmark=bench, beta=None if bench_r is None else beta(port, bench_r),
        tracking_error=None if bench_r is None else tracking_error(port, bench_r),
        tail=tail, max_drawdown=dd.depth, drawdown_peak=to_date(window.dates[dd.peak]),
        drawdown_trough=to_date(window.dates[dd.trough]),
        holdings=tuple(HoldingRisk(i, float(w[k]), float(rc.marginal[k]),
                                   float(rc.component[k]), float(rc.component[k] / rc.volatility))
                       for k, i in enumerate(held.instruments)),
        stress=stress, factors=None if fr is None else _factor_risk(fr, port), notes=notes)


def _factor_risk(f: Factors, port: FloatArray) -> FactorRisk:
    fit = factor_exposures(port[f.rows, None], f.values)
    return FactorRisk(str(f.path), len(f.rows),
                      tuple(zip(f.names, fit.betas[0].tolist(), strict=True)),
                      float(fit.alpha[0]), float(fit.r_squared[0]),
                      float(fit.residual_vol[0] * np.sqrt(252)))


def read_durations(path: Path) -> dict[str, float]:
    """Modified durations by instrument from a CSV (``symbol,duration``) or YAML mapping
    (``{IEF: 7.5}``) file; ConfigError names the file and the entry at fault."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    if path.suffix.lower() == ".csv":
        rows = list(csv.DictReader(text.splitlines()))
        if not rows or not {"symbol", "duration"} <= set(rows[0]):
            raise ConfigError(f"{path}: expected the columns symbol,duration")
        pairs = [(r["symbol"] or "", r["duration"]) for r in rows]
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a mapping of symbol: years")
        pairs = [(str(k), v) for k, v in data.items()]
    out: dict[str, float] = {}
    for symbol, years in pairs:
        try:
            out[symbol.strip()] = value = float(years)
        except (TypeError, ValueError):
            value = float("nan")
        if not symbol.strip() or not np.isfinite(value):
            raise ConfigError(f"{path}: {symbol.strip() or '(no symbol)'}: duration {years!r} "
                              "is not a number of years", field="durations")
    return out


def _benchmark(name: str | None, master: Mapping[InstrumentId, Instrument]) -> str | None:
    if name is None:
        return DEFAULT_BENCHMARK if InstrumentId(DEFAULT_BENCHMARK) in master else None
    if InstrumentId(name) not in master:
        raise UnknownReference(f"benchmark {name!r} is not an instrument of the book",
                               field="benchmark")
    return name


def _is_bond(i: Instrument) -> bool:
    return i.kind is InstrumentKind.BOND or any(w in i.asset_class.lower() for w in BOND_WORDS)


def _stress(held: Holdings, history: History, bench: int | None,
            instruments: list[Instrument], durations: Mapping[str, float],
            ) -> tuple[tuple[ScenarioResult, ...], tuple[str, ...]]:
    """Historical replays (the benchmark, weight 0, proxies an instrument without prices in a
    window) and the hypothetical shocks."""
    n = len(held.instruments)
    full = np.zeros(len(history.instruments))
    full[:n] = held.weights
    value = held.value or 1.0
    replays = historical_replay(history.dates, history.prices, full, value, benchmark=bench)
    duration = np.array([durations.get(i.id, DEFAULT_BOND_DURATION if _is_bond(i) else 0.0)
                         for i in instruments])
    assumed = [i.id for i in instruments if i.id not in durations and _is_bond(i)]
    notes = [f"rates shock: {', '.join(assumed)} taken at the default modified duration "
             f"{DEFAULT_BOND_DURATION:g} (bond-like, no duration given)"] if assumed else []
    if not duration.any():
        notes.append("rates shock: no holding has a duration (no bonds), so it loses nothing")
    is_equity = [i.kind is InstrumentKind.EQUITY or "equity" in i.asset_class.lower()
                 for i in instruments]
    largest = held.instruments[int(np.argmax(held.weights))]
    shocks = (equity_shock(held.weights, is_equity, -0.20, value),
              rate_shock(held.weights, duration, 0.01, value),
              single_name_shock(held.weights, held.instruments, largest, -0.5, value))
    results = replays + shocks
    if held.value is None:  # a model has no value: its losses are fractions only
        results = tuple(replace(r, loss_value=None) for r in results)
    return results, tuple(notes)
