"""Brinson-Fachler attribution against Bacon's worked example; Carino and Menchero linking and
contribution to return: the linked pieces add up exactly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ballast.analytics.attribution import (
    Linking,
    brinson_fachler,
    contribution,
    group_returns,
    link_attribution,
)
from ballast.domain import DataError

# Bacon, "Practical Portfolio Performance Measurement and Attribution" (2nd ed.), ch. 5 and 8:
# UK, Japanese and US equities over four quarters (rows), as reproduced in empyrical's
# bf_perf_attrib example ("p.126-129").
WP = np.array([[0.4, 0.3, 0.3], [0.7, 0.2, 0.1], [0.3, 0.5, 0.2], [0.3, 0.5, 0.2]])
WB = np.array([[0.4, 0.2, 0.4], [0.4, 0.3, 0.3], [0.5, 0.4, 0.1], [0.4, 0.4, 0.2]])
RP = np.array([[0.20, -0.05, 0.06], [-0.05, 0.03, -0.05], [-0.20, 0.08, -0.15],
               [0.10, -0.07, 0.25]])
RB = np.array([[0.10, -0.04, 0.08], [-0.07, 0.04, -0.10], [-0.25, 0.05, -0.20],
               [0.05, -0.05, 0.10]])


def test_brinson_fachler_bacon_example() -> None:
    """Bacon ch. 5, first quarter. Published: portfolio 8.3%, benchmark 6.4%; Brinson-Fachler
    allocation UK 0%, Japan -1.04%, US -0.16% (total -1.2%); selection 4.0%, -0.2%, -0.8%
    (3.0%); interaction 0%, -0.1%, 0.2% (0.1%)."""
    bf = brinson_fachler(WP[0], RP[0], WB[0], RB[0])
    assert (round(bf.portfolio_return, 4), round(bf.benchmark_return, 4)) == (0.083, 0.064)
    np.testing.assert_allclose(bf.allocation, [0.0, -0.0104, -0.0016], atol=1e-15)
    np.testing.assert_allclose(bf.selection, [0.04, -0.002, -0.008], atol=1e-15)
    np.testing.assert_allclose(bf.interaction, [0.0, -0.001, 0.002], atol=1e-15)
    assert bf.allocation.sum() == pytest.approx(-0.012, abs=1e-15)
    assert bf.selection.sum() == pytest.approx(0.03, abs=1e-15)
    assert bf.interaction.sum() == pytest.approx(0.001, abs=1e-15)
    assert bf.total.sum() == pytest.approx(bf.excess, abs=1e-15)


def test_grouping_holdings_gives_the_same_attribution() -> None:
    """UK split into two holdings (60/40 of its weight): the same group figures come back."""
    grouped = group_returns([0.24, 0.16, 0.3, 0.3], [0.25, 0.125, -0.05, 0.06],
                            ["UK", "UK", "JP", "US"], ["UK", "JP", "US", "EM"])
    np.testing.assert_allclose(grouped.weights, [0.4, 0.3, 0.3, 0.0], atol=1e-15)
    np.testing.assert_allclose(grouped.returns, [0.2, -0.05, 0.06, 0.0], atol=1e-15)
    with pytest.raises(DataError, match="not among the groups"):
        group_returns([1.0], [0.1], ["XX"], ["UK"])


@pytest.mark.parametrize("method", list(Linking))
def test_linking_bacon_four_quarters(method: Linking) -> None:
    """Bacon's four quarters: the linked effects sum to R - B of the linked returns."""
    periods = [brinson_fachler(WP[t], RP[t], WB[t], RB[t]) for t in range(4)]
    linked = link_attribution(periods, method)
    assert linked.portfolio_return == pytest.approx(1.083 * 0.966 * 0.95 * 1.045 - 1, abs=1e-14)
    assert linked.benchmark_return == pytest.approx(1.064 * 0.954 * 0.875 * 1.02 - 1, abs=1e-14)
    total = linked.allocation.sum() + linked.selection.sum() + linked.interaction.sum()
    assert total == pytest.approx(linked.excess, abs=1e-15)


def test_carino_coefficients_by_hand() -> None:
    """k_t / K with k = (ln(1 + R) - ln(1 + B)) / (R - B)."""
    periods = [brinson_fachler(WP[t], RP[t], WB[t], RB[t]) for t in range(2)]
    r, b = np.array([0.083, -0.034]), np.array([0.064, -0.046])
    k = (np.log1p(r) - np.log1p(b)) / (r - b)
    big_r, big_b = 1.083 * 0.966 - 1, 1.064 * 0.954 - 1
    big_k = (np.log1p(big_r) - np.log1p(big_b)) / (big_r - big_b)
    np.testing.assert_allclose(link_attribution(periods).coefficients, k / big_k, rtol=1e-12)


def test_linking_when_portfolio_equals_benchmark() -> None:
    bf = brinson_fachler([0.5, 0.5], [0.1, -0.02], [0.5, 0.5], [0.1, -0.02])
    for method in Linking:
        linked = link_attribution([bf, bf, bf], method)
        assert np.all(np.isfinite(linked.coefficients))
        assert linked.excess == 0.0 and not linked.allocation.any()


@st.composite
def attribution_periods(draw: st.DrawFn) -> list[tuple[np.ndarray, ...]]:
    t = draw(st.integers(1, 8))
    n = draw(st.integers(2, 5))
    out = []
    for _ in range(t):
        raw = [draw(arrays(np.float64, n, elements=st.floats(0.01, 1.0))) for _ in range(2)]
        rets = [draw(arrays(np.float64, n, elements=st.floats(-0.5, 0.5))) for _ in range(2)]
        out.append((raw[0] / raw[0].sum(), rets[0], raw[1] / raw[1].sum(), rets[1]))
    return out


@settings(max_examples=150, deadline=None)
@given(attribution_periods())
def test_linked_effects_sum_to_linked_excess(data: list[tuple[np.ndarray, ...]]) -> None:
    """Property: for Carino and Menchero, allocation + selection + interaction over all groups
    equals (prod(1 + R_t) - 1) - (prod(1 + B_t) - 1)."""
    periods = [brinson_fachler(*p) for p in data]
    for method in Linking:
        linked = link_attribution(periods, method)
        total = linked.allocation.sum() + linked.selection.sum() + linked.interaction.sum()
        big_r = np.prod([1 + p.portfolio_return for p in periods]) - 1
        big_b = np.prod([1 + p.benchmark_return for p in periods]) - 1
        assert total == pytest.approx(big_r - big_b, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(attribution_periods())
def test_contribution_links_to_the_total_return(data: list[tuple[np.ndarray, ...]]) -> None:
    w = np.array([p[0] for p in data])
    r = np.array([p[1] for p in data])
    c = contribution(w, r)
    np.testing.assert_allclose(c.per_period, w * r)
    assert c.linked.sum() == pytest.approx(np.prod(1 + (w * r).sum(axis=1)) - 1, abs=1e-12)
    assert c.total_return == pytest.approx(c.linked.sum(), abs=1e-12)


def test_contribution_two_periods_by_hand() -> None:
    """Period 1: +10% (A 6%, B 4%); period 2 on 1.10 of wealth: A contributes 1.10 x 5%."""
    c = contribution([[0.6, 0.4], [0.5, 0.5]], [[0.1, 0.1], [0.1, -0.1]])
    np.testing.assert_allclose(c.linked, [0.06 + 1.1 * 0.05, 0.04 - 1.1 * 0.05], atol=1e-15)
    assert c.total_return == pytest.approx(0.1, abs=1e-15)


def test_weights_must_sum_to_one() -> None:
    with pytest.raises(DataError, match="add cash"):
        brinson_fachler([0.5, 0.4], [0.1, 0.1], [0.5, 0.5], [0.1, 0.1])
    with pytest.raises(DataError, match="nothing to link"):
        link_attribution([])
