"""Agreement with PyPortfolioOpt (test-only) within 1e-4 in weights on its own test data.

Both sides get the same μ (mean_historical_return) and Σ (sample_cov) arrays.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from pypfopt import (
    BlackLittermanModel,
    EfficientCVaR,
    EfficientFrontier,
    HRPOpt,
    black_litterman,
    expected_returns,
    objective_functions,
    risk_models,
)

from ballast.construct import (
    Constraints,
    efficient_return,
    efficient_risk,
    hrp,
    market_implied_prior,
    market_implied_risk_aversion,
    max_sharpe,
    mean_cvar,
    min_variance,
)
from ballast.construct import (
    black_litterman as bl,
)

from .data import pypfopt_hrp_answer, pypfopt_prices
from .synthetic import problem

TOL = 1e-4
BOUNDS = (0.0, 0.15)


@pytest.fixture(scope="module")
def estimates() -> tuple[pd.Series, pd.DataFrame]:
    prices = pypfopt_prices()
    return expected_returns.mean_historical_return(prices), risk_models.sample_cov(prices)


def _frontier(estimates: tuple[pd.Series, pd.DataFrame],
              bounds: tuple[float, float] = BOUNDS) -> EfficientFrontier:
    mu, cov = estimates
    return EfficientFrontier(mu, cov, weight_bounds=bounds)


def _bounded() -> Constraints:
    return Constraints(lower=BOUNDS[0], upper=BOUNDS[1])


def test_min_volatility(estimates: tuple[pd.Series, pd.DataFrame]) -> None:
    ef = _frontier(estimates)
    ef.min_volatility()
    ours = min_variance(estimates[1].to_numpy(), _bounded())
    assert np.abs(ours.weights - ef.weights).max() < TOL
    assert ours.volatility == pytest.approx(ef.portfolio_performance()[1], rel=1e-6)


def test_min_volatility_with_l2(estimates: tuple[pd.Series, pd.DataFrame]) -> None:
    ef = _frontier(estimates)
    ef.add_objective(objective_functions.L2_reg, gamma=0.1)
    ef.min_volatility()
    ours = min_variance(estimates[1].to_numpy(), _bounded(), l2=0.1)
    assert np.abs(ours.weights - ef.weights).max() < TOL


def test_unconstrained_min_volatility_is_the_closed_form(
        estimates: tuple[pd.Series, pd.DataFrame]) -> None:
    ef = _frontier(estimates, (None, None))  # type: ignore[arg-type]
    ef.min_volatility()
    ours = min_variance(estimates[1].to_numpy(), Constraints(lower=-np.inf, upper=np.inf))
    assert np.abs(ours.weights - ef.weights).max() < TOL


def test_many_assets_agree_too() -> None:
    """220 assets: column generation, with restricted problems factored by faer or QDLDL."""
    mu, cov, _ = problem(n=220, periods=600, seed=3)
    ef = EfficientFrontier(pd.Series(mu), pd.DataFrame(cov), weight_bounds=(0.0, 0.05))
    ef.max_sharpe(risk_free_rate=0.02)
    ours = max_sharpe(mu, cov, Constraints(upper=0.05), risk_free_rate=0.02)
    assert np.abs(ours.weights - ef.weights).max() < TOL


def test_max_sharpe(estimates: tuple[pd.Series, pd.DataFrame]) -> None:
    ef = _frontier(estimates)
    ef.max_sharpe(risk_free_rate=0.02)
    mu, cov = (x.to_numpy() for x in estimates)
    ours = max_sharpe(mu, cov, _bounded(), risk_free_rate=0.02)
    assert np.abs(ours.weights - ef.weights).max() < TOL
    ret, vol, sharpe = ef.portfolio_performance(risk_free_rate=0.02)
    assert (ours.expected_return, ours.volatility, ours.sharpe) == pytest.approx(
        (ret, vol, sharpe), rel=1e-5)


def test_efficient_return(estimates: tuple[pd.Series, pd.DataFrame]) -> None:
    ef = _frontier(estimates)
    ef.efficient_return(0.25)
    mu, cov = (x.to_numpy() for x in estimates)
    ours = efficient_return(mu, cov, 0.25, _bounded())
    assert np.abs(ours.weights - ef.weights).max() < TOL
    assert ours.expected_return == pytest.approx(0.25, abs=1e-7)


def test_efficient_risk(estimates: tuple[pd.Series, pd.DataFrame]) -> None:
    ef = _frontier(estimates)
    ef.efficient_risk(0.2)
    mu, cov = (x.to_numpy() for x in estimates)
    ours = efficient_risk(mu, cov, 0.2, _bounded())
    assert np.abs(ours.weights - ef.weights).max() < TOL
    assert ours.volatility == pytest.approx(0.2, abs=1e-7)


def test_efficient_cvar() -> None:
    prices = pypfopt_prices()
    mu = expected_returns.mean_historical_return(prices)
    returns = expected_returns.returns_from_prices(prices).dropna()
    ef = EfficientCVaR(mu, returns)
    ef.min_cvar()
    ours = mean_cvar(returns.to_numpy(), mu=mu.to_numpy())
    assert np.abs(ours.weights - ef.weights).max() < TOL
    assert ours.metric("cvar") == pytest.approx(ef.portfolio_performance()[1], rel=1e-6)
    ef = EfficientCVaR(mu, returns, weight_bounds=BOUNDS)
    ef.efficient_return(0.2)
    ours = mean_cvar(returns.to_numpy(), _bounded(), target_return=0.2, mu=mu.to_numpy())
    assert np.abs(ours.weights - ef.weights).max() < TOL


def test_hrp_matches_hrpopt_and_its_answer_key() -> None:
    returns = pypfopt_prices().pct_change().dropna(how="all")
    key = pypfopt_hrp_answer().reindex(returns.columns).to_numpy()
    # The answer key clusters pandas' pairwise (NaN-skipping) correlation: pass it as is.
    ours = hrp(returns.cov().to_numpy(), corr=returns.corr().to_numpy(),
               names=list(returns.columns))
    assert np.abs(ours.weights - key).max() < 1e-12
    full = returns.dropna()
    theirs = pd.Series(HRPOpt(full).optimize(linkage_method="single"))
    ours = hrp(np.cov(full.to_numpy(), rowvar=False), names=list(full.columns))
    assert np.abs(ours.weights - theirs.reindex(full.columns).to_numpy()).max() < TOL


@pytest.mark.parametrize("omega", ["default", "idzorek"])
def test_black_litterman_posterior(estimates: tuple[pd.Series, pd.DataFrame],
                                   omega: str) -> None:
    cov = estimates[1]
    caps = pd.Series(np.linspace(1.0, 3.0, len(cov)), index=cov.index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        delta = black_litterman.market_implied_risk_aversion(pypfopt_prices()["AAPL"].dropna())
        prior = black_litterman.market_implied_prior_returns(caps, delta, cov,
                                                             risk_free_rate=0.01)
    views = {"AAPL": 0.20, "BBY": -0.30, "BAC": 0.0, "SBUX": -0.2, "T": 0.15}
    confidences = [0.6, 0.4, 0.2, 0.5, 0.1]
    model = BlackLittermanModel(cov, pi=prior, absolute_views=views, omega=omega,
                                view_confidences=confidences)
    aapl = pypfopt_prices()["AAPL"].dropna().pct_change().dropna().to_numpy()
    assert market_implied_risk_aversion(aapl) == pytest.approx(delta, rel=1e-12)
    our_prior = market_implied_prior(caps.to_numpy(), cov.to_numpy(), delta, 0.01)
    assert np.abs(our_prior - prior.to_numpy()).max() < 1e-12
    picks = np.zeros((len(views), len(cov)))
    for row, ticker in enumerate(views):
        picks[row, list(cov.index).index(ticker)] = 1.0
    post = bl(cov.to_numpy(), our_prior, picks, list(views.values()), omega=omega,  # type: ignore[arg-type]
              confidences=confidences)
    assert np.abs(post.mean - model.bl_returns().to_numpy()).max() < 1e-10
    assert np.abs(post.cov - model.bl_cov().to_numpy()).max() < 1e-10
    ef = EfficientFrontier(model.bl_returns(), model.bl_cov())
    ef.max_sharpe(risk_free_rate=0.02)
    ours = max_sharpe(post.mean, post.cov, risk_free_rate=0.02)
    assert np.abs(ours.weights - ef.weights).max() < TOL
