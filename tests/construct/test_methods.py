"""Risk parity, volatility targeting, direct indexing, Black-Litterman options and the report."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from ballast.construct import (
    Constraints,
    black_litterman,
    hrp,
    market_implied_prior,
    market_implied_risk_aversion,
    max_sharpe,
    risk_contributions,
    risk_parity,
    track_index,
    vol_target,
)
from ballast.domain import ConfigError, DataError

from .synthetic import problem

MU, COV, RETURNS = problem()
N = MU.size
NAMES = tuple(f"S{i}" for i in range(N))


@pytest.mark.parametrize("n", [12, 60])
def test_risk_parity_contributions_equal_budgets(n: int) -> None:
    _, cov, _ = problem(n=n, seed=n)
    for budgets in (None, np.linspace(1.0, 5.0, n)):
        result = risk_parity(cov, budgets)
        share = np.full(n, 1.0 / n) if budgets is None else budgets / budgets.sum()
        assert np.abs(result.contributions / share - 1.0).max() < 1e-6
        assert result.weights.sum() == pytest.approx(1.0) and result.weights.min() > 0


def test_risk_parity_rejects_bad_budgets() -> None:
    with pytest.raises(ConfigError, match="positive"):
        risk_parity(COV, np.r_[0.0, np.ones(N - 1)])
    with pytest.raises(DataError, match="positive variance"):
        risk_parity(np.zeros((2, 2)))


def test_vol_target_with_cash() -> None:
    risky = max_sharpe(MU, COV)
    result = vol_target(risky.weights, COV, 0.08, mu=MU)
    k = 0.08 / risky.volatility
    assert result.volatility == pytest.approx(0.08)
    assert result.metric("exposure") == pytest.approx(k)
    assert result.metric("cash") == pytest.approx(1 - k)
    assert np.allclose(result.weights, k * risky.weights)
    capped = vol_target(risky.weights, COV, 2.0, max_leverage=1.5)
    assert capped.metric("exposure") == pytest.approx(1.5)
    assert capped.metric("cash") == pytest.approx(-0.5)


def test_vol_target_with_a_bond_sleeve() -> None:
    risky = np.r_[np.full(N - 2, 1.0 / (N - 2)), 0.0, 0.0]
    bonds = np.r_[np.zeros(N - 2), 0.5, 0.5]
    cov = COV.copy()
    cov[-2:, :] *= 0.2
    cov[:, -2:] *= 0.2  # the last two assets become a low-volatility bond sleeve
    result = vol_target(risky, cov, 0.12, reserve=bonds)
    assert result.volatility == pytest.approx(0.12)
    k = result.metric("exposure")
    assert np.allclose(result.weights, k * risky + (1 - k) * bonds)
    assert result.metric("cash") == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ConfigError, match="below the lowest volatility"):
        vol_target(risky, cov, 0.01, reserve=bonds)
    same = vol_target(bonds, cov, 1.0, reserve=bonds)
    assert same.metric("exposure") == 1.0
    with pytest.raises(ConfigError, match="below the lowest volatility"):
        vol_target(bonds, cov, 0.01, reserve=bonds)
    with pytest.raises(DataError, match="sum to"):
        vol_target(risky * 2, cov, 0.1)
    with pytest.raises(ConfigError, match="positive"):
        vol_target(risky, cov, 0.0)


def _te(w: np.ndarray, bench: np.ndarray) -> float:
    return float(np.sqrt((w - bench) @ COV @ (w - bench)))


def test_direct_index_tracks_with_few_names() -> None:
    bench = np.linspace(1.0, 2.0, N) / np.linspace(1.0, 2.0, N).sum()
    sectors = ("a",) * 6 + ("b",) * 6
    caps = Constraints(groups=sectors, group_bounds={"b": (0.0, 0.55)})
    result = track_index(bench, COV, 5, caps, exclude={"S11"}, names=NAMES)
    w = result.weights
    assert result.holdings <= 5 and w[-1] == 0.0
    assert w[6:].sum() <= 0.55 + 1e-7 and w.sum() == pytest.approx(1.0)
    assert result.metric("tracking error") == pytest.approx(_te(w, bench))
    assert "excluded: S11" in result.constraints
    # Without the sector cap: better than the 5 largest eligible benchmark names rescaled,
    # and within 10% of the best 5-name support (found by enumerating all 330 of them).
    plain = track_index(bench, COV, 5, exclude={"S11"}, names=NAMES)
    naive = np.zeros(N)
    top = [i for i in np.argsort(-bench) if i != N - 1][:5]
    naive[top] = bench[top] / bench[top].sum()
    assert plain.metric("tracking error") < _te(naive, bench)
    best = min(track_index(bench, COV, 5, Constraints(upper=_only(support)),
                           names=NAMES).metric("tracking error")
               for support in itertools.combinations(range(N - 1), 5))
    assert plain.metric("tracking error") <= 1.1 * best
    with pytest.raises(DataError, match="not in the universe: XYZ"):
        track_index(bench, COV, 5, exclude={"XYZ"}, names=NAMES)


def _only(support: tuple[int, ...]) -> np.ndarray:
    upper = np.zeros(N)
    upper[list(support)] = 1.0
    return upper


def test_black_litterman_options() -> None:
    prior = market_implied_prior(np.ones(N), COV, 2.5)
    picks = np.zeros((2, N))
    picks[0, 0], picks[1, [1, 2]] = 1.0, (1.0, -1.0)  # absolute and relative views
    default = black_litterman(COV, prior, picks, [0.1, 0.02])
    explicit = black_litterman(COV, prior, picks, [0.1, 0.02], omega=default.omega)
    assert np.allclose(default.mean, explicit.mean)
    sure = black_litterman(COV, prior, picks, [0.1, 0.02], omega="idzorek",
                           confidences=[1.0, 1.0])
    assert picks @ sure.mean == pytest.approx([0.1, 0.02])
    ignored = black_litterman(COV, prior, picks, [0.1, 0.02], omega="idzorek",
                              confidences=[0.0, 0.0])
    assert np.abs(ignored.mean - prior).max() < 1e-6
    for bad, kwargs in ((ConfigError, {"omega": "idzorek"}),
                        (ConfigError, {"omega": "idzorek", "confidences": [1.5, 0.5]}),
                        (DataError, {"omega": np.eye(3)}), (ConfigError, {"tau": 0.0})):
        with pytest.raises(bad):
            black_litterman(COV, prior, picks, [0.1, 0.02], **kwargs)  # type: ignore[arg-type]
    with pytest.raises(DataError, match="picks"):
        black_litterman(COV, prior, picks[:, :3], [0.1, 0.02])
    with pytest.raises(DataError, match="positive sum"):
        market_implied_prior(np.zeros(N), COV, 2.5)
    with pytest.raises(DataError, match="market returns"):
        market_implied_risk_aversion([0.01])


def test_hrp_inputs() -> None:
    result = hrp(COV, linkage="average", mu=MU, names=NAMES)
    assert result.weights.sum() == pytest.approx(1.0) and result.expected_return is not None
    with pytest.raises(DataError, match="unknown linkage"):
        hrp(COV, linkage="nearest")
    with pytest.raises(DataError, match="correlation has shape"):
        hrp(COV, corr=np.eye(2))
    with pytest.raises(DataError, match="positive variance"):
        hrp(np.zeros((2, 2)))


def test_report_lists_figures_constraints_and_weights() -> None:
    result = max_sharpe(MU, COV, Constraints(upper=0.3), risk_free_rate=0.02, names=NAMES)
    text = result.report()
    assert text.startswith("method: max sharpe (optimal)\nexpected return: ")
    assert "sharpe (rf 0.02): " in text and "  weight bounds [0, 0.3]" in text
    top = NAMES[int(np.argmax(result.weights))]
    assert f"  {top}: {result.weight(top):.6f} " in text
    assert result.contributions.sum() == pytest.approx(1.0)
    assert not risk_contributions(np.zeros(N), COV).any()  # no risk, no contributions
    with pytest.raises(KeyError):
        result.metric("cvar")
