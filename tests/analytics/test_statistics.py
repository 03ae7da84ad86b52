"""Performance statistics: by hand on a small series, on real SPY returns against a direct
numpy computation, and against empyrical-reloaded when it is installed."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ballast.analytics import beta, max_drawdown_of_returns, tracking_error
from ballast.analytics.statistics import (
    annualized_return,
    annualized_volatility,
    calmar_ratio,
    downside_deviation,
    information_ratio,
    performance_statistics,
    sharpe_ratio,
    sortino_ratio,
)
from ballast.domain import DataError

from .shared import shared_file

R = np.array([0.10, -0.05, 0.02, -0.03])
B = np.array([0.08, -0.02, 0.01, -0.04])


def test_statistics_by_hand_on_four_periods() -> None:
    """Quarterly returns (4 a year), every figure written out."""
    mean = (0.10 - 0.05 + 0.02 - 0.03) / 4  # 0.01
    var = ((0.09**2) + (0.06**2) + (0.01**2) + (0.04**2)) / 3
    assert annualized_volatility(R, 4) == pytest.approx(math.sqrt(var) * 2, rel=1e-14)
    assert sharpe_ratio(R, 0.0, 4) == pytest.approx(mean / math.sqrt(var) * 2, rel=1e-14)
    dd = math.sqrt((0.05**2 + 0.03**2) / 4) * 2
    assert downside_deviation(R, 0.0, 4) == pytest.approx(dd, rel=1e-14)
    assert sortino_ratio(R, 0.0, 4) == pytest.approx(mean * 4 / dd, rel=1e-14)
    growth = 1.10 * 0.95 * 1.02 * 0.97
    assert annualized_return(R, 4) == pytest.approx(growth - 1, rel=1e-14)
    # peak 1.10 after period 1, trough 1.10 * 0.95 * 1.02 * 0.97 at the end
    depth = 1 - 0.95 * 1.02 * 0.97
    assert calmar_ratio(R, 4) == pytest.approx((growth - 1) / depth, rel=1e-12)
    active = R - B  # 0.02, -0.03, 0.01, 0.01: mean 0.0025
    te = math.sqrt((0.0175**2 + 0.0325**2 + 2 * 0.0075**2) / 3) * 2
    assert tracking_error(R, B, 4) == pytest.approx(te, rel=1e-12)
    assert information_ratio(R, B, 4) == pytest.approx(active.mean() * 4 / te, rel=1e-12)


def test_performance_statistics_gathers_every_figure() -> None:
    s = performance_statistics(R, B, periods_per_year=4)
    assert (s.periods, s.sharpe, s.beta) == (4, sharpe_ratio(R, 0.0, 4), beta(R, B))
    assert s.max_drawdown == max_drawdown_of_returns(R).depth
    alone = performance_statistics(R, periods_per_year=4)
    assert alone.beta is alone.tracking_error is alone.information_ratio is None


def test_undefined_ratios_raise() -> None:
    with pytest.raises(DataError, match="Calmar"):
        calmar_ratio([0.01, 0.02, 0.03])
    with pytest.raises(DataError, match="Sortino"):
        sortino_ratio([0.01, 0.02, 0.03])
    with pytest.raises(DataError, match="Sharpe"):
        sharpe_ratio([0.01, 0.01])


def _spy_returns() -> tuple[pd.Series, pd.Series]:
    """Daily SPY returns (PyPortfolioOpt's test resources) and AAPL's on the same days."""
    spy = pd.read_csv(shared_file("pypfopt_tests", "tests_resources_spy_prices.csv"),
                      parse_dates=["date"], index_col="date")["SPY"]
    aapl = pd.read_csv(shared_file("pypfopt_tests", "tests_resources_stock_prices.csv"),
                       parse_dates=["date"], index_col="date")["AAPL"]
    both = pd.concat([spy, aapl], axis=1, join="inner").dropna()
    returns = both.to_numpy()[1:] / both.to_numpy()[:-1] - 1
    return pd.Series(returns[:, 0]), pd.Series(returns[:, 1])


def test_sharpe_and_sortino_on_real_spy_returns() -> None:
    """Against a direct numpy computation on ~7,000 daily SPY returns, rf 2% a year."""
    spy, _ = _spy_returns()
    r = spy.to_numpy()
    rf = 0.02 / 252
    excess = r - rf
    direct_sharpe = excess.mean() / excess.std(ddof=1) * np.sqrt(252)
    assert sharpe_ratio(r, rf) == pytest.approx(direct_sharpe, rel=1e-12)
    downside = np.sqrt(np.mean(np.where(excess < 0, excess, 0.0) ** 2))
    direct_sortino = excess.mean() / downside * np.sqrt(252)
    assert sortino_ratio(r, rf) == pytest.approx(direct_sortino, rel=1e-12)
    assert len(r) > 5000


def test_agrees_with_empyrical_reloaded_on_spy() -> None:
    """empyrical-reloaded 0.7.1 (a test-only reference), within 1e-9 relative."""
    ep = pytest.importorskip("empyrical", reason="empyrical-reloaded not installed "
                             "(test-only reference: pip install empyrical-reloaded==0.7.1)")
    spy, aapl = _spy_returns()
    r, b = aapl.to_numpy(), spy.to_numpy()
    rf = 0.01 / 252
    pairs = [
        (annualized_return(r), ep.annual_return(aapl)),
        (annualized_volatility(r), ep.annual_volatility(aapl)),
        (sharpe_ratio(r, rf), ep.sharpe_ratio(aapl, risk_free=rf)),
        (sortino_ratio(r, rf), ep.sortino_ratio(aapl, required_return=rf)),
        (downside_deviation(r, rf), ep.downside_risk(aapl, required_return=rf)),
        (-max_drawdown_of_returns(r).depth, ep.max_drawdown(aapl)),
        (calmar_ratio(r), ep.calmar_ratio(aapl)),
        (beta(r, b), ep.beta(aapl, spy)),
        (information_ratio(r, b), ep.excess_sharpe(aapl, spy) * np.sqrt(252)),
    ]
    for ours, theirs in pairs:
        assert ours == pytest.approx(float(theirs), rel=1e-9)
