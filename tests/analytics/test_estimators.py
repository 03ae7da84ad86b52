"""Estimators on small known inputs, synthetic factor models and random returns."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score

from ballast.analytics import (
    capm_return,
    ewma_covariance,
    factor_covariance,
    factor_exposures,
    ledoit_wolf,
    mean_historical_return,
    returns_from_prices,
    sample_covariance,
)
from ballast.domain import DataError

NAN = np.nan


def test_returns_from_prices_simple() -> None:
    r = returns_from_prices([[100.0, 10.0], [110.0, 9.0], [99.0, 9.9]])
    np.testing.assert_allclose(r, [[0.10, -0.10], [-0.10, 0.10]])


def test_leading_nan_trims_to_the_first_fully_priced_row() -> None:
    prices = [[100.0, NAN], [101.0, NAN], [102.0, 50.0], [104.04, 55.0]]
    np.testing.assert_allclose(returns_from_prices(prices), [[0.02, 0.10]])


@pytest.mark.parametrize(("prices", "message"), [
    ([[1.0, 2.0], [NAN, 2.0], [1.0, 2.0]], "column 0, row 1: missing price after its first"),
    ([[1.0, 2.0], [1.0, 0.0]], "column 1, row 1: price 0.0 is not positive"),
    ([[1.0, 2.0], [1.0, -3.0]], "column 1, row 1: price -3.0"),
    ([[1.0, np.inf], [1.0, 2.0]], "column 1, row 0: price inf"),
    ([[1.0, NAN], [1.0, 2.0]], "fewer than two rows"),
    ([1.0, 2.0], "expected a [T, N] array"),
])
def test_bad_prices_raise_data_error_naming_column_and_row(prices: list[object],
                                                           message: str) -> None:
    with pytest.raises(DataError) as err:
        returns_from_prices(prices)
    assert message in str(err.value)


def test_estimators_reject_nan_returns() -> None:
    with pytest.raises(DataError, match=r"returns: non-finite value nan at index \(1, 0\)"):
        sample_covariance([[0.01, 0.02], [NAN, 0.0], [0.0, 0.01]])


def test_mean_historical_return_by_hand() -> None:
    r = np.array([[0.10], [-0.05], [0.02], [0.03]])
    growth = 1.10 * 0.95 * 1.02 * 1.03
    assert mean_historical_return(r, 4)[0] == pytest.approx(growth - 1)
    assert mean_historical_return(r, 2)[0] == pytest.approx(growth**0.5 - 1)
    assert mean_historical_return(r, 12, compounding=False)[0] == pytest.approx(0.025 * 12)


def test_capm_needs_a_moving_market() -> None:
    with pytest.raises(DataError, match="market_returns: constant"):
        capm_return([[0.01], [0.02], [0.03]], [0.01, 0.01, 0.01])


def test_ewma_with_a_huge_span_is_the_biased_sample_covariance() -> None:
    r = np.random.default_rng(1).normal(0, 0.01, (50, 3))
    np.testing.assert_allclose(ewma_covariance(r, span=1e12, periods_per_year=1),
                               sample_covariance(r, 1) * 49 / 50, rtol=1e-9)
    with pytest.raises(ValueError, match="span"):
        ewma_covariance(r, span=0.5)


def _factor_world(seed: int, t: int = 2_000) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    factors = rng.normal(0.0004, 0.01, (t, 3))
    betas = np.array([[1.2, 0.3, -0.5], [0.8, -0.2, 0.4], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    alpha = np.array([0.0002, -0.0001, 0.0, 0.0003])
    noise = rng.normal(0, 0.002, (t, 4))
    return factors @ betas.T + alpha + noise, factors, betas, alpha


def test_factor_exposures_recover_known_betas() -> None:
    returns, factors, betas, alpha = _factor_world(7)
    fit = factor_exposures(returns, factors)
    assert fit.betas.shape == (4, 3)
    np.testing.assert_allclose(fit.betas, betas, atol=0.02)
    np.testing.assert_allclose(fit.alpha, alpha, atol=1e-4)
    np.testing.assert_allclose(fit.residual_vol, 0.002, rtol=0.05)
    assert (fit.r_squared > 0.9).all()
    sk = LinearRegression().fit(factors, returns)
    np.testing.assert_allclose(fit.betas, sk.coef_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fit.alpha, sk.intercept_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        fit.r_squared, r2_score(returns, sk.predict(factors), multioutput="raw_values"),
        rtol=1e-9)


def test_constant_asset_has_zero_r_squared_and_collinear_factors_fail() -> None:
    returns, factors, _, _ = _factor_world(2, t=100)
    fit = factor_exposures(np.column_stack([returns[:, 0], np.zeros(100)]), factors)
    assert fit.r_squared[1] == 0.0 and fit.residual_vol[1] == pytest.approx(0.0, abs=1e-15)
    with pytest.raises(DataError, match="collinear"):
        factor_exposures(returns, np.column_stack([factors, 2 * factors[:, 0]]))
    with pytest.raises(DataError, match="cannot fit 3 factors"):
        factor_exposures(returns[:4], factors[:4])


def test_factor_covariance_is_sample_covariance_less_residual_cross_terms() -> None:
    # OLS residuals are orthogonal to the factors, so cov(R) = B Σf Bᵀ + cov(e) exactly.
    returns, factors, _, _ = _factor_world(11, t=300)
    t, k = factors.shape
    fit = factor_exposures(returns, factors)
    design = np.column_stack([np.ones(t), factors])
    resid = returns - design @ np.column_stack([fit.alpha, fit.betas]).T
    resid_cov = np.cov(resid, rowvar=False)
    expected = sample_covariance(returns, 12) - 12 * resid_cov
    expected[np.diag_indices(4)] += 12 * np.sum(resid**2, axis=0) / (t - k - 1)
    np.testing.assert_allclose(factor_covariance(returns, factors, 12), expected, rtol=1e-9,
                               atol=1e-15)


_shapes = st.tuples(st.integers(2, 60), st.integers(1, 8))


@settings(max_examples=60, deadline=None)
@given(_shapes, st.integers(0, 2**32 - 1), st.floats(1.0, 400.0))
def test_covariances_are_symmetric_psd(shape: tuple[int, int], seed: int, span: float) -> None:
    rng = np.random.default_rng(seed)
    r = rng.standard_t(4, shape) * rng.uniform(0.001, 0.05, shape[1])
    for cov in (sample_covariance(r), ledoit_wolf(r).covariance, ewma_covariance(r, span)):
        assert np.array_equal(cov, cov.T)
        scale = max(float(np.abs(cov).max()), 1e-300)
        assert np.linalg.eigvalsh(cov).min() >= -1e-10 * scale
    assert 0.0 <= ledoit_wolf(r).shrinkage <= 1.0
    if shape[0] > 4:
        f = rng.normal(0, 0.01, (shape[0], 2))
        cov = factor_covariance(r, f)
        assert np.linalg.eigvalsh(cov).min() >= -1e-10 * float(np.abs(cov).max())
