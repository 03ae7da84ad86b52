"""The estimators agree with PyPortfolioOpt 1.6 and scikit-learn on PyPortfolioOpt's own test
prices (the 896 rows where all 20 stocks have a price)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from pypfopt import expected_returns, risk_models
from sklearn.covariance import LedoitWolf

from ballast.analytics import (
    capm_return,
    ewma_covariance,
    ledoit_wolf,
    mean_historical_return,
    returns_from_prices,
    sample_covariance,
)

from .shared import pypfopt_prices, shared_file


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return pypfopt_prices()


@pytest.fixture(scope="module")
def returns(prices: pd.DataFrame) -> pd.DataFrame:
    return expected_returns.returns_from_prices(prices)


def test_returns_match_pypfopt_and_trim_leading_nan(prices: pd.DataFrame,
                                                    returns: pd.DataFrame) -> None:
    raw = pd.read_csv(shared_file("pypfopt_tests", "tests_resources_stock_prices.csv"),
                      parse_dates=["date"], index_col="date")
    ours = returns_from_prices(raw.to_numpy())  # leading NaN before each IPO trims the rows
    assert ours.shape == returns.shape == (895, 20)
    np.testing.assert_allclose(ours, returns.to_numpy(), rtol=1e-14, atol=0)


@pytest.mark.parametrize("compounding", [True, False])
def test_mean_historical_return(returns: pd.DataFrame, compounding: bool) -> None:
    expected = expected_returns.mean_historical_return(
        returns, returns_data=True, compounding=compounding, frequency=252)
    ours = mean_historical_return(returns.to_numpy(), 252, compounding)
    np.testing.assert_allclose(ours, expected.to_numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("compounding", "rf"), [(True, 0.0), (True, 0.02), (False, 0.01)])
def test_capm_return_with_spy(prices: pd.DataFrame, compounding: bool, rf: float) -> None:
    spy = pd.read_csv(shared_file("pypfopt_tests", "tests_resources_spy_prices.csv"),
                      parse_dates=["date"], index_col="date")
    both = prices.join(spy, how="inner")
    stock_r = expected_returns.returns_from_prices(both[prices.columns])
    spy_r = expected_returns.returns_from_prices(both[["SPY"]])
    market = spy_r["SPY"].to_numpy()  # before capm_return, which renames the column in place
    expected = expected_returns.capm_return(stock_r, market_prices=spy_r, returns_data=True,
                                            risk_free_rate=rf, compounding=compounding)
    ours = capm_return(stock_r.to_numpy(), market, rf, 252, compounding)
    np.testing.assert_allclose(ours, expected.to_numpy(), rtol=1e-10, atol=1e-12)


def test_sample_covariance(returns: pd.DataFrame) -> None:
    expected = risk_models.sample_cov(returns, returns_data=True, frequency=252)
    np.testing.assert_allclose(sample_covariance(returns.to_numpy()), expected.to_numpy(),
                               rtol=1e-10, atol=1e-14)


def test_ledoit_wolf_matches_pypfopt_and_sklearn(returns: pd.DataFrame) -> None:
    shrink = risk_models.CovarianceShrinkage(returns, returns_data=True, frequency=252)
    expected = shrink.ledoit_wolf()
    ours = ledoit_wolf(returns.to_numpy(), 252)
    np.testing.assert_allclose(ours.covariance, expected.to_numpy(), rtol=1e-10, atol=1e-14)
    assert ours.shrinkage == pytest.approx(shrink.delta, rel=1e-10)
    sk = LedoitWolf().fit(returns.to_numpy())
    np.testing.assert_allclose(ours.covariance, sk.covariance_ * 252, rtol=1e-10, atol=1e-14)
    assert ours.shrinkage == pytest.approx(sk.shrinkage_, rel=1e-10)
    assert 0.0 < ours.shrinkage < 1.0


def test_ledoit_wolf_shrinks_hard_when_assets_outnumber_rows() -> None:
    x = np.random.default_rng(3).normal(0.0, 0.01, (15, 40))
    ours, sk = ledoit_wolf(x, 1), LedoitWolf().fit(x)
    np.testing.assert_allclose(ours.covariance, sk.covariance_, rtol=1e-10, atol=1e-16)
    assert ours.shrinkage == pytest.approx(sk.shrinkage_, rel=1e-10)


@pytest.mark.parametrize("span", [30, 180, 500])
def test_ewma_covariance_matches_exp_cov(returns: pd.DataFrame, span: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # exp_cov warns about spans under 10 only
        expected = risk_models.exp_cov(returns, returns_data=True, span=span, frequency=252)
    np.testing.assert_allclose(ewma_covariance(returns.to_numpy(), span, 252),
                               expected.to_numpy(), rtol=1e-9, atol=1e-14)
