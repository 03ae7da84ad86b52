"""Agreement with skfolio (test-only) within 1e-4 in weights on its S&P 500 sample.

skfolio estimates the sample mean and covariance (ddof 1) from the returns itself; ballast gets
the same numbers from numpy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from skfolio import RiskMeasure
from skfolio.optimization import MeanRisk, ObjectiveFunction, RiskBudgeting

from ballast.construct import (
    Constraints,
    max_sharpe,
    mean_cvar,
    min_variance,
    risk_contributions,
    risk_parity,
)

from .data import skfolio_returns

TOL = 1e-4


@pytest.fixture(scope="module")
def returns() -> pd.DataFrame:
    return skfolio_returns()


def _cov(returns: pd.DataFrame) -> np.ndarray:
    return np.cov(returns.to_numpy(), rowvar=False)


def test_risk_parity(returns: pd.DataFrame) -> None:
    theirs = RiskBudgeting().fit(returns).weights_
    ours = risk_parity(_cov(returns), names=list(returns.columns))
    assert np.abs(ours.weights - theirs).max() < TOL
    n = returns.shape[1]
    assert np.abs(risk_contributions(ours.weights, _cov(returns)) * n - 1).max() < 1e-6


def test_risk_budgeting(returns: pd.DataFrame) -> None:
    budgets = np.arange(1.0, returns.shape[1] + 1)
    theirs = RiskBudgeting(risk_budget=budgets).fit(returns).weights_
    ours = risk_parity(_cov(returns), budgets)
    assert ours.method == "risk budgeting"
    assert np.abs(ours.weights - theirs).max() < TOL
    share = budgets / budgets.sum()
    assert np.abs(ours.contributions / share - 1).max() < 1e-6


def test_min_variance(returns: pd.DataFrame) -> None:
    theirs = MeanRisk(max_weights=0.2).fit(returns).weights_
    ours = min_variance(_cov(returns), Constraints(upper=0.2))
    assert np.abs(ours.weights - theirs).max() < TOL


def test_max_sharpe(returns: pd.DataFrame) -> None:
    theirs = MeanRisk(objective_function=ObjectiveFunction.MAXIMIZE_RATIO,
                      risk_free_rate=1e-4).fit(returns).weights_
    ours = max_sharpe(returns.mean().to_numpy(), _cov(returns), risk_free_rate=1e-4)
    assert np.abs(ours.weights - theirs).max() < TOL


def test_min_cvar(returns: pd.DataFrame) -> None:
    theirs = MeanRisk(risk_measure=RiskMeasure.CVAR, max_weights=0.25).fit(returns).weights_
    ours = mean_cvar(returns.to_numpy(), Constraints(upper=0.25))
    assert np.abs(ours.weights - theirs).max() < TOL
