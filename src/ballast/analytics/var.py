"""Value at risk and conditional value at risk (expected shortfall) of a portfolio.

Both are one-period losses as fractions of the portfolio's value, positive for a loss (a
quantile that is a gain gives a negative VaR). At confidence ``α`` (0.95, 0.99), VaR is the
loss exceeded with probability at most ``1 - α``; CVaR is the mean loss in that worst
``1 - α`` tail, so CVaR ≥ VaR.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from scipy.special import ndtri

from ballast.analytics.arrays import FloatArray, as_covariance, as_vector
from ballast.domain import DataError

_CHUNK = 20_000  # Monte Carlo paths drawn at a time (bounds memory at 20,000 × N floats)


class VarMethod(StrEnum):
    """How the loss distribution is obtained."""

    HISTORICAL = "historical"
    GAUSSIAN = "gaussian"
    CORNISH_FISHER = "cornish_fisher"
    MONTE_CARLO = "monte_carlo"


@dataclass(frozen=True, slots=True)
class TailRisk:
    """VaR and CVaR at ``confidence`` by ``method``, as positive loss fractions."""

    var: float
    cvar: float
    confidence: float
    method: VarMethod


def _check(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")


def _tail(returns: FloatArray, confidence: float, method: VarMethod) -> TailRisk:
    """Empirical VaR (lower ``α``-quantile of the losses) and Rockafellar-Uryasev CVaR."""
    losses = np.sort(-returns)
    n = len(losses)
    rank = max(math.ceil(round(confidence * n, 9)), 1)  # 1-based rank of the VaR loss
    var = float(losses[rank - 1])
    beyond = losses[rank:]
    mass = (1.0 - confidence) * n  # observations in the tail, fractional
    cvar = (float(beyond.sum()) + (mass - len(beyond)) * var) / mass
    return TailRisk(var, max(cvar, var), confidence, method)  # max: rounding of ``mass`` only


def historical(returns: npt.ArrayLike, confidence: float = 0.95) -> TailRisk:
    """From the empirical distribution of the returns (no model)."""
    _check(confidence)
    return _tail(as_vector(returns, "returns"), confidence, VarMethod.HISTORICAL)


def _moments(returns: npt.ArrayLike) -> tuple[FloatArray, float, float]:
    r = as_vector(returns, "returns", min_len=2)
    sigma = float(np.std(r, ddof=1))
    if sigma == 0.0:
        raise DataError("returns: constant, no distribution to fit", field="returns")
    return r, float(r.mean()), sigma


def gaussian(returns: npt.ArrayLike, confidence: float = 0.95) -> TailRisk:
    """Normal with the sample mean ``μ`` and standard deviation ``σ`` (divisor ``T - 1``):
    ``VaR = -(μ + σ z)``, ``CVaR = -μ + σ φ(z) / (1 - α)``, ``z = Φ⁻¹(1 - α)``."""
    _check(confidence)
    _, mu, sigma = _moments(returns)
    z = float(ndtri(1.0 - confidence))
    pdf = math.exp(-z * z / 2.0) / math.sqrt(2.0 * math.pi)
    return TailRisk(-(mu + sigma * z), -mu + sigma * pdf / (1.0 - confidence), confidence,
                    VarMethod.GAUSSIAN)


def cornish_fisher(returns: npt.ArrayLike, confidence: float = 0.95) -> TailRisk:
    """Normal quantile corrected for the sample skewness ``S`` and excess kurtosis ``K``
    (moment ratios without small-sample correction, as ``scipy.stats.skew``/``kurtosis``):

    ``z_cf = z + (z²-1) S/6 + (z³-3z) K/24 - (2z³-5z) S²/36``, ``VaR = -(μ + σ z_cf)``.
    CVaR averages ``z_cf`` over the normal tail below ``z`` in closed form. Equals
    :func:`gaussian` when ``S = K = 0``; the expansion is only reliable for moderate S and K.
    """
    _check(confidence)
    r, mu, sigma = _moments(returns)
    d = r - mu
    m2 = float(np.mean(d**2))
    skew = float(np.mean(d**3)) / m2**1.5
    kurt = float(np.mean(d**4)) / m2**2 - 3.0
    z = float(ndtri(1.0 - confidence))
    z_cf = (z + (z**2 - 1) * skew / 6 + (z**3 - 3 * z) * kurt / 24
            - (2 * z**3 - 5 * z) * skew**2 / 36)
    # E[z_cf(Z) | Z < z] from the truncated normal moments E[Z^k | Z < z], k = 1..3.
    tail = math.exp(-z * z / 2.0) / math.sqrt(2.0 * math.pi) / (1.0 - confidence)
    tail_mean = tail * (-1 - z * skew / 6 + (1 - z**2) * kurt / 24
                        - (1 - 2 * z**2) * skew**2 / 36)
    return TailRisk(-(mu + sigma * z_cf), -(mu + sigma * tail_mean), confidence,
                    VarMethod.CORNISH_FISHER)


def monte_carlo(weights: npt.ArrayLike, mean: npt.ArrayLike, cov: npt.ArrayLike,
                confidence: float = 0.95, n_paths: int = 100_000, seed: int = 0) -> TailRisk:
    """Simulate ``n_paths`` asset returns ~ N(mean, cov) with ``np.random.default_rng(seed)``
    and take the empirical VaR/CVaR of the portfolio's returns ``wᵀr``.

    Draws are ``mean + L z`` with ``L Lᵀ = cov`` (eigen-decomposition, so a singular covariance
    is fine); the same seed gives the same answer.
    """
    _check(confidence)
    if n_paths < 1:
        raise ValueError(f"n_paths must be positive, got {n_paths}")
    w = as_vector(weights, "weights")
    mu = as_vector(mean, "mean", length=len(w))
    values, vectors = np.linalg.eigh(as_covariance(cov, len(w)))
    if values[0] < -1e-10 * max(float(values[-1]), 1.0):
        raise DataError(f"cov: not positive semi-definite (eigenvalue {values[0]:.3g})",
                        field="cov")
    exposure = (vectors * np.sqrt(np.clip(values, 0.0, None))).T @ w
    rng = np.random.default_rng(seed)
    port = np.empty(n_paths)
    for start in range(0, n_paths, _CHUNK):
        size = min(_CHUNK, n_paths - start)
        port[start:start + size] = rng.standard_normal((size, len(w))) @ exposure
    return _tail(port + float(w @ mu), confidence, VarMethod.MONTE_CARLO)


def value_at_risk(returns: npt.ArrayLike, confidence: float = 0.95,
                  method: VarMethod = VarMethod.HISTORICAL, *, n_paths: int = 100_000,
                  seed: int = 0) -> TailRisk:
    """VaR and CVaR of a portfolio's return series by ``method``.

    ``MONTE_CARLO`` simulates a normal with the series' sample mean and variance (use
    :func:`monte_carlo` directly for a multi-asset mean and covariance).
    """
    method = VarMethod(method)
    if method is VarMethod.HISTORICAL:
        return historical(returns, confidence)
    if method is VarMethod.GAUSSIAN:
        return gaussian(returns, confidence)
    if method is VarMethod.CORNISH_FISHER:
        return cornish_fisher(returns, confidence)
    _, mu, sigma = _moments(returns)
    return monte_carlo([1.0], [mu], [[sigma**2]], confidence, n_paths, seed)
