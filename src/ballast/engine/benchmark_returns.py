"""Daily total returns of instruments on the valuation days (in the scope's currency), and the
benchmark of a scope: a model's blended benchmark (its target weights × its instruments'
returns, rebalanced daily, the cash target earning nothing) or one index instrument."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ballast.data import FxTable, PriceTable
from ballast.domain import (
    Account,
    ConfigError,
    DataError,
    Instrument,
    InstrumentId,
    UnknownReference,
)
from ballast.engine.nav import Scope, ScopeKind
from ballast.engine.weights import model_weights
from ballast.store import UnitOfWork

FloatArray = npt.NDArray[np.float64]
DayArray = npt.NDArray[np.datetime64]


def total_returns(prices: PriceTable, ids: Sequence[str], days: DayArray) -> FloatArray:
    """Daily total return (dividends reinvested, splits neutral) of each of ``ids`` from each
    of ``days`` to the next [T, N]; 0 on days before an instrument's first price."""
    out = np.zeros((len(days) - 1, len(ids)))
    first, last = days[0].astype(object), days[-1].astype(object)
    for k, iid in enumerate(ids):
        if not prices.instruments or InstrumentId(iid) not in prices.instruments:
            continue
        bar_days, level = prices.adjusted_closes(iid, first, last)
        at = np.searchsorted(bar_days, days, side="right") - 1
        known = at >= 0
        series = np.full(len(days), np.nan)
        series[known] = level[at[known]]
        with np.errstate(invalid="ignore"):
            r = series[1:] / series[:-1] - 1.0
        out[:, k] = np.nan_to_num(r, nan=0.0)
    return out


def in_currency(returns: FloatArray, ids: Sequence[str],
                instruments: Mapping[InstrumentId, Instrument], fx: FxTable, currency: str,
                days: DayArray) -> FloatArray:
    """Local-currency ``returns`` [T, N] of ``ids`` as returns in ``currency``:
    ``(1 + r) · X_t / X_{t-1} - 1`` with ``X`` the FX rate on or before each day (no FX move
    where a rate is missing)."""
    out = returns.copy()
    foreign = sorted({instruments[InstrumentId(i)].currency for i in ids} - {currency})
    for ccy in foreign:
        level = np.full(len(days), np.nan)
        for t, day in enumerate(days.astype(object)):
            with contextlib.suppress(DataError):
                level[t] = float(fx.rate(ccy, currency, day))
        with np.errstate(invalid="ignore"):
            move = np.nan_to_num(level[1:] / level[:-1], nan=1.0)
        cols = [k for k, i in enumerate(ids) if instruments[InstrumentId(i)].currency == ccy]
        out[:, cols] = (1.0 + out[:, cols]) * move[:, None] - 1.0
    return out


@dataclass(frozen=True, slots=True)
class Benchmark:
    """``weights`` of ``instruments`` (the rest is cash), named ``name``."""

    name: str
    instruments: tuple[str, ...]
    weights: FloatArray


def _scope_model(scope: Scope, members: Sequence[Account]) -> str | None:
    if scope.kind is ScopeKind.MODEL:
        return scope.ident
    if scope.kind is ScopeKind.FIRM:
        return None
    models = {a.model for a in members if a.model}
    return models.pop() if len(models) == 1 else None


def choose_benchmark(tx: UnitOfWork, scope: Scope, members: Sequence[Account],
                     index: str | None) -> tuple[Benchmark | None, str]:
    """The index instrument ``index`` when given, else the blended benchmark of the scope's
    model; or None and the reason (the firm, a household whose accounts follow different
    models, a model that is not stored)."""
    if index is not None:
        if InstrumentId(index) not in tx.instruments():
            raise UnknownReference(f"no instrument {index!r} to use as the benchmark",
                                   hint="Import it (`ballast import instruments FILE`) and "
                                   "its prices.", field="benchmark")
        return Benchmark(index, (index,), np.ones(1)), ""
    model = _scope_model(scope, members)
    if model is None:
        return None, ("the firm has no model" if scope.kind is ScopeKind.FIRM else
                      "its accounts follow no single model") + "; pass --benchmark"
    try:
        weights, cash = model_weights(tx, model)
    except ConfigError as exc:
        return None, str(exc)
    ids = tuple(sorted(weights))
    w = np.array([weights[i] for i in ids])
    total = float(w.sum()) + cash
    return Benchmark(f"model {model} (blended)", ids, w / total if total > 0 else w), ""


@dataclass(frozen=True, slots=True)
class Benchmarks:
    """What a scope's returns are compared with (``index``, or None because ``why_none``) and
    the model its attribution is measured against (the scope's model, whatever the index)."""

    index: Benchmark | None
    why_none: str
    model: Benchmark | None


def choose_benchmarks(tx: UnitOfWork, scope: Scope, members: Sequence[Account],
                      index: str | None) -> Benchmarks:
    """The benchmark of the returns (``index`` when given) and the model for attribution."""
    chosen, why_none = choose_benchmark(tx, scope, members, index)
    model = chosen if index is None else choose_benchmark(tx, scope, members, None)[0]
    return Benchmarks(chosen, why_none, model)
