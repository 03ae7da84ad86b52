"""The backtester: ballast's own decision stages (rebalance triggers, trade sizing, harvesting,
the tax pass) and ledger (lots, wash sales, splits, dividends) run over price history for many
accounts and several policies side by side, with the simulated market's fill costs."""

from __future__ import annotations

from pathlib import Path

from ballast.config.backtest import BacktestSpec
from ballast.engine.backtest.market import PriceHistory, load_daily_adjusted, load_prices
from ballast.engine.backtest.results import BacktestResult, PolicySummary, summarize, write_results
from ballast.engine.backtest.simulate import Progress, simulate, universe


def run_backtest(spec: BacktestSpec, base: Path, *, prices: PriceHistory | None = None,
                 progress: Progress | None = None) -> BacktestResult:
    """Run ``spec`` (relative paths from ``base``; ``prices`` replaces the spec's file)."""
    u = universe(spec, base, prices)
    return summarize(spec.name, simulate(spec, u, progress), u.prices)


__all__ = ["BacktestResult", "PolicySummary", "PriceHistory", "load_daily_adjusted",
           "load_prices", "run_backtest", "write_results"]
