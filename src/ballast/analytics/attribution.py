"""Return attribution: Brinson-Fachler by group, linked over periods (Carino, Menchero), and
contribution to return by holding.

A group is any partition of the portfolio (asset class, sector, country); cash is a group like
any other, so each side's weights sum to one. Returns are simple returns of one period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from ballast.analytics.arrays import FloatArray, as_matrix, as_vector
from ballast.domain import DataError


@dataclass(frozen=True, slots=True)
class GroupedReturns:
    """Weight and return of each group: the return is the weighted mean of its holdings
    (zero for a group with no weight)."""

    groups: tuple[str, ...]
    weights: FloatArray
    returns: FloatArray


def group_returns(weights: npt.ArrayLike, returns: npt.ArrayLike, labels: Sequence[str],
                  groups: Sequence[str]) -> GroupedReturns:
    """Aggregate holdings into ``groups`` by their ``labels`` (each label must be a group)."""
    w = as_vector(weights, "weights")
    r = as_vector(returns, "returns", length=len(w))
    if len(labels) != len(w):
        raise DataError(f"labels: expected {len(w)} labels, got {len(labels)}", field="labels")
    index = {g: i for i, g in enumerate(groups)}
    unknown = sorted(set(labels) - set(index))
    if unknown:
        raise DataError(f"labels: not among the groups: {unknown}", field="labels")
    at = np.array([index[label] for label in labels], dtype=np.int64)
    gw = np.bincount(at, weights=w, minlength=len(index)).astype(np.float64)
    gc = np.bincount(at, weights=w * r, minlength=len(index)).astype(np.float64)
    gr = np.divide(gc, gw, out=np.zeros_like(gc), where=gw != 0.0)
    return GroupedReturns(tuple(groups), gw, gr)


@dataclass(frozen=True, slots=True)
class BrinsonFachler:
    """Effects per group of one period; they sum to ``portfolio_return - benchmark_return``."""

    allocation: FloatArray
    selection: FloatArray
    interaction: FloatArray
    portfolio_return: float
    benchmark_return: float

    @property
    def excess(self) -> float:
        """Arithmetic excess return ``R - B``."""
        return self.portfolio_return - self.benchmark_return

    @property
    def total(self) -> FloatArray:
        """Allocation + selection + interaction of each group."""
        return self.allocation + self.selection + self.interaction


def _weights(a: npt.ArrayLike, name: str, length: int | None = None) -> FloatArray:
    w = as_vector(a, name, length=length)
    if abs(float(w.sum()) - 1.0) > 1e-9:
        raise DataError(f"{name}: weights sum to {w.sum()}, not 1 (add cash as a group)",
                        field=name)
    return w


def brinson_fachler(portfolio_weights: npt.ArrayLike, portfolio_returns: npt.ArrayLike,
                    benchmark_weights: npt.ArrayLike,
                    benchmark_returns: npt.ArrayLike) -> BrinsonFachler:
    """Allocation ``(wp - wb)(rb - B)``, selection ``wb (rp - rb)``, interaction
    ``(wp - wb)(rp - rb)`` per group; ``B = Σ wb rb``."""
    wp = _weights(portfolio_weights, "portfolio_weights")
    rp = as_vector(portfolio_returns, "portfolio_returns", length=len(wp))
    wb = _weights(benchmark_weights, "benchmark_weights", length=len(wp))
    rb = as_vector(benchmark_returns, "benchmark_returns", length=len(wp))
    bench = float(wb @ rb)
    return BrinsonFachler((wp - wb) * (rb - bench), wb * (rp - rb), (wp - wb) * (rp - rb),
                          float(wp @ rp), bench)


class Linking(StrEnum):
    """How single-period effects are scaled to sum to the linked excess return."""

    CARINO = "carino"
    MENCHERO = "menchero"


@dataclass(frozen=True, slots=True)
class LinkedAttribution:
    """Effects per group over several periods; they sum to ``excess``, the difference of the
    geometrically linked portfolio and benchmark returns. ``coefficients`` scale each period."""

    allocation: FloatArray
    selection: FloatArray
    interaction: FloatArray
    portfolio_return: float
    benchmark_return: float
    coefficients: FloatArray

    @property
    def excess(self) -> float:
        """``R - B`` of the linked returns."""
        return self.portfolio_return - self.benchmark_return


def _log_ratio(r: FloatArray, b: FloatArray) -> FloatArray:
    """Carino's ``(ln(1 + r) - ln(1 + b)) / (r - b)``, ``1 / (1 + r)`` where ``r = b``."""
    d = r - b
    same = np.abs(d) < 1e-12
    ratio = (np.log1p(r) - np.log1p(b)) / np.where(same, 1.0, d)
    return np.asarray(np.where(same, 1.0 / (1.0 + r), ratio), dtype=np.float64)


def _coefficients(r: FloatArray, b: FloatArray, method: Linking) -> FloatArray:
    total_r, total_b = float(np.prod(1.0 + r) - 1.0), float(np.prod(1.0 + b) - 1.0)
    if method is Linking.CARINO:
        k = float(_log_ratio(np.array([total_r]), np.array([total_b]))[0])
        return _log_ratio(r, b) / k
    n, d = len(r), r - b
    gap = (1.0 + total_r) ** (1.0 / n) - (1.0 + total_b) ** (1.0 / n)
    m = ((total_r - total_b) / (n * gap) if abs(gap) > 1e-15
         else (1.0 + total_r) ** ((n - 1.0) / n))
    ss = float(d @ d)
    alpha = (total_r - total_b - m * float(d.sum())) * d / ss if ss > 0.0 else np.zeros(n)
    return np.asarray(m + alpha, dtype=np.float64)


def link_attribution(periods: Sequence[BrinsonFachler],
                     method: Linking = Linking.CARINO) -> LinkedAttribution:
    """Link single-period effects: each period's effects times its coefficient, summed."""
    if not periods:
        raise DataError("periods: nothing to link", field="periods")
    r = np.array([p.portfolio_return for p in periods])
    b = np.array([p.benchmark_return for p in periods])
    if np.any(r <= -1.0) or np.any(b <= -1.0):
        raise DataError("periods: a return of -100% or worse cannot be linked", field="periods")
    c = _coefficients(r, b, method)

    def scaled(effects: list[FloatArray]) -> FloatArray:
        return np.asarray(c @ np.vstack(effects), dtype=np.float64)

    return LinkedAttribution(
        scaled([p.allocation for p in periods]), scaled([p.selection for p in periods]),
        scaled([p.interaction for p in periods]), float(np.prod(1.0 + r) - 1.0),
        float(np.prod(1.0 + b) - 1.0), c)


@dataclass(frozen=True, slots=True)
class Contribution:
    """Contribution of each holding: ``per_period [T, N]`` is ``w · r``; ``linked [N]`` sums to
    ``total_return``, the geometric link of the portfolio's returns."""

    per_period: FloatArray
    linked: FloatArray
    total_return: float


def contribution(weights: npt.ArrayLike, returns: npt.ArrayLike) -> Contribution:
    """Contribution to return by holding, linked by the wealth at the start of each period:
    ``linked_i = Σ_t w_ti r_ti Π_{s<t} (1 + R_s)``. Weights [T, N] are start-of-period."""
    w = as_matrix(weights, "weights", min_rows=1)
    r = as_matrix(returns, "returns", min_rows=1)
    if r.shape != w.shape:
        raise DataError(f"returns: expected shape {w.shape}, got {r.shape}", field="returns")
    per_period = w * r
    growth = 1.0 + per_period.sum(axis=1)
    wealth = np.concatenate([[1.0], np.cumprod(growth)[:-1]])
    return Contribution(per_period, wealth @ per_period, float(np.prod(growth) - 1.0))
