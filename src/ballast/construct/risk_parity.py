"""Risk budgeting (long-only): each asset's share of the variance equals its budget.

Spinu's convex formulation, solved by a damped Newton method: minimize
f(x) = ½xᵀΣx − Σᵢ bᵢ log xᵢ over x > 0; at the optimum xᵢ(Σx)ᵢ = bᵢ, so w = x/Σx has risk
contributions wᵢ(Σw)ᵢ/wᵀΣw = bᵢ exactly (Roncalli, *Introduction to Risk Parity and
Budgeting*, 2013). Quadratic convergence; stops when every relative contribution error is
below 1e-12.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.linalg import cho_factor, cho_solve

from ballast.construct.arrays import FloatArray, asset_names, covariance, finite_vector
from ballast.construct.result import Result, make_result
from ballast.domain.errors import ConfigError, DataError

MAX_ITERATIONS = 200
TOLERANCE = 1e-12


def risk_parity(cov: npt.ArrayLike, budgets: npt.ArrayLike | None = None, *,
                mu: npt.ArrayLike | None = None, names: Sequence[str] | None = None,
                risk_free_rate: float = 0.0) -> Result:
    """Fully invested, long-only weights whose risk contributions equal ``budgets``.

    ``budgets`` default to equal (risk parity); they are normalized to sum to 1.
    """
    sigma = covariance(cov)
    n = sigma.shape[0]
    labels = asset_names(names, n)
    b = np.full(n, 1.0 / n) if budgets is None else finite_vector(budgets, n, "budgets")
    if (b <= 0).any():
        raise ConfigError("risk budgets must all be positive")
    b = b / b.sum()
    if (np.diag(sigma) <= 0).any():
        raise DataError("risk parity needs a positive variance for every asset", field="cov")
    x = _newton(sigma, b)
    w = x / x.sum()
    mean = None if mu is None else finite_vector(mu, n, "mu")
    return make_result("risk parity" if budgets is None else "risk budgeting", labels, w,
                       sigma, mu=mean, risk_free_rate=risk_free_rate,
                       constraints=("long-only, Σw = 1",
                                    "risk contributions = budgets"))


def _newton(sigma: FloatArray, b: FloatArray) -> FloatArray:
    """argmin ½xᵀΣx − bᵀlog x by damped Newton steps kept inside x > 0."""
    x = b / np.sqrt(np.diag(sigma))
    x /= np.sqrt(x @ sigma @ x)
    for _ in range(MAX_ITERATIONS):
        sx = sigma @ x
        if np.abs(x * sx / b - 1.0).max() < TOLERANCE:
            return x
        grad = sx - b / x
        step = cho_solve(cho_factor(sigma + np.diag(b / x**2)), grad)
        t = 1.0
        ratio = step / x
        if ratio.max() >= 1.0:
            t = 0.99 / ratio.max()
        decrement = grad @ step
        value = 0.5 * x @ sx - b @ np.log(x)
        for _ in range(50):  # backtracking (Armijo) until the quadratic region
            nxt = x - t * step
            if decrement < 1e-8 or (0.5 * nxt @ sigma @ nxt - b @ np.log(nxt)
                                    <= value - 1e-4 * t * decrement):
                break
            t *= 0.5
        x = nxt
    raise DataError("risk parity did not converge; check that the covariance is positive "
                    "definite", field="cov")
