"""Daily returns of NAV series with accounts opening mid-period, and the vectorized NAV: chunked
equals unchunked, and a fully invested account's TWR is its instrument's return (empyrical on
real closes of ../shared/data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ballast.analytics import daily_returns
from ballast.analytics.nav_returns import nav_daily_returns
from ballast.domain import DataError
from ballast.ledger import valuation_series
from ballast.ledger.valuation_series import Changes, nav_arrays, value_over_time

from .shared import shared_file


def test_funded_days_match_daily_returns_and_opening_days_start_with_their_flow() -> None:
    values = np.array([0.0, 0.0, 1010.0, 1111.0, 0.0])
    flows = np.array([0.0, 1000.0, 0.0, -1111.0])
    r = nav_daily_returns(values, flows)
    assert r.tolist() == pytest.approx([0.0, 0.01, 0.1, 0.0])
    funded = np.array([1000.0, 1100.0, 1300.0, 1250.0])
    money = np.array([0.0, 100.0, -50.0])
    assert nav_daily_returns(funded, money).tolist() == pytest.approx(
        daily_returns(funded, money).tolist(), abs=1e-16)
    with pytest.raises(DataError, match="expected"):
        nav_daily_returns(values, flows[:2])


def test_value_over_time_chunked_equals_one_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    n_days, n_items, n_accounts, rows = 30, 6, 40, 600
    changes = Changes.of(rng.integers(0, n_accounts, rows), rng.integers(0, n_items, rows),
                         rng.integers(0, n_days, rows), rng.normal(0, 10, rows))
    unit = rng.uniform(1, 2, (n_days, n_items))
    whole, by_item = value_over_time(changes, unit, n_accounts, by_item=True)
    monkeypatch.setattr(valuation_series, "_CHUNK_CELLS", n_days * 7)  # splits accounts
    chunked, by_item_chunked = value_over_time(changes, unit, n_accounts, by_item=True)
    assert np.allclose(chunked, whole, atol=1e-9)
    assert by_item is not None and by_item_chunked is not None
    assert np.allclose(by_item_chunked, by_item, atol=1e-9)
    assert np.allclose(whole.sum(axis=1), by_item.sum(axis=1), atol=1e-9)
    # By a plain loop, for one account.
    k = 5
    ref = [sum(changes.amount[i] * unit[t, changes.item[i]] for i in range(rows)
               if changes.account[i] == k and changes.day[i] <= t) for t in range(n_days)]
    assert whole[:, k].tolist() == pytest.approx(ref, abs=1e-9)


def test_unpriced_holding_is_named() -> None:
    changes = Changes.of([0], [1], [2], [5.0])
    unit = np.ones((4, 2))
    unit[3, 1] = np.nan
    with pytest.raises(DataError, match="VOD is held on 2021-01-07 but has no price"):
        value_over_time(changes, unit, 1, names=["AAPL", "VOD"],
                        days=np.arange("2021-01-04", "2021-01-08", dtype="datetime64[D]"))


def test_invested_account_twr_is_its_instruments_return_per_empyrical() -> None:
    """Monthly deposits and withdrawals trade AAPL at the close (fractional shares): the TWR
    removes them exactly and equals AAPL's own return from its adjusted closes."""
    ep = pytest.importorskip("empyrical", reason="empyrical-reloaded not installed "
                             "(test-only reference: pip install empyrical-reloaded==0.7.1)")
    path = shared_file("pooksoft_sp500_daily_adjusted", "AAPL.csv")
    close = pd.read_csv(path, index_col="timestamp").sort_index()["adjusted_close"]
    close = close.loc["2016-01-01":"2020-12-31"].to_numpy(np.float64)
    n = len(close)
    flow_days = np.arange(21, n, 21)
    amounts = np.where(np.arange(len(flow_days)) % 3 == 2, -3_000.0, 2_000.0)
    units = np.concatenate([[10_000.0 / close[0]], amounts / close[flow_days]])
    days = np.concatenate([[0], flow_days])
    none = Changes.of([], [], [], [])
    nav = nav_arrays(
        Changes.of(np.zeros(len(days)), np.zeros(len(days)), days, units), none,
        Changes.of(np.zeros(len(flow_days)), np.zeros(len(flow_days)), flow_days - 1, amounts),
        none, none, close[:, None], np.ones((n, 1)), 1)
    twr = np.prod(1.0 + nav_daily_returns(nav.value[:, 0], nav.flows[:, 0])) - 1.0
    expected = ep.cum_returns_final(pd.Series(close).pct_change().dropna())
    assert twr == pytest.approx(expected, rel=1e-9)
    assert nav.value[-1, 0] == pytest.approx(units.sum() * close[-1], rel=1e-12)
