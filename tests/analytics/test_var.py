"""VaR and CVaR: closed forms, skfolio's empirical definitions, sampling and Monte Carlo."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats
from skfolio.measures import cvar as sk_cvar
from skfolio.measures import value_at_risk as sk_var

from ballast.analytics import (
    TailRisk,
    VarMethod,
    cornish_fisher,
    gaussian,
    historical,
    monte_carlo,
    value_at_risk,
)
from ballast.domain import DataError

LEVELS = [0.95, 0.99]


@pytest.fixture(scope="module")
def normal() -> np.ndarray:
    return np.random.default_rng(42).normal(0.0005, 0.012, 200_000)


def _closed_form(mu: float, sigma: float, alpha: float) -> tuple[float, float]:
    z = stats.norm.ppf(1 - alpha)
    return -(mu + sigma * z), -mu + sigma * stats.norm.pdf(stats.norm.ppf(alpha)) / (1 - alpha)


@pytest.mark.parametrize("alpha", LEVELS)
def test_gaussian_is_the_closed_form(normal: np.ndarray, alpha: float) -> None:
    var, cvar = _closed_form(normal.mean(), normal.std(ddof=1), alpha)
    got = gaussian(normal, alpha)
    assert (got.var, got.cvar) == (pytest.approx(var, rel=1e-12), pytest.approx(cvar, rel=1e-12))
    assert got.method is VarMethod.GAUSSIAN and got.confidence == alpha


@pytest.mark.parametrize("alpha", LEVELS)
def test_cornish_fisher_equals_gaussian_without_skew_or_excess_kurtosis(alpha: float) -> None:
    # {0, 0, 0, 0, +1, -1}: skewness 0, m4 / m2² = 3 exactly.
    r = 0.001 + 0.02 * np.array([0, 0, 0, 0, 1, -1] * 5, dtype=np.float64)
    assert stats.skew(r) == pytest.approx(0, abs=1e-12)
    assert stats.kurtosis(r) == pytest.approx(0, abs=1e-12)
    cf, g = cornish_fisher(r, alpha), gaussian(r, alpha)
    assert cf.var == pytest.approx(g.var, rel=1e-10)
    assert cf.cvar == pytest.approx(g.cvar, rel=1e-10)


@pytest.mark.parametrize("alpha", LEVELS)
def test_cornish_fisher_cvar_is_the_tail_mean_of_its_quantiles(alpha: float) -> None:
    r = np.log(np.random.default_rng(5).lognormal(0.0, 0.3, 5_000)) * 0.05  # mild
    r = np.where(r < 0, 1.6 * r, r)  # negative skew, fat left tail
    s, k = stats.skew(r), stats.kurtosis(r)
    mu, sigma = r.mean(), r.std(ddof=1)

    def quantile(u: float) -> float:
        z = stats.norm.ppf(u)
        return float(mu + sigma * (z + (z**2 - 1) * s / 6 + (z**3 - 3 * z) * k / 24
                                   - (2 * z**3 - 5 * z) * s**2 / 36))

    tail, _ = integrate.quad(quantile, 0, 1 - alpha, limit=200)
    got = cornish_fisher(r, alpha)
    assert got.var == pytest.approx(-quantile(1 - alpha), rel=1e-12)
    assert got.cvar == pytest.approx(-tail / (1 - alpha), rel=1e-7)
    assert s < 0 and got.var > gaussian(r, alpha).var  # the fat left tail costs VaR


@pytest.mark.parametrize("alpha", LEVELS)
def test_historical_on_a_large_normal_sample(normal: np.ndarray, alpha: float) -> None:
    var, cvar = _closed_form(0.0005, 0.012, alpha)
    got = historical(normal, alpha)
    assert got.var == pytest.approx(var, rel=0.02)
    assert got.cvar == pytest.approx(cvar, rel=0.02)


@pytest.mark.parametrize("n", [1, 7, 20, 99, 100, 101, 1000])
@pytest.mark.parametrize("alpha", [0.9, 0.95, 0.975, 0.99])
def test_historical_matches_skfolio(n: int, alpha: float) -> None:
    r = np.random.default_rng(n).standard_t(3, n) * 0.01
    got = historical(r, alpha)
    assert got.var == pytest.approx(sk_var(r, beta=alpha), rel=1e-12, abs=1e-15)
    assert got.cvar == pytest.approx(sk_cvar(r, beta=alpha), rel=1e-10, abs=1e-15)


def test_historical_by_hand() -> None:
    r = np.array([-0.05, 0.01, -0.02, 0.03, -0.10, 0.0, 0.02, -0.01, 0.01, 0.04])
    got = historical(r, 0.8)
    # Losses sorted: …, 0.01, 0.02, 0.05, 0.10. P(L <= 0.02) = 0.8, so VaR = 0.02 (exceeded
    # with probability 0.2); CVaR = the mean of the worst 20 % = (0.05 + 0.10) / 2.
    assert (got.var, got.cvar) == (pytest.approx(0.02), pytest.approx(0.075))
    got = historical(r, 0.85)  # 1.5 observations in the tail: all of 0.10, half of 0.05
    assert (got.var, got.cvar) == (pytest.approx(0.05), pytest.approx((0.10 + 0.025) / 1.5))


MEAN = np.array([0.0004, 0.0002, 0.0001])
COV = np.array([[1.0, 0.3, 0.1], [0.3, 0.8, 0.0], [0.1, 0.0, 0.2]]) * 1e-4
W = np.array([0.5, 0.3, 0.2])


@pytest.mark.parametrize("alpha", LEVELS)
def test_monte_carlo_matches_the_gaussian_closed_form(alpha: float) -> None:
    var, cvar = _closed_form(float(W @ MEAN), float(np.sqrt(W @ COV @ W)), alpha)
    got = monte_carlo(W, MEAN, COV, alpha, n_paths=200_000, seed=7)
    assert got.var == pytest.approx(var, rel=0.02)
    assert got.cvar == pytest.approx(cvar, rel=0.02)
    assert got == monte_carlo(W, MEAN, COV, alpha, n_paths=200_000, seed=7)
    assert got != monte_carlo(W, MEAN, COV, alpha, n_paths=200_000, seed=8)


def test_monte_carlo_accepts_a_singular_covariance_and_rejects_an_indefinite_one() -> None:
    singular = np.array([[1.0, 1.0], [1.0, 1.0]]) * 1e-4
    got = monte_carlo([0.5, 0.5], [0.0, 0.0], singular, 0.99, n_paths=50_000, seed=1)
    assert got.var == pytest.approx(-stats.norm.ppf(0.01) * 0.01, rel=0.03)
    with pytest.raises(DataError, match="not positive semi-definite"):
        monte_carlo([0.5, 0.5], [0.0, 0.0], [[1e-4, 2e-4], [2e-4, 1e-4]])
    with pytest.raises(ValueError, match="n_paths"):
        monte_carlo([1.0], [0.0], [[1e-4]], n_paths=0)


@pytest.mark.parametrize("method", list(VarMethod))
def test_entry_point_and_ordering_of_levels(normal: np.ndarray, method: VarMethod) -> None:
    sample = normal[:5_000]
    at95 = value_at_risk(sample, 0.95, method, n_paths=50_000, seed=3)
    at99 = value_at_risk(sample, 0.99, method, n_paths=50_000, seed=3)
    assert at95.method is method and at99.confidence == 0.99
    assert at99.var >= at95.var > 0 and at99.cvar >= at95.cvar
    assert at95.cvar >= at95.var and at99.cvar >= at99.var
    assert value_at_risk(sample, 0.95, method.value, n_paths=50_000, seed=3) == at95
    if method is VarMethod.MONTE_CARLO:
        g = gaussian(sample, 0.95)
        assert at95.var == pytest.approx(g.var, rel=0.03)


@pytest.mark.parametrize("bad", [0.0, 1.0, 1.5, -0.1])
def test_confidence_must_be_a_probability(bad: float) -> None:
    with pytest.raises(ValueError, match="confidence"):
        historical([0.01, -0.01], bad)
    with pytest.raises(DataError, match="constant"):
        gaussian([0.01, 0.01, 0.01])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-0.5, 0.5), min_size=2, max_size=300), st.floats(0.5, 0.999))
def test_cvar_is_at_least_var(values: list[float], alpha: float) -> None:
    r = np.array(values)
    got: TailRisk = historical(r, alpha)
    assert got.cvar >= got.var - 1e-12
    assert -r.max() <= got.var <= -r.min() and got.cvar <= -r.min() + 1e-12
    if r.std() > 1e-6:
        g = gaussian(r, alpha)
        assert g.cvar >= g.var
