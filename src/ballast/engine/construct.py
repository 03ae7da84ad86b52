"""Build a model from a construction spec: prices → returns → estimates → optimizer → weights →
a new model version, stored the way ``ballast models import`` stores one."""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from ballast.analytics import FloatArray, returns_from_prices, risk_contributions
from ballast.config.construct import BuildSpec, load_spec
from ballast.config.construct_methods import BlackLitterman, Capm, DirectIndex, FactorCov
from ballast.config.models import Cash, InstrumentTarget, ModelSpec, Sleeve, dump_model
from ballast.data.calendar import DayArray, to_date
from ballast.domain import DataError, Instrument, InstrumentId, UnknownReference
from ballast.engine.factor_input import load_factors
from ballast.engine.history import load_history, window_start
from ballast.engine.optimize import Outcome, constraints, estimate, optimize
from ballast.engine.rebalance import import_models
from ballast.engine.weights import model_weights
from ballast.store import Store, UnitOfWork

STEP = 10_000  # weights are whole multiples of 1/STEP (0.0001)


@dataclass(frozen=True, slots=True)
class AssetWeight:
    """One asset of the built model with its share of the model's risk.

    ``marginal`` is ∂σ/∂w, ``component`` w·marginal (they sum to the volatility), ``share``
    component / volatility."""

    asset: str
    instruments: tuple[str, ...]
    weight: float
    expected_return: float
    marginal: float
    component: float
    share: float


@dataclass(frozen=True, slots=True)
class FactorExposure:
    """The model's exposure Bᵀw to one factor of the spec's file (cash has none), and its
    limit (None: unbounded on that side)."""

    factor: str
    exposure: float
    lower: float | None
    upper: float | None


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What was built from what: inputs, method, constraints, weights and figures (annualized,
    for the model with its cash, which earns nothing), and the version written."""

    model: str
    version: str
    new_version: bool
    dry_run: bool
    spec_version: str
    as_of: date
    window_start: date
    window_end: date
    sessions: int
    universe: tuple[str, ...]
    estimators: tuple[str, ...]
    method: str
    constraints: tuple[str, ...]
    metrics: tuple[tuple[str, float], ...]
    weights: tuple[AssetWeight, ...]
    cash: float
    expected_return: float
    volatility: float
    factor_exposures: tuple[FactorExposure, ...]
    model_yaml: str

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data for JSON."""
        return asdict(self)


def build_model(store: Store, spec: BuildSpec | Path | str, *, as_of: date | None = None,
                dry_run: bool = False) -> BuildReport:
    """Build the model ``spec`` describes as of ``as_of`` (else the spec's, else the latest
    price date) and store it as a new version unless ``dry_run``.

    Raises ConfigError for an invalid or infeasible spec (construct's message names the
    conflicting constraints), UnknownReference for instruments the book does not know and
    DataError for too little price history."""
    spec = spec if isinstance(spec, BuildSpec) else load_spec(spec)
    with store.transaction() as tx:
        master = tx.instruments()
        _check_known(spec, master)
        day = as_of or spec.as_of or tx.last_price_date()
        if day is None:
            raise DataError("the book has no prices", hint="Import prices first.")
        priced = [a.held[0] for a in spec.universe]
        extra = _extra_series(spec)
        ids = priced + [e for e in extra if e not in priced]
        start = window_start([master[InstrumentId(i)] for i in ids], day, spec.lookback_days)
        history = load_history(tx, ids, day, start).window(spec.lookback_days)
        current, outside = _current(tx, spec)
    all_returns = returns_from_prices(history.prices)
    series = {i: all_returns[:, ids.index(i)] for i in extra}
    factors = None if spec.factors is None else load_factors(
        spec.factors.path, history.dates[1:], day, spec.factors.columns)
    est = estimate(spec, all_returns[:, :len(priced)], series, factors)
    labels = [_label(spec, master[InstrumentId(i)], a.group) for i, a in zip(
        priced, spec.universe, strict=True)]
    market = spec.method.market if isinstance(spec.method, BlackLitterman) else None
    outcome = optimize(spec, est, constraints(spec, labels, current, outside, est),
                       None if market is None else series[market])
    if outside and (turnover := spec.constraints.turnover) is not None:
        outcome = replace(outcome, constraints=(
            *outcome.constraints, f"turnover: {outside:.4g} of model {turnover.model} lies "
            f"outside the universe and counts against the limit {turnover.max:g}"))
    units = _units(outcome.weights)
    model = _model(spec, units, outcome, day)
    new = False if dry_run else _store(store, model)
    return _report(spec, model, new, dry_run, outcome, units / STEP, day, history.dates)


def _extra_series(spec: BuildSpec) -> list[str]:
    """Instruments priced besides the assets: the CAPM market, the factors, BL's market."""
    er, cov, m = spec.estimators.expected_returns, spec.estimators.covariance, spec.method
    extra = [er.market] if isinstance(er, Capm) else []
    extra += list(cov.factors) if isinstance(cov, FactorCov) else []
    extra += [m.market] if isinstance(m, BlackLitterman) and m.market is not None else []
    return list(dict.fromkeys(extra))


def _check_known(spec: BuildSpec, master: dict[InstrumentId, Instrument]) -> None:
    used = [(f"universe[{i}]", ident) for i, a in enumerate(spec.universe) for ident in a.held]
    used += [("estimators/method", ident) for ident in _extra_series(spec)]
    unknown = [f"{ident} ({where})" for where, ident in used if InstrumentId(ident) not in master]
    if unknown:
        raise UnknownReference(f"{spec.name}: unknown instruments: {', '.join(unknown)}",
                               hint="Import them with `ballast import instruments`, or fix the "
                               "spec.", field="instruments")


def _current(tx: UnitOfWork, spec: BuildSpec) -> tuple[FloatArray | None, float]:
    """Each asset's weight in the turnover model, and what that model holds outside them."""
    turnover = spec.constraints.turnover
    if turnover is None:
        return None, 0.0
    weights, cash = model_weights(tx, turnover.model)
    current = np.array([sum(weights.get(i, 0.0) for i in a.held) for a in spec.universe])
    return current, max(1.0 - cash - float(current.sum()), 0.0)


def _label(spec: BuildSpec, instrument: Instrument, group: str) -> str:
    """An asset's group for group bounds (sector caps group by sector)."""
    by = spec.constraints.group_by
    if isinstance(spec.method, DirectIndex) and spec.method.sector_caps:
        by = "sector"
    return instrument.sector if by == "sector" else (
        instrument.asset_class if by == "asset_class" else group)


def _units(weights: FloatArray) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Weights in whole steps of 1/STEP, summing to their rounded total (largest remainder)."""
    raw = np.clip(weights, 0.0, None) * STEP
    units = np.floor(raw + 1e-9).astype(np.int64)
    short = round(float(raw.sum())) - int(units.sum())
    units[np.argsort(-(raw - units), kind="stable")[:max(short, 0)]] += 1
    return units


def _model(spec: BuildSpec, units: np.ndarray[Any, np.dtype[np.int64]], outcome: Outcome,
           as_of: date) -> ModelSpec:
    sleeves, targets = [], []
    for asset, u in zip(spec.universe, units.tolist(), strict=True):
        if u == 0:
            continue
        if asset.sleeve is not None:
            sleeves.append(Sleeve(name=asset.sleeve, target=u / STEP, instruments=asset.held,
                                  tax_efficiency=asset.tax_efficiency))
        else:
            targets.append(InstrumentTarget(instrument=asset.held[0], target=u / STEP,
                                            tax_efficiency=asset.tax_efficiency))
    cash = (STEP - int(units.sum())) / STEP
    built = (f"Built by `ballast model build` from spec {spec.version}: {outcome.method}, "
             f"{spec.lookback_days} sessions to {as_of}.")
    return ModelSpec(name=spec.name, description=f"{spec.description} {built}".strip(),
                     cash=Cash(target=cash, minimum=spec.cash.minimum),
                     bands=spec.bands, sleeves=tuple(sleeves), targets=tuple(targets))


def _store(store: Store, model: ModelSpec) -> bool:
    """Store ``model`` through ``import_models`` (validation, instrument check, versioning)."""
    with tempfile.TemporaryDirectory(prefix="ballast-build-") as tmp:
        path = Path(tmp) / f"{model.name}.yaml"
        path.write_text(dump_model(model), encoding="utf-8")
        [(_, _, new)] = import_models(store, [path])
    return new


def _report(spec: BuildSpec, model: ModelSpec, new: bool, dry_run: bool, outcome: Outcome,
            w: FloatArray, as_of: date, dates: DayArray) -> BuildReport:
    est = outcome.estimates
    rc = risk_contributions(w, est.cov)
    rows = tuple(
        AssetWeight(a.name, a.held, float(w[i]), float(est.mu[i]), float(rc.marginal[i]),
                    float(rc.component[i]), float(rc.component[i] / rc.volatility))
        for i, a in enumerate(spec.universe) if w[i] > 0)
    return BuildReport(
        model=model.name, version=model.version, new_version=new, dry_run=dry_run,
        spec_version=spec.version, as_of=as_of, window_start=to_date(dates[0]),
        window_end=to_date(dates[-1]), sessions=len(dates) - 1, universe=est.names,
        estimators=est.described, method=outcome.method, constraints=outcome.constraints,
        metrics=outcome.metrics, weights=rows, cash=model.cash.target,
        expected_return=float(est.mu @ w), volatility=rc.volatility,
        factor_exposures=_exposures(spec, outcome, w), model_yaml=dump_model(model))


def _exposures(spec: BuildSpec, outcome: Outcome, w: FloatArray) -> tuple[FactorExposure, ...]:
    est = outcome.estimates
    if spec.factors is None or est.betas is None:
        return ()
    bounds = [spec.factors.bounds(k) for k in est.factors]
    return tuple(FactorExposure(k, float(x), lo if np.isfinite(lo) else None,
                                hi if np.isfinite(hi) else None)
                 for k, x, (lo, hi) in zip(est.factors, est.betas.T @ w, bounds, strict=True))
