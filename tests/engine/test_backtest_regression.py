"""A regression backtest on the shipped sample: its results and the hash of its order list are
pinned. A change to the rebalancer, the harvester, the tax pass, the ledger or the fill model
that changes a decision changes them: check the change is meant, then update the pins."""

from __future__ import annotations

from pathlib import Path

import pytest

from ballast.config.backtest import BacktestSpec
from ballast.engine.backtest import run_backtest

BASE = Path(__file__).resolve().parents[2] / "src" / "ballast" / "sample" / "backtests"
SPEC = {
    "name": "regression", "start": "2019-01-02", "end": "2020-12-31", "seed": 3,
    "model_files": ["../models/balanced.yaml", "../models/growth.yaml"],
    "accounts": [{"name": "tax", "count": 2, "taxable": True, "models": ["balanced", "growth"],
                  "cash": [80_000, 300_000]},
                 {"name": "ira", "count": 1, "taxable": False, "models": ["growth"],
                  "cash": 120_000.0}],
    "costs": {"half_spread_bps": 2, "slippage_bps": 1, "commission_per_share": 0.005,
              "commission_minimum": 1},
    "policies": [{"name": "monthly", "kind": "calendar", "calendar": "monthly"},
                 {"name": "bands_harvest", "kind": "bands", "harvest": True}],
}
PINNED = {
    "monthly": (194, 546075.05,
                "b2490836c4f3dff119cdf70068d8c1750229f746d4ee456482154e3677181f28"),
    "bands_harvest": (232, 546180.13,
                      "380b3a1fe475a446f3b925cd5fa5fd3e7c185b44a857b71a558c10c9978481c7"),
}


def test_regression_backtest_is_pinned() -> None:
    result = run_backtest(BacktestSpec.model_validate(SPEC), BASE)
    got = {s.policy: (s.trades, round(s.end_value, 2), s.order_hash) for s in result.summaries}
    for policy, (trades, end_value, order_hash) in PINNED.items():
        assert got[policy][0] == trades, got
        assert got[policy][1] == pytest.approx(end_value, abs=0.005), got
        assert got[policy][2] == order_hash, got
