"""Time-weighted, Modified Dietz and money-weighted returns against published worked examples."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ballast.analytics.performance import (
    FlowTiming,
    annualize,
    daily_returns,
    excess_return,
    gross_and_net,
    irr,
    link_returns,
    modified_dietz,
    time_weighted_return,
    time_weighted_returns,
    xirr,
)
from ballast.domain import DataError


def test_modified_dietz_cfa_gips_composite_example() -> None:
    """CFA Level III practice question on GIPS composite returns (bloombergprep.com, CFA 400,
    question bac110): October, 31 days, V0 = 585.60, V1 = 602.34, flows -15.05 on day 5, 19.82
    on day 9, 16.42 on day 15, -18.96 on day 24, w_i = (31 - D_i) / 31. Published: denominator
    ≈ 591.237, return ≈ 2.45%."""
    flows = [-15.05, 19.82, 16.42, -18.96]
    dates = ["2026-10-05", "2026-10-09", "2026-10-15", "2026-10-24"]
    r = modified_dietz(585.60, 602.34, flows, dates, "2026-09-30", "2026-10-31")
    capital = 585.60 + (26 * -15.05 + 22 * 19.82 + 16 * 16.42 + 7 * -18.96) / 31
    assert round(capital, 3) == 591.237
    assert r == pytest.approx((602.34 - 585.60 - 2.23) / capital, rel=1e-12)
    assert round(r, 4) == 0.0245


def test_modified_dietz_wikipedia_two_year_example() -> None:
    """Wikipedia, "Modified Dietz method", Example: 100 at the start, an inflow of 50 at the end
    of the first (non-leap) year, 300 at the end of the second: (300 - 100 - 50) / (100 + 50 / 2)
    = 120%."""
    r = modified_dietz(100.0, 300.0, [50.0], ["2022-12-31"], "2021-12-31", "2023-12-31")
    assert r == pytest.approx(1.2, abs=1e-15)


def test_modified_dietz_rejects_flows_outside_the_period_and_no_capital() -> None:
    with pytest.raises(DataError, match="every flow"):
        modified_dietz(100.0, 110.0, [5.0], ["2026-02-01"], "2026-01-01", "2026-01-31")
    with pytest.raises(DataError, match="average capital"):
        modified_dietz(0.0, 100.0, [100.0], ["2026-01-31"], "2026-01-01", "2026-01-31")
    with pytest.raises(DataError, match="not dates"):
        modified_dietz(100.0, 110.0, [], [], "yesterday", "2026-01-31")


def test_cfa_time_weighted_versus_money_weighted_example() -> None:
    """CFA Institute, Quantitative Methods, "Discounted Cash Flow Applications" (TWR vs MWR):
    buy one share at 100, a year later buy another at 120, both sold at 130 after two years;
    dividends 2 per share per year. Published: holding-period returns 22% and 10%, TWR 15.84% a
    year, MWR 13.86% a year."""
    # Values at each year end after the flows; flows at the end of the year (FlowTiming.END):
    # year 1: +120 bought, -2 dividend paid out; year 2: -4 dividends, the shares (260) remain.
    twr = time_weighted_return([100.0, 240.0, 260.0], [118.0, -4.0], FlowTiming.END)
    np.testing.assert_allclose(twr.daily, [0.22, 0.10], rtol=1e-14)
    assert round(annualize(twr.total, 2.0), 4) == 0.1584
    mwr = irr([-100.0, 2.0 - 120.0, 2 * 2.0 + 2 * 130.0])
    assert round(mwr, 4) == 0.1386
    assert -100 - 118 / (1 + mwr) + 264 / (1 + mwr) ** 2 == pytest.approx(0.0, abs=1e-10)


def test_xirr_microsoft_documentation_example() -> None:
    """Microsoft Support, "XIRR function": -10,000 on 1 Jan 2008, 2,750 on 1 Mar 2008, 4,250 on
    30 Oct 2008, 3,250 on 15 Feb 2009, 2,750 on 1 Apr 2009. Published: 0.373362535 (Excel
    iterates to 0.000001%; the exact root is 0.37336253352)."""
    r = xirr([-10_000.0, 2_750.0, 4_250.0, 3_250.0, 2_750.0],
             ["2008-01-01", "2008-03-01", "2008-10-30", "2009-02-15", "2009-04-01"])
    assert r == pytest.approx(0.373362535, abs=1e-8)
    assert round(r, 8) == 0.37336253


def test_irr_errors_name_the_problem() -> None:
    with pytest.raises(DataError, match="one outflow and one inflow"):
        irr([-100.0, -5.0, -1.0])
    with pytest.raises(DataError, match="no rate"):
        irr([-1.0, 3.0, -2.5])  # NPV < 0 at every rate above -100%
    with pytest.raises(DataError, match="precede"):
        xirr([-1.0, 2.0], ["2020-01-02", "2020-01-01"])


@settings(max_examples=60, deadline=None)
@given(st.floats(-0.9, 3.0), st.integers(1, 30))
def test_irr_recovers_a_known_rate(rate: float, periods: int) -> None:
    flows = np.zeros(periods + 1)
    flows[0], flows[-1] = -100.0, 100.0 * (1 + rate) ** periods
    assert irr(flows) == pytest.approx(rate, abs=1e-9)


def test_flow_timing_conventions_by_hand() -> None:
    values, flows = [100.0, 215.0], [100.0]
    assert daily_returns(values, flows, FlowTiming.END)[0] == pytest.approx(0.15)
    assert daily_returns(values, flows, FlowTiming.START)[0] == pytest.approx(0.075)
    with pytest.raises(DataError, match="no capital"):
        daily_returns([0.0, 10.0], [0.0])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-0.2, 0.2), min_size=1, max_size=40),
       st.lists(st.floats(-50.0, 50.0), min_size=40, max_size=40))
def test_twr_is_unaffected_by_flows(returns: list[float], raw_flows: list[float]) -> None:
    """The same daily returns with any (end-of-day) flows link to the same TWR."""
    values, flows = [1000.0], []
    for r, f in zip(returns, raw_flows, strict=False):
        flows.append(f)
        values.append(values[-1] * (1 + r) + f)
    np.testing.assert_allclose(daily_returns(values, flows), returns, atol=1e-12)
    twr = time_weighted_return(values, flows).total
    assert link_returns(returns) == pytest.approx(twr, abs=1e-12)


def test_many_accounts_at_once_match_one_at_a_time() -> None:
    """Values [T+1, N] and flows [T, N]: each column's linked TWR is the 1-D answer."""
    rng = np.random.default_rng(7)
    flows = rng.normal(0.0, 5.0, (250, 6))
    values = 1000.0 + np.vstack([np.zeros(6), np.cumsum(rng.normal(2.0, 8.0, (250, 6)), 0)])
    linked = time_weighted_returns(values, flows, FlowTiming.START)
    for n in range(6):
        one = time_weighted_return(values[:, n], flows[:, n], FlowTiming.START).total
        assert linked[n] == pytest.approx(one, rel=1e-13)
    with pytest.raises(DataError, match="shape"):
        time_weighted_returns(values, flows[:, :5])


def test_gross_and_net_of_fees() -> None:
    """A fee of 1 on 100 with no market move: net -1%, gross 0%."""
    gn = gross_and_net([100.0, 99.0, 99.0 * 1.02 - 0.5], [0.0, 0.0], [1.0, 0.5])
    np.testing.assert_allclose(gn.gross, [0.0, 0.02], atol=1e-15)
    np.testing.assert_allclose(gn.net, [-0.01, (99.0 * 1.02 - 0.5) / 99.0 - 1], atol=1e-15)


def test_annualize_only_past_one_year() -> None:
    assert annualize(0.05, 0.5) == 0.05
    assert annualize(0.21, 2.0) == pytest.approx(0.1, rel=1e-14)
    with pytest.raises(ValueError, match="positive"):
        annualize(0.1, 0.0)


def test_excess_return_bacon_example() -> None:
    """Bacon, Practical Portfolio Performance Measurement and Attribution, ch. 5: portfolio
    8.3%, benchmark 6.4%: arithmetic excess 1.9%, geometric 1.083 / 1.064 - 1 = 1.79%."""
    assert excess_return(0.083, 0.064) == pytest.approx(0.019, abs=1e-15)
    assert round(excess_return(0.083, 0.064, geometric=True), 4) == 0.0179
