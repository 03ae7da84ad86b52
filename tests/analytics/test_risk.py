"""Volatility, beta, tracking error, drawdown and risk contributions against hand computations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ballast.analytics import (
    beta,
    max_drawdown,
    max_drawdown_of_returns,
    risk_contributions,
    tracking_error,
    volatility,
)
from ballast.domain import DataError

COV = np.array([[0.04, 0.006, 0.0], [0.006, 0.09, -0.012], [0.0, -0.012, 0.01]])
W = np.array([0.5, 0.3, 0.2])


def test_volatility_by_hand() -> None:
    var = (0.25 * 0.04 + 0.09 * 0.09 + 0.04 * 0.01
           + 2 * 0.5 * 0.3 * 0.006 + 2 * 0.3 * 0.2 * -0.012)
    assert volatility(W, COV) == pytest.approx(np.sqrt(var), rel=1e-14)


def test_beta_and_tracking_error_by_hand() -> None:
    bench = np.array([0.01, -0.02, 0.015, 0.0, 0.005])
    port = np.array([0.012, -0.018, 0.02, -0.001, 0.004])
    bm, pm = bench.mean(), port.mean()
    expected_beta = sum((p - pm) * (b - bm) for p, b in zip(port, bench, strict=True)) / sum(
        (b - bm) ** 2 for b in bench)
    assert beta(port, bench) == pytest.approx(expected_beta, rel=1e-12)
    assert beta(2 * bench + 0.001, bench) == pytest.approx(2.0)
    diff = port - bench
    te = np.sqrt(sum((d - diff.mean()) ** 2 for d in diff) / 4) * np.sqrt(252)
    assert tracking_error(port, bench) == pytest.approx(te, rel=1e-12)
    assert tracking_error(bench, bench) == 0.0
    with pytest.raises(DataError, match="bench_returns: constant"):
        beta(port, np.full(5, 0.01))
    with pytest.raises(DataError, match="bench_returns: expected length 5"):
        tracking_error(port, bench[:4])


def test_max_drawdown_of_a_known_series() -> None:
    values = [100, 120, 90, 110, 130, 65, 80, 140]
    dd = max_drawdown(values)
    assert (dd.depth, dd.peak, dd.trough) == (pytest.approx(0.5), 4, 5)
    assert max_drawdown([1, 2, 3]).depth == 0.0
    assert max_drawdown([100, 80, 100, 80]) == max_drawdown([100, 80])  # first peak and trough
    with pytest.raises(DataError, match="first value must be positive"):
        max_drawdown([0.0, 1.0])


def test_max_drawdown_of_returns_indexes_the_wealth_path() -> None:
    dd = max_drawdown_of_returns([0.10, -0.20, -0.25, 0.50])
    # wealth 1, 1.1, 0.88, 0.66, 0.99: peak after the first return, trough after the third
    assert (dd.depth, dd.peak, dd.trough) == (pytest.approx(0.4), 1, 3)


def test_risk_contributions_sum_to_volatility_and_marginal_is_the_gradient() -> None:
    rc = risk_contributions(W, COV)
    assert rc.volatility == pytest.approx(volatility(W, COV), rel=1e-14)
    assert rc.component.sum() == pytest.approx(rc.volatility, rel=1e-12)
    h = 1e-6
    gradient = [(volatility(W + h * e, COV) - volatility(W - h * e, COV)) / (2 * h)
                for e in np.eye(3)]
    np.testing.assert_allclose(rc.marginal, gradient, rtol=1e-7)
    with pytest.raises(DataError, match="zero volatility"):
        risk_contributions(np.zeros(3), COV)
    with pytest.raises(DataError, match="cov: not symmetric"):
        risk_contributions(W, COV + np.triu(np.full((3, 3), 0.01), 1))


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_contributions_sum_for_random_portfolios(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n + 3, n))
    cov = a.T @ a / (n + 3)
    w = rng.normal(size=n)
    rc = risk_contributions(w, cov)
    assert rc.component.sum() == pytest.approx(rc.volatility, rel=1e-9)
    np.testing.assert_allclose(rc.marginal, cov @ w / rc.volatility, rtol=1e-12)
