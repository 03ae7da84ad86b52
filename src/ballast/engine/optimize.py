"""From a construction spec and return histories to estimates, constraints and weights.

Weights are in model terms: fractions of the whole model, whose cash target is not invested.
Methods with constraints solve with the budget ``1 − cash``; the others (risk parity, HRP,
volatility targeting) are scaled to it afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from ballast import construct
from ballast.analytics import (
    FloatArray,
    capm_return,
    ewma_covariance,
    factor_covariance,
    factor_exposures,
    ledoit_wolf,
    mean_historical_return,
    sample_covariance,
)
from ballast.config.construct import BuildSpec
from ballast.config.construct_methods import (
    BlackLitterman,
    Capm,
    DirectIndex,
    EfficientReturn,
    EfficientRisk,
    EwmaCov,
    FactorCov,
    Hrp,
    MaxSharpe,
    MeanCvar,
    MinVariance,
    RiskParity,
    SampleCov,
    VolTarget,
)
from ballast.domain import ConfigError
from ballast.engine.factor_input import Factors


@dataclass(frozen=True, slots=True, eq=False)
class Estimates:
    """Annualized expected returns ``mu`` [N] and covariance ``cov`` [N, N] of the assets
    ``names``, their daily ``returns`` [T, N], how they were estimated, and their ``betas``
    [N, K] on the spec's file ``factors`` (none without a factor file)."""

    names: tuple[str, ...]
    mu: FloatArray
    cov: FloatArray
    returns: FloatArray
    described: tuple[str, ...]
    factors: tuple[str, ...] = ()
    betas: FloatArray | None = None


def estimate(spec: BuildSpec, returns: FloatArray, series: Mapping[str, FloatArray],
             factors: Factors | None = None) -> Estimates:
    """The spec's estimators on the assets' daily ``returns``; ``series`` holds the returns of
    the market and factor instruments over the same dates, ``factors`` those of the spec's
    factor file on the window's dates it has."""
    er, cv = spec.estimators.expected_returns, spec.estimators.covariance
    if isinstance(er, Capm):
        mu = capm_return(returns, series[er.market], er.risk_free_rate)
        said = f"expected returns: CAPM, beta to {er.market}, risk-free {er.risk_free_rate:g}"
    else:
        mu = mean_historical_return(returns, compounding=er.compounding)
        said = ("expected returns: historical mean, "
                + ("compounded" if er.compounding else "arithmetic"))
    if isinstance(cv, SampleCov):
        cov, how = sample_covariance(returns), "covariance: sample"
    elif isinstance(cv, EwmaCov):
        cov, how = ewma_covariance(returns, cv.span), f"covariance: EWMA, span {cv.span:g}"
    elif isinstance(cv, FactorCov) and cv.factors:
        cov = factor_covariance(returns, np.column_stack([series[f] for f in cv.factors]))
        how = f"covariance: factor model on {', '.join(cv.factors)}"
    elif isinstance(cv, FactorCov):
        assert factors is not None
        cov = factor_covariance(returns[factors.rows], factors.values)
        how = f"covariance: factor model on the file's {', '.join(factors.names)}"
    else:
        shrunk = ledoit_wolf(returns)
        cov, how = shrunk.covariance, f"covariance: Ledoit-Wolf, shrinkage {shrunk.shrinkage:.3f}"
    names = tuple(a.name for a in spec.universe)
    described = (said, how, "annualized with 252 sessions a year")
    if factors is None:
        return Estimates(names, mu, cov, returns, described)
    betas = factor_exposures(returns[factors.rows], factors.values).betas
    return Estimates(names, mu, cov, returns, (*described, factors.described()), factors.names,
                     betas)


def factor_bounds(spec: BuildSpec, est: Estimates) -> construct.FactorBounds | None:
    """The spec's factor limits and tilts on the estimated betas (None without any)."""
    f = spec.factors
    if f is None or est.betas is None or not (f.limits or f.tilts):
        return None
    unknown = sorted((set(f.limits) | set(f.tilts)) - set(est.factors))
    if unknown:
        raise ConfigError(f"factors: {', '.join(unknown)} not in {f.file} (its factors: "
                          f"{', '.join(est.factors)})", field="factors")
    bound = [j for j, k in enumerate(est.factors) if k in f.limits or k in f.tilts]
    lower, upper = zip(*(f.bounds(est.factors[j]) for j in bound), strict=True)
    return construct.FactorBounds.limits(est.betas[:, bound], lower, upper,
                                         tuple(est.factors[j] for j in bound))


def constraints(spec: BuildSpec, labels: Sequence[str], current: FloatArray | None,
                outside: float, est: Estimates) -> construct.Constraints:
    """The spec's constraints in model terms. ``labels``: each asset's group (by the spec's
    ``group_by``, or its sector for a direct index's sector caps); ``current``: each asset's
    weight in the turnover model, which holds ``outside`` of its weight outside the universe;
    ``est``: the betas that factor limits bound."""
    c = spec.constraints
    bounds = c.group_bounds
    if isinstance(spec.method, DirectIndex) and spec.method.sector_caps:
        bounds = {sector: (0.0, cap) for sector, cap in spec.method.sector_caps.items()}
    turnover = None
    if c.turnover is not None:
        turnover = c.turnover.max - outside
        if turnover < 0:
            raise ConfigError(f"turnover: the limit {c.turnover.max:g} is below the "
                              f"{outside:g} model {c.turnover.model} holds outside the universe",
                              field="constraints.turnover.max")
    return construct.Constraints(
        lower=np.array([c.min_weight if a.min is None else a.min for a in spec.universe]),
        upper=np.array([c.max_weight if a.max is None else a.max for a in spec.universe]),
        budget=1.0 - spec.cash.target, groups=tuple(labels), group_bounds=dict(bounds),
        current=current, max_turnover=turnover, max_holdings=c.max_holdings,
        factors=factor_bounds(spec, est))


@dataclass(frozen=True, slots=True, eq=False)
class Outcome:
    """An optimizer run: ``weights`` in model terms, what the report says about the method, and
    the estimates the weights are judged by (Black-Litterman's posterior for that method)."""

    method: str
    weights: FloatArray
    constraints: tuple[str, ...]
    metrics: tuple[tuple[str, float], ...]
    estimates: Estimates


def _outcome(result: construct.Result, est: Estimates, scale: float = 1.0) -> Outcome:
    said = result.constraints
    if scale != 1.0:
        said = (*said, f"weights scaled to the invested budget {scale:g}")
    return Outcome(result.method, result.weights * scale, said, result.metrics, est)


def optimize(spec: BuildSpec, est: Estimates, cons: construct.Constraints,
             market: FloatArray | None) -> Outcome:
    """Run the spec's method. ``market``: the daily returns of Black-Litterman's market
    instrument, when it has one."""
    m, mu, cov, names = spec.method, est.mu, est.cov, est.names
    budget = 1.0 - spec.cash.target
    if isinstance(m, MinVariance):
        return _outcome(construct.min_variance(cov, cons, mu=mu, names=names), est)
    if isinstance(m, MaxSharpe):
        return _outcome(construct.max_sharpe(mu, cov, cons, risk_free_rate=m.risk_free_rate,
                                             names=names), est)
    if isinstance(m, EfficientReturn):
        return _outcome(construct.efficient_return(mu, cov, m.target, cons, names=names), est)
    if isinstance(m, EfficientRisk):
        return _outcome(construct.efficient_risk(mu, cov, m.target, cons, names=names), est)
    if isinstance(m, MeanCvar):
        return _outcome(construct.mean_cvar(est.returns, cons, beta=m.confidence,
                                            target_return=m.target, mu=mu, names=names), est)
    if isinstance(m, BlackLitterman):
        return _black_litterman(m, est, cons, market)
    if isinstance(m, DirectIndex):
        bench = np.array([m.benchmark.get(n, 0.0) for n in names])
        return _outcome(construct.track_index(bench / bench.sum() * budget, cov, m.max_names,
                                              cons, exclude=m.exclude, names=names), est)
    if isinstance(m, VolTarget):
        return _vol_target(m, est, budget)
    if isinstance(m, RiskParity):
        budgets = None if m.budgets is None else np.array([m.budgets[n] for n in names])
        return _outcome(construct.risk_parity(cov, budgets, mu=mu, names=names), est, budget)
    assert isinstance(m, Hrp)
    return _outcome(construct.hrp(cov, linkage=m.linkage, mu=mu, names=names), est, budget)


def _black_litterman(m: BlackLitterman, est: Estimates, cons: construct.Constraints,
                     market: FloatArray | None) -> Outcome:
    names = est.names
    if m.risk_aversion is not None:
        delta = m.risk_aversion
    else:
        assert market is not None
        delta = construct.market_implied_risk_aversion(market, risk_free_rate=m.risk_free_rate)
    weights = np.array([m.market_weights.get(n, 0.0) for n in names])
    prior = construct.market_implied_prior(weights, est.cov, delta, m.risk_free_rate)
    picks = np.array([[v.assets.get(n, 0.0) for n in names] for v in m.views])
    confidences = [v.confidence for v in m.views]
    idzorek = all(c is not None for c in confidences)
    post = construct.black_litterman(
        est.cov, prior, picks, [v.expected for v in m.views], tau=m.tau,
        omega="idzorek" if idzorek else "default",
        confidences=np.array(confidences, dtype=np.float64) if idzorek else None)
    result = construct.max_sharpe(post.mean, post.cov, cons, risk_free_rate=m.risk_free_rate,
                                  names=names)
    posterior = replace(est, mu=post.mean, cov=post.cov, described=(
        *est.described, f"Black-Litterman posterior: risk aversion {delta:.3f}, tau {m.tau:g}, "
        f"{len(m.views)} views" + (" with Idzorek confidences" if idzorek else "")))
    return Outcome(f"Black-Litterman, then {result.method}", result.weights,
                   result.constraints, result.metrics, posterior)


def _vol_target(m: VolTarget, est: Estimates, budget: float) -> Outcome:
    names = est.names
    risky_of = np.array([n != m.reserve for n in names])
    sub = est.cov[np.ix_(risky_of, risky_of)]
    if m.risky == "equal":
        part = np.full(int(risky_of.sum()), 1.0 / risky_of.sum())
    elif m.risky == "risk_parity":
        part = construct.risk_parity(sub).weights
    elif m.risky == "hrp":
        part = construct.hrp(sub).weights
    else:
        part = construct.min_variance(sub).weights
    risky = np.zeros(len(names))
    risky[risky_of] = part
    reserve = None if m.reserve is None else (~risky_of).astype(np.float64)
    # The target is the model's volatility, and the model invests only ``budget``: measured
    # with the covariance of the scaled weights, the figures (and messages) are the model's.
    result = construct.vol_target(risky, est.cov * budget**2, m.target, reserve=reserve,
                                  max_leverage=m.leverage_cap, mu=est.mu, names=names)
    return Outcome(
        f"{result.method}, {m.risky} risky portfolio", result.weights * budget,
        (f"model volatility ≤ {m.target:g}", f"exposure ≤ {m.leverage_cap:g}",
         f"reserve: {m.reserve or 'cash'}"), (("exposure", result.metric("exposure")),), est)
