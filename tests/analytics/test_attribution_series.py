"""Brinson-Fachler over many periods as arrays equals brinson_fachler period by period (Bacon's
example among them), and grouping by a one-hot matrix equals group_returns."""

from __future__ import annotations

import numpy as np
import pytest

from ballast.analytics import brinson_fachler, group_returns
from ballast.analytics.attribution_series import brinson_fachler_periods, group_matrix, grouped
from ballast.domain import DataError

# Bacon, Practical Portfolio Performance Measurement and Attribution, ch. 5 (UK, Japan, US).
BACON = ([0.4, 0.3, 0.3], [0.20, -0.05, 0.06], [0.4, 0.2, 0.4], [0.10, -0.04, 0.08])


def test_periods_equal_brinson_fachler_one_by_one() -> None:
    rng = np.random.default_rng(11)
    wp = np.vstack([BACON[0], rng.dirichlet(np.ones(3), 20)])
    wb = np.vstack([BACON[2], rng.dirichlet(np.ones(3), 20)])
    rp = np.vstack([BACON[1], rng.normal(0, 0.02, (20, 3))])
    rb = np.vstack([BACON[3], rng.normal(0, 0.02, (20, 3))])
    periods = brinson_fachler_periods(wp, rp, wb, rb)
    assert round(float(periods[0].allocation.sum()), 6) == -0.012
    assert round(float(periods[0].selection.sum()), 6) == 0.03
    for t, got in enumerate(periods):
        one = brinson_fachler(wp[t], rp[t], wb[t], rb[t])
        for name in ("allocation", "selection", "interaction"):
            assert getattr(got, name).tolist() == pytest.approx(getattr(one, name).tolist(),
                                                                abs=1e-16)
        assert (got.portfolio_return, got.benchmark_return) == pytest.approx(
            (one.portfolio_return, one.benchmark_return), abs=1e-16)
    with pytest.raises(DataError, match="portfolio_weights: weights of period 1 sum to"):
        brinson_fachler_periods(wp * np.array([[1], [2]] + [[1]] * 19), rp, wb, rb)


def test_grouped_equals_group_returns() -> None:
    rng = np.random.default_rng(5)
    labels = ["tech", "cash", "energy", "tech", "energy"]
    groups = ["energy", "tech", "cash"]
    w, r = rng.dirichlet(np.ones(5), 4), rng.normal(0, 0.02, (4, 5))
    w[2, [2, 4]] = 0.0  # a group without weight has a return of 0
    gw, gr = grouped(w, r, group_matrix(labels, groups))
    for t in range(4):
        one = group_returns(w[t], r[t], labels, groups)
        assert gw[t].tolist() == pytest.approx(one.weights.tolist(), abs=1e-16)
        assert gr[t].tolist() == pytest.approx(one.returns.tolist(), abs=1e-16)
    assert gr[2, 0] == 0.0
    with pytest.raises(DataError, match=r"not among the groups: \['bonds'\]"):
        group_matrix(["bonds"], groups)
