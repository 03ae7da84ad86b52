"""The backtester against bt (pmorissette/bt) on real data: one account rebalanced monthly to
fixed weights, no costs, no dividends, fractional shares.

ballast trades raw closes and applies splits to its lots through the ledger; bt sees the same
closes split-adjusted. Two things keep the NAVs from being identical: ballast's quantities are
whole multiples of the lot size (0.0001 share here) and the ledger rounds every trade's cash to
the cent, where bt holds float positions exactly at the target weights. Both are below 1e-7 of
the NAV over 15 years; the test holds them to 1e-6.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ballast.config.backtest import BacktestSpec
from ballast.engine.backtest import load_daily_adjusted, run_backtest

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "pooksoft_sp500_daily_adjusted"
WEIGHTS = {"AAPL": 0.25, "JNJ": 0.2, "XOM": 0.2, "JPM": 0.2, "KO": 0.15}


def test_monthly_rebalance_matches_bt() -> None:
    if not DATA.exists():
        pytest.skip(f"../shared/data absent: {DATA} not found (see ../shared/data/MANIFEST.md)")
    bt = pytest.importorskip("bt")
    start, end = date(2006, 1, 1), date(2020, 12, 31)
    prices = load_daily_adjusted(DATA, sorted(WEIGHTS)).window(start, end)
    assert (prices.split != 1).any()  # AAPL's 2014 7:1 and 2020 4:1 splits are in the window
    spec = BacktestSpec.model_validate({
        "name": "vs-bt", "fractional": True, "dividends": False,
        "models": [{"name": "fixed", "targets": [{"instrument": s, "target": w}
                                                  for s, w in WEIGHTS.items()]}],
        "accounts": [{"name": "one", "count": 1, "taxable": False, "models": ["fixed"],
                      "cash": 1_000_000.0}],
        "costs": {"half_spread_bps": 0},
        "rebalance": {"min_trade_value": 0, "costs": {"half_spread_bps": 0}},
        "policies": [{"name": "monthly", "kind": "calendar", "calendar": "monthly"}]})
    ours = run_backtest(spec, Path("."), prices=prices).nav["monthly"]

    later = np.cumprod(prices.split[::-1], axis=0)[::-1]
    factor = np.vstack([later[1:], np.ones((1, later.shape[1]))])
    data = pd.DataFrame(prices.close / factor, index=pd.DatetimeIndex(prices.dates),
                        columns=list(prices.symbols))
    strategy = bt.Strategy("monthly", [bt.algos.RunMonthly(), bt.algos.SelectAll(),
                                       bt.algos.WeighSpecified(**WEIGHTS), bt.algos.Rebalance()])
    result = bt.run(bt.Backtest(strategy, data, initial_capital=1_000_000.0,
                                integer_positions=False, progress_bar=False))
    theirs = result.prices["monthly"].to_numpy()[-len(ours):] / 100.0 * 1_000_000.0
    assert len(ours) == len(prices.dates) > 3700
    assert np.max(np.abs(ours / theirs - 1.0)) < 1e-6
    assert ours[-1] / ours[0] > 2  # a real 15-year path, not a flat line
