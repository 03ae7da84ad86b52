"""Risk of a portfolio: volatility, beta, tracking error, drawdown and risk contributions.

Weights are fractions of the portfolio's value [N]; ``cov`` is a covariance of the same period
(annualized in, annualized out). Return series are simple returns, oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ballast.analytics.arrays import FloatArray, as_covariance, as_vector
from ballast.domain import DataError


def volatility(weights: npt.ArrayLike, cov: npt.ArrayLike) -> float:
    """Portfolio volatility ``sqrt(wᵀ Σ w)``."""
    w = as_vector(weights, "weights")
    c = as_covariance(cov, len(w))
    return float(np.sqrt(max(float(w @ c @ w), 0.0)))


def beta(port_returns: npt.ArrayLike, bench_returns: npt.ArrayLike) -> float:
    """``cov(p, b) / var(b)`` over the common rows."""
    p = as_vector(port_returns, "port_returns", min_len=2)
    b = as_vector(bench_returns, "bench_returns", length=len(p))
    db = b - b.mean()
    var_b = float(db @ db)
    if var_b == 0.0:
        raise DataError("bench_returns: constant, beta undefined", field="bench_returns")
    return float(db @ (p - p.mean())) / var_b


def tracking_error(port_returns: npt.ArrayLike, bench_returns: npt.ArrayLike,
                   periods_per_year: int = 252) -> float:
    """Annualized tracking error: ``std(p - b, ddof=1) * sqrt(periods_per_year)``."""
    p = as_vector(port_returns, "port_returns", min_len=2)
    b = as_vector(bench_returns, "bench_returns", length=len(p))
    return float(np.std(p - b, ddof=1) * np.sqrt(periods_per_year))


@dataclass(frozen=True, slots=True)
class Drawdown:
    """The largest peak-to-trough fall: ``depth`` as a positive fraction of the peak, and the
    indices of the peak and the trough in the value series (both 0 when it never falls)."""

    depth: float
    peak: int
    trough: int


def max_drawdown(values: npt.ArrayLike) -> Drawdown:
    """Maximum drawdown of a value series (prices, NAV, wealth) whose first value is positive."""
    v = as_vector(values, "values")
    if v[0] <= 0:
        raise DataError(f"values: the first value must be positive, got {v[0]}", field="values")
    running_peak = np.maximum.accumulate(v)
    depth = 1.0 - v / running_peak
    trough = int(np.argmax(depth))
    peak = int(np.argmax(v[: trough + 1]))
    return Drawdown(float(depth[trough]), peak, trough)


def max_drawdown_of_returns(returns: npt.ArrayLike) -> Drawdown:
    """Maximum drawdown of the wealth path ``1, (1+r0), (1+r0)(1+r1), …``.

    Indices refer to that path: index 0 is the start, index ``i`` the value after return
    ``i - 1``.
    """
    r = as_vector(returns, "returns")
    return max_drawdown(np.concatenate([[1.0], np.cumprod(1.0 + r)]))


@dataclass(frozen=True, slots=True)
class RiskContributions:
    """Euler decomposition of volatility ``σ = sqrt(wᵀΣw)``.

    ``marginal`` = ∂σ/∂w = Σw / σ; ``component`` = w · marginal, which sums to ``volatility``.
    """

    volatility: float
    marginal: FloatArray
    component: FloatArray


def risk_contributions(weights: npt.ArrayLike, cov: npt.ArrayLike) -> RiskContributions:
    """Marginal and component contributions to volatility; raises DataError at zero risk."""
    w = as_vector(weights, "weights")
    c = as_covariance(cov, len(w))
    sigma_w = c @ w
    vol = float(np.sqrt(max(float(w @ sigma_w), 0.0)))
    if vol == 0.0:
        raise DataError("portfolio has zero volatility: risk contributions undefined",
                        field="weights")
    marginal = sigma_w / vol
    return RiskContributions(vol, marginal, w * marginal)
