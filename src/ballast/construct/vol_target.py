"""Volatility targeting: scale a risky portfolio to a target volatility, the rest in reserve.

The mix k·risky + (1 − k)·reserve has variance σ²(k) = k²a + 2k(1 − k)c + (1 − k)²d with
a = rᵀΣr, c = rᵀΣs, d = sᵀΣs (cash: c = d = 0). The largest k in [0, max_leverage] with
σ(k) ≤ target is a root of that quadratic (or the cap). k > 1 borrows cash.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ballast.construct.arrays import asset_names, covariance, finite_vector
from ballast.construct.result import Result, make_result
from ballast.domain.errors import ConfigError, DataError


def vol_target(risky: npt.ArrayLike, cov: npt.ArrayLike, target: float, *,
               reserve: npt.ArrayLike | None = None, max_leverage: float = 1.0,
               mu: npt.ArrayLike | None = None, names: Sequence[str] | None = None) -> Result:
    """Weights k·risky (+ (1 − k)·reserve), k the largest exposure with volatility ≤ target.

    ``risky`` and ``reserve`` (a bond sleeve; None for cash) each sum to 1 over the same assets
    as ``cov``. The result's metrics give the exposure k and the cash weight 1 − Σw.
    """
    sigma = covariance(cov)
    n = sigma.shape[0]
    labels = asset_names(names, n)
    r = finite_vector(risky, n, "risky")
    s = np.zeros(n) if reserve is None else finite_vector(reserve, n, "reserve")
    for what, w in (("risky", r), ("reserve", s)):
        if (what == "risky" or reserve is not None) and abs(w.sum() - 1.0) > 1e-9:
            raise DataError(f"{what} weights sum to {w.sum():g}, not 1", field=what)
    if target <= 0 or max_leverage <= 0:
        raise ConfigError("target volatility and max leverage must be positive")
    a, c, d = float(r @ sigma @ r), float(r @ sigma @ s), float(s @ sigma @ s)
    k = _exposure(a - 2 * c + d, 2 * (c - d), d - target**2, max_leverage)
    if k is None:
        lowest = _lowest(a, c, d, max_leverage)
        raise ConfigError(f"volatility target {target:g} is below the lowest volatility "
                          f"{lowest:g} any mix of the risky portfolio and the "
                          f"{'reserve' if reserve is not None else 'cash'} reaches")
    w = k * r + (1.0 - k) * s
    mean = None if mu is None else finite_vector(mu, n, "mu")
    return make_result("volatility target", labels, w, sigma, mu=mean,
                       constraints=(f"volatility ≤ {target:g}", f"leverage ≤ {max_leverage:g}",
                                    "reserve: " + ("bond sleeve" if reserve is not None
                                                   else "cash")),
                       metrics=(("exposure", k), ("cash", 1.0 - float(w.sum()))))


def _exposure(qa: float, qb: float, qc: float, cap: float) -> float | None:
    """Largest k in [0, cap] with qa·k² + qb·k + qc ≤ 0 (qa ≥ 0), or None."""
    if qa <= 1e-18:  # risky and reserve move together: σ(k) is constant
        return cap if qc <= 0 else None
    disc = qb * qb - 4 * qa * qc
    if disc < 0:
        return None
    low, high = (-qb - np.sqrt(disc)) / (2 * qa), (-qb + np.sqrt(disc)) / (2 * qa)
    if high < 0 or low > cap:
        return None
    return float(min(high, cap))


def _lowest(a: float, c: float, d: float, cap: float) -> float:
    """Lowest volatility over k in [0, cap]."""
    qa = a - 2 * c + d
    k = float(np.clip((d - c) / qa, 0.0, cap)) if qa > 0 else 0.0
    return float(np.sqrt(max(k * k * a + 2 * k * (1 - k) * c + (1 - k) ** 2 * d, 0.0)))
