"""Small seeded problems from a factor model, for tests that need no real data."""

from __future__ import annotations

import numpy as np

from ballast.construct import FloatArray


def problem(n: int = 12, periods: int = 1500, seed: int = 7) -> tuple[FloatArray, FloatArray,
                                                                      FloatArray]:
    """(μ [n], Σ [n, n], daily returns [periods, n]) annualized with 252 days."""
    rng = np.random.default_rng(seed)
    betas = rng.normal(1.0, 0.3, size=(n, 2))
    factors = rng.normal(0.0004, 0.01, size=(periods, 2))
    drift = rng.uniform(0.0004, 0.0012, size=n)
    returns = factors @ betas.T + drift + rng.normal(0.0, 0.012, size=(periods, n))
    return returns.mean(axis=0) * 252, np.cov(returns, rowvar=False) * 252, returns
