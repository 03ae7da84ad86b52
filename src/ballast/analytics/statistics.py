"""Risk-adjusted performance statistics of a return series, annualized with ``periods_per_year``.

Returns are simple per-period returns, oldest first; a risk-free rate or a target is per period
too (a 2% annual rate on daily returns is about ``0.02 / 252``). Conventions follow
empyrical-reloaded, which the tests compare against; beta, tracking error and drawdown are those
of :mod:`ballast.analytics.risk`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ballast.analytics.arrays import FloatArray, as_vector
from ballast.analytics.risk import beta, max_drawdown_of_returns, tracking_error
from ballast.domain import DataError


def _returns(returns: npt.ArrayLike) -> FloatArray:
    return as_vector(returns, "returns", min_len=2)


def annualized_return(returns: npt.ArrayLike, periods_per_year: int = 252) -> float:
    """Compound annual growth: ``prod(1 + r) ** (periods_per_year / T) - 1``."""
    r = _returns(returns)
    return float(np.prod(1.0 + r) ** (periods_per_year / len(r)) - 1.0)


def annualized_volatility(returns: npt.ArrayLike, periods_per_year: int = 252) -> float:
    """``std(r, ddof=1) * sqrt(periods_per_year)``."""
    return float(np.std(_returns(returns), ddof=1) * np.sqrt(periods_per_year))


def _ratio(numerator: float, denominator: float, name: str) -> float:
    if denominator == 0.0:
        raise DataError(f"returns: {name} undefined, its denominator is zero", field="returns")
    return numerator / denominator


def sharpe_ratio(returns: npt.ArrayLike, risk_free: float = 0.0,
                 periods_per_year: int = 252) -> float:
    """``mean(r - rf) / std(r - rf, ddof=1) * sqrt(periods_per_year)``."""
    x = _returns(returns) - risk_free
    return _ratio(float(np.mean(x)), float(np.std(x, ddof=1)), "Sharpe ratio") * float(
        np.sqrt(periods_per_year))


def downside_deviation(returns: npt.ArrayLike, target: float = 0.0,
                       periods_per_year: int = 252) -> float:
    """``sqrt(mean(min(r - target, 0)²)) * sqrt(periods_per_year)``, over every period."""
    shortfall = np.minimum(_returns(returns) - target, 0.0)
    return float(np.sqrt(np.mean(shortfall**2)) * np.sqrt(periods_per_year))


def sortino_ratio(returns: npt.ArrayLike, target: float = 0.0,
                  periods_per_year: int = 252) -> float:
    """``mean(r - target) * periods_per_year / downside_deviation``."""
    excess = float(np.mean(_returns(returns) - target)) * periods_per_year
    return _ratio(excess, downside_deviation(returns, target, periods_per_year),
                  "Sortino ratio")


def calmar_ratio(returns: npt.ArrayLike, periods_per_year: int = 252) -> float:
    """Annualized return over the maximum drawdown (a positive fraction)."""
    depth = max_drawdown_of_returns(_returns(returns)).depth
    return _ratio(annualized_return(returns, periods_per_year), depth, "Calmar ratio")


def information_ratio(returns: npt.ArrayLike, benchmark_returns: npt.ArrayLike,
                      periods_per_year: int = 252) -> float:
    """Annualized mean active return over the annualized tracking error."""
    r = _returns(returns)
    b = as_vector(benchmark_returns, "benchmark_returns", length=len(r))
    active = float(np.mean(r - b)) * periods_per_year
    return _ratio(active, tracking_error(r, b, periods_per_year), "information ratio")


@dataclass(frozen=True, slots=True)
class PerformanceStatistics:
    """The statistics of one return series; the benchmark-relative ones are None without one."""

    periods: int
    annualized_return: float
    volatility: float
    sharpe: float
    sortino: float
    max_drawdown: float
    calmar: float
    beta: float | None
    tracking_error: float | None
    information_ratio: float | None


def performance_statistics(returns: npt.ArrayLike,
                           benchmark_returns: npt.ArrayLike | None = None,
                           risk_free: float = 0.0, target: float = 0.0,
                           periods_per_year: int = 252) -> PerformanceStatistics:
    """Every statistic of this module for ``returns`` (and against ``benchmark_returns``)."""
    r = _returns(returns)
    relative: tuple[float | None, float | None, float | None] = (None, None, None)
    if benchmark_returns is not None:
        b = as_vector(benchmark_returns, "benchmark_returns", length=len(r))
        relative = (beta(r, b), tracking_error(r, b, periods_per_year),
                    information_ratio(r, b, periods_per_year))
    return PerformanceStatistics(
        len(r), annualized_return(r, periods_per_year), annualized_volatility(r, periods_per_year),
        sharpe_ratio(r, risk_free, periods_per_year), sortino_ratio(r, target, periods_per_year),
        max_drawdown_of_returns(r).depth, calmar_ratio(r, periods_per_year), *relative)
