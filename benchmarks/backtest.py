"""Backtest benchmark on real data (../shared/data, Pooksoft S&P 500 daily: raw closes,
dividends, splits): 1,000 accounts (70% taxable, four models, cash drawn from $50k to $2M)
over 15 years of sessions with daily drift checks and tax-loss harvesting; then one account
rebalanced monthly with no costs against bt on the same data (split-adjusted closes, no
dividends, fractional shares), timing both. Prints one JSON line.

Targets: the 1,000-account run in at most 300 s; ``ratio_vs_bt`` (ballast's time for the
single account over bt's) at most 1.0. ``seconds`` is wall time and ``cpu_seconds`` the
process's CPU time (what the run costs when other work shares the cores); the single-account
times are CPU times, so the ratio holds on a busy machine too.

Usage: python benchmarks/backtest.py [--accounts N] [--years Y]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ballast.config.backtest import BacktestSpec
from ballast.engine.backtest import PriceHistory, load_daily_adjusted, run_backtest

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "pooksoft_sp500_daily_adjusted"

SLEEVES = {
    "technology": ["AAPL", "MSFT", "ORCL", "CSCO"],
    "health_care": ["JNJ", "PFE", "MRK", "ABT"],
    "financials": ["JPM", "BAC", "WFC", "USB"],
    "staples": ["PG", "KO", "PEP", "CL"],
    "energy": ["XOM", "CVX", "COP", "SLB"],
    "industrials": ["HON", "MMM", "CAT", "GE"],
    "consumer": ["HD", "LOW", "MCD", "WMT"],
    "utilities": ["DUK", "SO", "AEP", "D"],
}
MODELS = {
    "growth": {"technology": 0.30, "consumer": 0.20, "health_care": 0.15, "financials": 0.15,
               "industrials": 0.15},
    "balanced": {"technology": 0.15, "health_care": 0.15, "financials": 0.15, "staples": 0.15,
                 "energy": 0.10, "industrials": 0.10, "consumer": 0.10, "utilities": 0.05},
    "income": {"staples": 0.25, "utilities": 0.25, "health_care": 0.20, "energy": 0.15,
               "financials": 0.10},
    "cyclical": {"energy": 0.25, "industrials": 0.25, "financials": 0.25, "consumer": 0.20},
}
BT_WEIGHTS = {"AAPL": 0.2, "JNJ": 0.2, "XOM": 0.2, "JPM": 0.2, "KO": 0.2}


def _model(name: str, targets: dict[str, float]) -> dict[str, object]:
    return {"name": name, "cash": {"target": 0.05, "minimum": 0.01},
            "bands": {"absolute": 0.05},
            "sleeves": [{"name": s, "target": w, "instruments": SLEEVES[s]}
                        for s, w in targets.items()]}


def many_accounts_spec(accounts: int, start: date, end: date) -> BacktestSpec:
    """The benchmark's spec: bands with harvesting, daily, for ``accounts`` accounts."""
    taxable = round(accounts * 0.7)
    groups = [{"name": "taxable", "count": taxable, "taxable": True, "models": list(MODELS),
               "cash": [50_000, 2_000_000]}]
    if accounts > taxable:
        groups.append({"name": "ira", "count": accounts - taxable, "taxable": False,
                       "models": list(MODELS), "cash": [50_000, 2_000_000]})
    return BacktestSpec.model_validate({
        "name": "benchmark", "start": start, "end": end,
        "models": [_model(k, v) for k, v in MODELS.items()], "accounts": groups,
        "costs": {"half_spread_bps": 2, "commission_per_share": 0.005,
                  "commission_minimum": 1},
        "rebalance": {"total_drift_limit": 0.25},
        "policies": [{"name": "bands_harvest", "kind": "bands", "harvest": True}]})


def single_account_spec(start: date, end: date) -> BacktestSpec:
    """One tax-deferred account, monthly to fixed weights, no costs, no dividends."""
    return BacktestSpec.model_validate({
        "name": "vs-bt", "start": start, "end": end, "fractional": True, "dividends": False,
        "models": [{"name": "fixed", "targets": [{"instrument": s, "target": w}
                                                  for s, w in BT_WEIGHTS.items()]}],
        "accounts": [{"name": "one", "count": 1, "taxable": False, "models": ["fixed"],
                      "cash": 1_000_000.0}],
        "costs": {"half_spread_bps": 0},
        "rebalance": {"min_trade_value": 0, "costs": {"half_spread_bps": 0}},
        "policies": [{"name": "monthly", "kind": "calendar", "calendar": "monthly"}]})


def split_adjusted(prices: PriceHistory) -> pd.DataFrame:
    """Closes divided by every later split's ratio: what bt needs to see no jump."""
    later = np.cumprod(prices.split[::-1], axis=0)[::-1]
    factor = np.vstack([later[1:], np.ones((1, later.shape[1]))])
    return pd.DataFrame(prices.close / factor, index=pd.DatetimeIndex(prices.dates),
                        columns=list(prices.symbols))


def run_bt(prices: PriceHistory, capital: float) -> pd.Series:
    """bt's NAV of a monthly rebalance to BT_WEIGHTS with fractional positions."""
    import bt

    data = split_adjusted(prices)
    strategy = bt.Strategy("monthly", [bt.algos.RunMonthly(), bt.algos.SelectAll(),
                                       bt.algos.WeighSpecified(**BT_WEIGHTS),
                                       bt.algos.Rebalance()])
    test = bt.Backtest(strategy, data, initial_capital=capital, integer_positions=False,
                       progress_bar=False)
    res = bt.run(test)
    return res.prices["monthly"] / 100.0 * capital  # bt rebases prices to 100


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--years", type=int, default=15)
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"no data at {DATA}")
    start, end = date(2006, 1, 1), date(2006 + args.years - 1, 12, 31)
    symbols = sorted({s for v in SLEEVES.values() for s in v})
    prices = load_daily_adjusted(DATA, symbols).window(start, end)
    base = Path(".")

    t0, c0 = time.perf_counter(), time.process_time()
    result = run_backtest(many_accounts_spec(args.accounts, start, end), base, prices=prices)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    s = result.summaries[0]

    single_prices = prices.window(None, None, sorted(BT_WEIGHTS))
    c0 = time.process_time()
    single = run_backtest(single_account_spec(start, end), base, prices=single_prices)
    ballast_single = time.process_time() - c0
    c0 = time.process_time()
    bt_nav = run_bt(single_prices, 1_000_000.0)
    bt_seconds = time.process_time() - c0
    ours = single.nav["monthly"]
    theirs = bt_nav.to_numpy()[-len(ours):]
    print(json.dumps({
        "accounts": args.accounts, "years": args.years, "sessions": len(prices.dates),
        "seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "trades": s.trades, "harvested_losses": round(s.harvested_losses, 2),
        "taxes_paid": round(s.taxes_paid, 2), "bt_seconds": round(bt_seconds, 3),
        "ballast_seconds_single": round(ballast_single, 3),
        "ratio_vs_bt": round(ballast_single / bt_seconds, 3),
        "max_rel_diff_vs_bt": float(np.max(np.abs(ours / theirs - 1.0))),
    }))


if __name__ == "__main__":
    main()
