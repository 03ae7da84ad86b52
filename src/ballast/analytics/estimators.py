"""Point-in-time estimators of expected returns and covariance.

Every function sees only the rows it is given: the caller slices the history up to the as-of
date. Returns are simple (not log) returns, [T, N] with rows oldest first. Annualized outputs
scale by ``periods_per_year`` (252 for daily data). Definitions follow PyPortfolioOpt 1.6
(``expected_returns``, ``risk_models``) and scikit-learn's ``LedoitWolf``; docs/analytics.md
names the test that checks each one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ballast.analytics.arrays import FloatArray, as_matrix, as_vector
from ballast.domain import DataError


def returns_from_prices(prices: npt.ArrayLike) -> FloatArray:
    """Simple returns ``p[t] / p[t-1] - 1`` of a [T, N] price array.

    NaN is allowed only before a column's first price (an instrument not yet listed). The
    history is then trimmed to start at the first row where every column has a price (the
    ``dropna`` of PyPortfolioOpt's cookbook): the result has ``T - 1 - k`` rows, ``k`` being that
    row, and row ``i`` is the return from price row ``k + i`` to ``k + i + 1``.
    Raises DataError (column and row named) on a gap after a column's first price, on a zero,
    negative or infinite price, or when fewer than two rows are fully priced.
    """
    p = np.asarray(prices, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] == 0:
        raise DataError(f"prices: expected a [T, N] array, got shape {p.shape}", field="prices")
    present = ~np.isnan(p)
    gap = np.logical_or.accumulate(present, axis=0) & ~present
    bad = present & ~(np.isfinite(p) & (p > 0))
    problems = np.argwhere(gap | bad)
    if len(problems):
        row, col = (int(i) for i in problems[0])
        what = "missing price after its first price" if gap[row, col] else (
            f"price {p[row, col]} is not positive and finite")
        raise DataError(f"prices column {col}, row {row}: {what}", field="prices")
    full = present.all(axis=1)
    first = int(np.argmax(full)) if full.any() else len(p)
    if len(p) - first < 2:
        raise DataError("prices: fewer than two rows have a price in every column",
                        field="prices")
    kept = p[first:]
    return kept[1:] / kept[:-1] - 1.0


def mean_historical_return(returns: npt.ArrayLike, periods_per_year: int = 252,
                           compounding: bool = True) -> FloatArray:
    """Annualized mean return [N]: ``prod(1 + r) ** (ppy / T) - 1`` (CAGR), or ``mean(r) * ppy``
    when ``compounding`` is false."""
    r = as_matrix(returns, "returns", min_rows=1)
    if compounding:
        growth: FloatArray = np.prod(1.0 + r, axis=0) ** (periods_per_year / len(r)) - 1.0
        return growth
    mean: FloatArray = r.mean(axis=0) * periods_per_year
    return mean


def capm_return(returns: npt.ArrayLike, market_returns: npt.ArrayLike,
                risk_free_rate: float = 0.0, periods_per_year: int = 252,
                compounding: bool = True) -> FloatArray:
    """CAPM expected return [N]: ``rf + beta_i (E[R_m] - rf)``.

    ``beta_i = cov(r_i, m) / var(m)`` over the given rows; ``E[R_m]`` is the market's
    :func:`mean_historical_return`; ``risk_free_rate`` is annual, like the result.
    """
    r = as_matrix(returns, "returns")
    m = as_vector(market_returns, "market_returns", length=len(r))
    dm = m - m.mean()
    var_m = float(dm @ dm)
    if var_m == 0.0:
        raise DataError("market_returns: constant over the window, beta undefined",
                        field="market_returns")
    betas = dm @ (r - r.mean(axis=0)) / var_m
    market = float(mean_historical_return(m[:, None], periods_per_year, compounding)[0])
    expected: FloatArray = risk_free_rate + betas * (market - risk_free_rate)
    return expected


def sample_covariance(returns: npt.ArrayLike, periods_per_year: int = 252) -> FloatArray:
    """Annualized sample covariance [N, N] (divisor ``T - 1``)."""
    r = as_matrix(returns, "returns")
    return _scatter(r - r.mean(axis=0), np.ones(len(r)) / (len(r) - 1)) * periods_per_year


@dataclass(frozen=True, slots=True)
class ShrunkCovariance:
    """A Ledoit-Wolf estimate: the annualized covariance and the shrinkage intensity in [0, 1]."""

    covariance: FloatArray
    shrinkage: float


def ledoit_wolf(returns: npt.ArrayLike, periods_per_year: int = 252) -> ShrunkCovariance:
    """Ledoit-Wolf (2004) shrinkage towards ``mu I``, ``mu`` the mean sample variance.

    As scikit-learn's ``LedoitWolf``: ``S`` is the maximum-likelihood covariance (divisor
    ``T``); the estimate is ``(1 - d) S + d mu I`` with ``d = min(b, c) / c``,
    ``c = ||S - mu I||² / N`` and ``b = (sum_t ||x_t||⁴ / T - ||S||²) / (N T)`` over the
    demeaned rows ``x_t``.
    """
    r = as_matrix(returns, "returns")
    t, n = r.shape
    x = r - r.mean(axis=0)
    s = _scatter(x, np.full(t, 1.0 / t))
    mu = float(np.trace(s)) / n
    target_gap = s - mu * np.eye(n)
    c = float(np.sum(target_gap**2)) / n
    b = (float(np.sum(np.sum(x**2, axis=1) ** 2)) / t - float(np.sum(s**2))) / (n * t)
    b = min(b, c)
    shrinkage = 0.0 if b <= 0.0 else b / c
    shrunk = (1.0 - shrinkage) * s + shrinkage * mu * np.eye(n)
    return ShrunkCovariance(shrunk * periods_per_year, shrinkage)


def ewma_covariance(returns: npt.ArrayLike, span: float = 180,
                    periods_per_year: int = 252) -> FloatArray:
    """Exponentially weighted covariance [N, N], annualized, as PyPortfolioOpt's ``exp_cov``.

    Returns are demeaned by their plain mean; the products are then averaged with weights
    ``(1 - a) ** age`` (``a = 2 / (span + 1)``, age 0 for the last row), normalized to sum to 1
    (pandas ``ewm(span).mean()`` with ``adjust=True``, read at the last row).
    """
    if span < 1:
        raise ValueError(f"span must be at least 1, got {span}")
    r = as_matrix(returns, "returns", min_rows=1)
    decay = 1.0 - 2.0 / (span + 1.0)
    w = decay ** np.arange(len(r) - 1, -1, -1, dtype=np.float64)
    return _scatter(r - r.mean(axis=0), w / w.sum()) * periods_per_year


@dataclass(frozen=True, slots=True)
class FactorFit:
    """OLS fit of each asset's returns on K factors with an intercept (per period, not annual).

    ``alpha`` [N], ``betas`` [N, K], ``r_squared`` [N] (0 for an asset with constant returns),
    ``residual_vol`` [N]: residual standard deviation with divisor ``T - K - 1``.
    """

    alpha: FloatArray
    betas: FloatArray
    r_squared: FloatArray
    residual_vol: FloatArray


def factor_exposures(returns: npt.ArrayLike, factor_returns: npt.ArrayLike) -> FactorFit:
    """Regress each column of ``returns`` [T, N] on ``factor_returns`` [T, K] (numpy lstsq)."""
    r = as_matrix(returns, "returns")
    f = as_matrix(factor_returns, "factor_returns")
    t, k = f.shape
    if len(r) != t:
        raise DataError(f"factor_returns: {t} rows, returns has {len(r)}", field="factor_returns")
    if t <= k + 1:
        raise DataError(f"factor_returns: {t} rows cannot fit {k} factors and an intercept",
                        field="factor_returns")
    design = np.column_stack([np.ones(t), f])
    coef, _, rank, _ = np.linalg.lstsq(design, r, rcond=None)
    if rank < k + 1:
        raise DataError("factor_returns: factors are collinear (or constant) over the window",
                        field="factor_returns")
    resid = r - design @ coef
    ss_res = np.sum(resid**2, axis=0)
    ss_tot = np.sum((r - r.mean(axis=0)) ** 2, axis=0)
    explained = np.divide(ss_res, ss_tot, out=np.ones_like(ss_res), where=ss_tot > 0)
    betas = np.ascontiguousarray(coef[1:].T, dtype=np.float64)
    return FactorFit(alpha=coef[0], betas=betas, r_squared=1.0 - explained,
                     residual_vol=np.sqrt(ss_res / (t - k - 1)))


def factor_covariance(returns: npt.ArrayLike, factor_returns: npt.ArrayLike,
                      periods_per_year: int = 252) -> FloatArray:
    """Factor-model covariance ``B Σ_f Bᵀ + diag(residual var)``, annualized.

    ``B`` and the residual variances come from :func:`factor_exposures`; ``Σ_f`` is the sample
    covariance of the factors (divisor ``T - 1``).
    """
    fit = factor_exposures(returns, factor_returns)
    sigma_f = sample_covariance(factor_returns, periods_per_year)
    cov = fit.betas @ sigma_f @ fit.betas.T
    cov[np.diag_indices_from(cov)] += fit.residual_vol**2 * periods_per_year
    return _symmetric(cov)


def _scatter(x: FloatArray, weights: FloatArray) -> FloatArray:
    """``sum_t w_t x_t x_tᵀ``, exactly symmetric."""
    return _symmetric((x * weights[:, None]).T @ x)


def _symmetric(a: FloatArray) -> FloatArray:
    out: FloatArray = (a + a.T) / 2.0
    return out
