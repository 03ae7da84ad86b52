"""Constraints are applied, and an infeasible specification names the constraints in conflict."""

from __future__ import annotations

import numpy as np
import pytest

from ballast.construct import (
    Constraints,
    FactorBounds,
    efficient_return,
    efficient_risk,
    exposures,
    max_sharpe,
    mean_cvar,
    min_variance,
    solver,
)
from ballast.domain import ConfigError, DataError

from .synthetic import problem

MU, COV, RETURNS = problem()
N = MU.size
SCENARIOS = RETURNS[:250]  # a short window keeps the CVaR MILPs quick
SECTORS = ("tech",) * 4 + ("energy",) * 4 + ("health",) * 4


def test_bounds_groups_turnover_and_factors_hold() -> None:
    current = np.full(N, 1.0 / N)
    betas = np.random.default_rng(1).normal(size=(N, 2))
    c = Constraints(lower=0.01, upper=0.3, groups=SECTORS,
                    group_bounds={"tech": (0.2, 0.4), "energy": (0.0, 0.25)},
                    current=current, max_turnover=0.5,
                    factors=FactorBounds.limits(betas, [-0.1, -np.inf], [0.1, 0.2],
                                                names=("value", "size")))
    for result in (min_variance(COV, c), max_sharpe(MU, COV, c),
                   efficient_return(MU, COV, 0.2, c), efficient_risk(MU, COV, 0.25, c),
                   mean_cvar(RETURNS, c)):
        w = result.weights
        assert w.sum() == pytest.approx(1.0, abs=1e-7)
        assert w.min() >= 0.01 - 1e-7 and w.max() <= 0.3 + 1e-7
        labels = np.array(SECTORS)
        assert 0.2 - 1e-7 <= w[labels == "tech"].sum() <= 0.4 + 1e-7
        assert w[labels == "energy"].sum() <= 0.25 + 1e-7
        assert np.abs(w - current).sum() <= 0.5 + 1e-6
        value, size = exposures(w, betas)
        assert -0.1 - 1e-7 <= value <= 0.1 + 1e-7 and size <= 0.2 + 1e-7
        assert "turnover Σ|w − current| ≤ 0.5" in result.constraints
        assert "factor value in [-0.1, 0.1]" in result.constraints


def test_factor_tilt_reaches_its_target() -> None:
    betas = np.random.default_rng(2).normal(size=(N, 1))
    tilt = FactorBounds.tilt(betas, [0.3], names=("momentum",))
    w = min_variance(COV, Constraints(factors=tilt)).weights
    assert exposures(w, betas) == pytest.approx([0.3], abs=1e-7)


def test_l2_spreads_the_weights() -> None:
    plain = min_variance(COV).weights
    spread = min_variance(COV, l2=1.0).weights
    assert (spread**2).sum() < (plain**2).sum()


@pytest.mark.parametrize("k", [1, 3, 5])
def test_max_holdings(k: int) -> None:
    c = Constraints(max_holdings=k, upper=1.0 if k < 3 else 0.4)
    for result in (min_variance(COV, c), max_sharpe(MU, COV, c),
                   efficient_return(MU, COV, 0.3, c), efficient_risk(MU, COV, 0.36, c),
                   mean_cvar(SCENARIOS, c)):
        assert result.holdings <= k, result.method
        assert result.weights.sum() == pytest.approx(1.0, abs=1e-6)
        assert f"max holdings {k}" in result.constraints
        assert result.status == ("optimal" if result.method.startswith("mean-CVaR") else
                                 f"heuristic: optimal on a support of at most {k} names")


def test_cvar_max_holdings_is_exact() -> None:
    """The MILP beats (or ties) every support the halving heuristic could pick."""
    best = mean_cvar(SCENARIOS, Constraints(max_holdings=2))
    for i in range(N):
        for j in range(i + 1, N):
            upper = np.zeros(N)
            upper[[i, j]] = 1.0
            pair = mean_cvar(SCENARIOS, Constraints(upper=upper))
            assert best.metric("cvar") <= pair.metric("cvar") + 1e-9


def test_max_holdings_falls_back_to_the_closest_feasible_support() -> None:
    """Min variance favours low-return names; the target return needs the high-return ones."""
    result = efficient_return(MU, COV, 0.37, Constraints(max_holdings=2))
    assert result.holdings <= 2
    assert result.expected_return is not None and result.expected_return >= 0.37 - 1e-7
    two_groups = Constraints(max_holdings=1, groups=SECTORS,
                             group_bounds={"tech": (0.3, 1.0), "energy": (0.3, 1.0)})
    with pytest.raises(ConfigError, match="max holdings 1: no portfolio of that many names "
                                          "meets the other constraints"):
        efficient_return(MU, COV, 0.2, two_groups)
    with pytest.raises(ConfigError, match="max holdings 1: the heuristic found no support"):
        efficient_risk(MU, COV, 0.23, Constraints(max_holdings=1))


def test_positive_lower_bounds_stay_held() -> None:
    lower = np.zeros(N)
    lower[[0, 5]] = 0.05
    w = min_variance(COV, Constraints(lower=lower, max_holdings=3)).weights
    assert w[0] >= 0.05 - 1e-7 and w[5] >= 0.05 - 1e-7
    assert np.count_nonzero(w) <= 3


@pytest.mark.parametrize(("constraints", "message"), [
    (Constraints(lower=0.1), "Σ lower bounds = 1.2 > budget 1"),
    (Constraints(upper=0.05), "Σ upper bounds = 0.6 < budget 1"),
    (Constraints(lower=0.5, upper=0.2), "weight bounds: lower > upper for 0, 1, 2, 3, 4"),
    (Constraints(upper=0.2, groups=SECTORS, group_bounds={"tech": (0.9, 1.0)}),
     "group tech in [0.9, 1] conflicts with the weight bounds: Σ upper bounds of its members "
     "= 0.8 < 0.9"),
    (Constraints(lower=0.05, groups=SECTORS, group_bounds={"tech": (0.0, 0.1)}),
     "Σ lower bounds of its members = 0.2 > 0.1"),
    (Constraints(groups=SECTORS, group_bounds={"tech": (0.3, 0.2)}), "lower bound above upper"),
    (Constraints(groups=SECTORS, group_bounds={"bonds": (0.0, 0.2)}), "no asset is in group"),
    (Constraints(groups=SECTORS, group_bounds={"tech": (0, 0.2), "energy": (0, 0.2),
                                               "health": (0, 0.2)}),
     "the groups hold at most 0.6 < budget 1"),
    (Constraints(groups=SECTORS, group_bounds={"tech": (0.5, 1), "energy": (0.5, 1),
                                               "health": (0.5, 1)}),
     "the groups need at least 1.5 > budget 1"),
    (Constraints(upper=0.1, max_holdings=5),
     "max holdings 5 conflicts with the weight bounds and the budget: the 5 largest upper "
     "bounds sum to 0.5 < budget 1"),
    (Constraints(lower=np.r_[[0.01] * 4, [0.0] * 8], max_holdings=3),
     "4 assets have a positive lower bound"),
    (Constraints(max_holdings=0), "must be at least 1"),
    (Constraints(max_turnover=-1.0, current=np.full(N, 1 / N)), "is negative"),
])
def test_simple_conflicts_are_named(constraints: Constraints, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        min_variance(COV, constraints)
    assert message in str(err.value)


def test_solver_infeasibility_names_an_irreducible_set() -> None:
    """Turnover from an all-tech book cannot reach a tech cap; the other families are innocent."""
    current = np.r_[[0.25] * 4, [0.0] * 8]
    c = Constraints(groups=SECTORS, group_bounds={"tech": (0.0, 0.3), "health": (0.0, 0.5)},
                    current=current, max_turnover=0.4)
    with pytest.raises(ConfigError) as err:
        min_variance(COV, c)
    text = str(err.value)
    assert "these constraints conflict: group tech in [0, 0.3]; turnover Σ|w − current| ≤ 0.4" \
        in text
    assert "health" not in text and "weight bounds" not in text


def test_factor_limits_conflicting_with_bounds() -> None:
    betas = np.ones((N, 1))
    c = Constraints(factors=FactorBounds.limits(betas, lower=1.5, names=("market",)))
    with pytest.raises(ConfigError, match=r"factor market in \[1.5, inf\]"):
        max_sharpe(MU, COV, c)
    with pytest.raises(ConfigError, match="lower > upper for market"):
        FactorBounds.limits(betas, 1.0, 0.0, names=("market",))


def test_targets_out_of_reach() -> None:
    top = float(MU.max())
    with pytest.raises(ConfigError, match=f"target return 1 is above the maximum achievable "
                                          f"{top:g}"):
        efficient_return(MU, COV, 1.0)
    with pytest.raises(ConfigError, match=f"target return 1 is above the maximum achievable "
                                          f"{top:g}"):
        mean_cvar(RETURNS, target_return=1.0, mu=MU)
    floor = min_variance(COV).volatility
    with pytest.raises(ConfigError, match=f"below the minimum achievable {floor:g}"):
        efficient_risk(MU, COV, 0.01)
    with pytest.raises(ConfigError, match="no asset has an expected return above"):
        max_sharpe(MU, COV, risk_free_rate=1.0)


def test_infeasible_linear_part_is_named_for_every_method() -> None:
    current = np.r_[[0.25] * 4, [0.0] * 8]
    c = Constraints(groups=SECTORS, group_bounds={"tech": (0.0, 0.3)}, current=current,
                    max_turnover=0.4)
    for solve in (lambda: max_sharpe(MU, COV, c), lambda: efficient_risk(MU, COV, 0.3, c),
                  lambda: efficient_return(MU, COV, 0.01, c), lambda: mean_cvar(RETURNS, c)):
        with pytest.raises(ConfigError, match="group tech in"):
            solve()


@pytest.mark.parametrize("with_floor", [False, True])
def test_column_generation_matches_the_full_solve(monkeypatch: pytest.MonkeyPatch,
                                                  with_floor: bool) -> None:
    """From 150 assets the QPs solve on a guessed support and add columns with a negative
    reduced cost; a group floor on assets outside the guess makes it fall back to the full
    solve. Both ways give the same weights."""
    mu, cov, _ = problem(n=240, periods=700, seed=11)
    labels = np.array(["a"] * 100 + ["b"] * 140, dtype=object)
    labels[np.argsort(np.linalg.solve(cov, np.ones(240)))[:5]] = "c"  # far from the guess
    bounds = {"a": (0.0, 0.4), "c": (0.05, 1.0)} if with_floor else {"a": (0.0, 0.4)}
    c = Constraints(upper=0.1, groups=tuple(labels), group_bounds=bounds)
    runs = [(min_variance(cov, c).weights, efficient_return(mu, cov, 0.3, c).weights,
             max_sharpe(mu, cov, c, risk_free_rate=0.02).weights)]
    monkeypatch.setattr(solver, "SCREEN_MIN", 10**9)
    runs.append((min_variance(cov, c).weights, efficient_return(mu, cov, 0.3, c).weights,
                 max_sharpe(mu, cov, c, risk_free_rate=0.02).weights))
    for screened, full in zip(*runs, strict=True):
        assert np.abs(screened - full).max() < 1e-5


def test_bad_inputs() -> None:
    with pytest.raises(DataError, match="positive definite"):
        min_variance(np.ones((3, 3)), Constraints(lower=-np.inf, upper=np.inf))
    with pytest.raises(DataError, match="not symmetric"):
        min_variance(COV + np.triu(np.ones((N, N)), 1))
    with pytest.raises(DataError, match="non-finite"):
        min_variance(np.full((2, 2), np.nan))
    with pytest.raises(DataError, match="shape"):
        max_sharpe(MU[:3], COV)
    with pytest.raises(DataError, match="names"):
        min_variance(COV, names=["a"])
    with pytest.raises(DataError, match="group labels"):
        min_variance(COV, Constraints(groups=("a",), group_bounds={"a": (0, 1)}))
    with pytest.raises(ConfigError, match="needs the current weights"):
        min_variance(COV, Constraints(max_turnover=0.1))
    with pytest.raises(ConfigError, match="finite weight bounds"):
        mean_cvar(RETURNS, Constraints(lower=-np.inf, max_holdings=2))
    with pytest.raises(ConfigError, match="beta"):
        mean_cvar(RETURNS, beta=1.0)
    with pytest.raises(DataError, match="scenarios"):
        mean_cvar(RETURNS[:1])
