"""Black-Litterman: a market-implied prior, views with confidences, and the posterior.

π = δ Σ w_mkt (+ r_f). Views P w = Q with uncertainty Ω: He–Litterman's default
Ω = diag(τ P Σ Pᵀ), Idzorek's confidences in closed form (Walters 2014):
Ωₖ = τ·(1 − cₖ)/cₖ · pₖᵀΣpₖ, or an explicit matrix. Posterior (He & Litterman 1999):
μ* = π + τΣPᵀ(PτΣPᵀ + Ω)⁻¹(Q − Pπ), Σ* = Σ + τΣ − τΣPᵀ(PτΣPᵀ + Ω)⁻¹PτΣ.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from ballast.construct.arrays import FloatArray, covariance, finite_vector
from ballast.domain.errors import ConfigError, DataError

IDZOREK_ZERO_CONFIDENCE = 1e6  # Ωₖ for a view held with 0% confidence (as PyPortfolioOpt)


@dataclass(frozen=True, slots=True, eq=False)
class Posterior:
    """Posterior expected returns and covariance, with the prior and Ω that produced them."""

    mean: FloatArray
    cov: FloatArray
    prior: FloatArray
    omega: FloatArray


def market_implied_prior(market_weights: npt.ArrayLike, cov: npt.ArrayLike,
                         risk_aversion: float, risk_free_rate: float = 0.0) -> FloatArray:
    """π = δ Σ w_mkt + r_f, with market weights (or capitalizations) normalized to sum to 1."""
    sigma = covariance(cov)
    w = finite_vector(market_weights, sigma.shape[0], "market_weights")
    if w.sum() <= 0:
        raise DataError("market weights must have a positive sum", field="market_weights")
    prior: FloatArray = risk_aversion * sigma @ (w / w.sum()) + risk_free_rate
    return prior


def market_implied_risk_aversion(market_returns: npt.ArrayLike, periods_per_year: int = 252,
                                 risk_free_rate: float = 0.0) -> float:
    """δ = (annual mean − r_f) / annual variance of the market's periodic returns."""
    r = np.asarray(market_returns, dtype=np.float64)
    if r.ndim != 1 or r.size < 2 or not np.isfinite(r).all():
        raise DataError("market returns must be a finite vector of at least two periods",
                        field="market_returns")
    return float((r.mean() * periods_per_year - risk_free_rate)
                 / (r.var(ddof=1) * periods_per_year))


def black_litterman(cov: npt.ArrayLike, prior: npt.ArrayLike, picks: npt.ArrayLike,
                    views: npt.ArrayLike, *, tau: float = 0.05,
                    omega: Literal["default", "idzorek"] | npt.ArrayLike = "default",
                    confidences: npt.ArrayLike | None = None) -> Posterior:
    """The posterior for views ``picks`` [K, N] @ w = ``views`` [K].

    ``omega``: "default" (diag τPΣPᵀ), "idzorek" (needs ``confidences`` in [0, 1]) or a
    [K, K] matrix.
    """
    sigma = covariance(cov)
    n = sigma.shape[0]
    pi = finite_vector(prior, n, "prior")
    p = np.atleast_2d(np.asarray(picks, dtype=np.float64))
    k = p.shape[0]
    q = finite_vector(views, k, "views")
    if p.shape != (k, n) or not np.isfinite(p).all():
        raise DataError(f"picks has shape {p.shape}, expected ({k}, {n})", field="picks")
    if not 0.0 < tau <= 1.0:
        raise ConfigError(f"tau {tau:g} must be in (0, 1]")
    view_var = np.einsum("kn,nm,km->k", p, sigma, p)
    om = _omega(omega, confidences, view_var, tau, k)
    tau_sigma_pt = tau * sigma @ p.T
    a = p @ tau_sigma_pt + om
    mean = pi + tau_sigma_pt @ np.linalg.lstsq(a, q - p @ pi, rcond=None)[0]
    post = sigma + tau * sigma - tau_sigma_pt @ np.linalg.lstsq(a, tau_sigma_pt.T, rcond=None)[0]
    return Posterior(mean=mean, cov=(post + post.T) / 2.0, prior=pi, omega=om)


def _omega(omega: Literal["default", "idzorek"] | npt.ArrayLike,
           confidences: npt.ArrayLike | None, view_var: FloatArray, tau: float,
           k: int) -> FloatArray:
    if isinstance(omega, str) and omega == "default":
        return np.diag(tau * view_var)
    if isinstance(omega, str) and omega == "idzorek":
        if confidences is None:
            raise ConfigError("Idzorek's method needs a confidence for every view")
        conf = finite_vector(confidences, k, "confidences")
        if ((conf < 0) | (conf > 1)).any():
            raise ConfigError("view confidences must be between 0 and 1")
        safe = np.where(conf > 0, conf, 1.0)
        return np.diag(np.where(conf > 0, tau * (1 - conf) / safe * view_var,
                                IDZOREK_ZERO_CONFIDENCE))
    om = np.asarray(omega, dtype=np.float64)
    if om.shape != (k, k) or not np.isfinite(om).all():
        raise DataError(f"omega has shape {om.shape}, expected ({k}, {k})", field="omega")
    return om
