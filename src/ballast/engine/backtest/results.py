"""What a backtest reports per policy, and the files it writes.

Per policy, over the sum of its accounts: the NAV and after-tax (liquidation) value series,
annualized return (pre- and after-tax), volatility, maximum drawdown, annual one-way turnover
(after the first session's investment),
realized gains (short- and long-term, as reported: wash-sale disallowances included), losses
harvested, wash-sale losses disallowed, taxes paid, fill costs, the mean tracking error of an
account against its model's ideal (rebalanced daily, no costs, dividends reinvested), and the
stress windows the dates cover; and the SHA-256 of every fill in order (date, account,
instrument, side, units, price), which pins a run's decisions in a regression test.
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import numpy as np

from ballast.analytics.risk import max_drawdown, tracking_error
from ballast.analytics.statistics import annualized_return, annualized_volatility
from ballast.analytics.stress import HISTORICAL_WINDOWS, historical_replay
from ballast.engine.backtest.market import PriceHistory
from ballast.engine.backtest.simulate import PolicyRun
from ballast.ledger.snapshot import FloatArray
from ballast.rebalance import ModelTargets


@dataclass(frozen=True)
class StressResult:
    """The policy's fall over a historical window (peak to trough of the market)."""

    name: str
    start: str
    end: str
    loss: float
    worst_drawdown: float


@dataclass(frozen=True)
class PolicySummary:
    """One policy's figures (money in the accounts' currency, summed over accounts)."""

    policy: str
    accounts: int
    start_value: float
    end_value: float
    end_after_tax: float
    annualized_return: float
    annualized_after_tax: float
    volatility: float
    max_drawdown: float
    turnover: float
    trades: int
    buys_cut_for_cash: int
    compliance_denied: int
    compliance_fixed: int
    realized_short_term: float
    realized_long_term: float
    harvested_losses: float
    wash_sale_disallowed: float
    taxes_paid: float
    costs: float
    tracking_error: float
    stress: tuple[StressResult, ...]
    order_hash: str


@dataclass(frozen=True)
class BacktestResult:
    """Every policy's summary and series, and the per-account figures."""

    name: str
    dates: tuple[date, ...]
    summaries: tuple[PolicySummary, ...]
    nav: dict[str, FloatArray]
    after_tax: dict[str, FloatArray]
    accounts: list[dict[str, object]]


def ideal_returns(prices: PriceHistory, models: tuple[ModelTargets, ...]) -> FloatArray:
    """[T, models] daily returns of each model held at its targets every day: each sleeve in
    its first instrument, total return, cash earning nothing."""
    r = prices.total_return()
    out = np.zeros((len(prices.dates), len(models)))
    for k, md in enumerate(models):
        first = np.array([int(np.flatnonzero((md.member == s) & (md.preference == 0))[0])
                          for s in range(len(md.sleeve_names))], dtype=np.int64)
        out[:, k] = r[:, first] @ md.target
    return out


def _stress(dates: tuple[date, ...], nav: FloatArray) -> tuple[StressResult, ...]:
    out = []
    for s in historical_replay(np.array(dates, dtype="datetime64[D]"), nav[:, None], [1.0]):
        if s.covered and s.loss_fraction is not None and s.worst_drawdown is not None:
            w = next(w for w in HISTORICAL_WINDOWS if w.name == s.name)
            out.append(StressResult(s.name, str(w.start), str(w.end), s.loss_fraction,
                                    s.worst_drawdown))
    return tuple(out)


def summarize(name: str, runs: list[PolicyRun], prices: PriceHistory) -> BacktestResult:
    """The result of a finished simulation."""
    ideal = ideal_returns(prices, runs[0].setup.models)
    years = max((prices.dates[-1] - prices.dates[0]).days / 365.25, 1 / 365.25)
    summaries, rows = [], []
    navs, after = {}, {}
    for run in runs:
        st, n = run.state, len(run.state.accounts)
        total, total_at = run.nav.sum(axis=1), run.after_tax.sum(axis=1)
        navs[run.spec.name], after[run.spec.name] = total, total_at
        r = total[1:] / total[:-1] - 1.0
        ra = total_at[1:] / total_at[:-1] - 1.0
        short, long_, harvested, washed = (np.zeros(n) for _ in range(4))
        for a, acct in enumerate(st.accounts):
            for g in st.book.realized(acct.id):
                gain = float(g.reportable_gain)
                if g.term == "short":
                    short[a] += gain
                else:
                    long_[a] += gain
                washed[a] += float(g.wash_sale_disallowed)
                if g.transaction_id in run.tally.harvest_txns and g.gain < 0:
                    harvested[a] -= float(g.gain)
        acct_r = run.nav[1:] / run.nav[:-1] - 1.0
        te = np.array([tracking_error(acct_r[:, a], ideal[1:, int(run.setup.model_of[a])])
                       for a in range(n)])
        mean_nav = float(total.mean())
        summaries.append(PolicySummary(
            run.spec.name, n, float(total[0]), float(total[-1]), float(total_at[-1]),
            annualized_return(r), annualized_return(ra), annualized_volatility(r),
            max_drawdown(total).depth, float(run.tally.traded.sum()) / 2 / mean_nav / years,
            run.tally.trades, run.tally.cut, run.denied, run.fixed, float(short.sum()),
            float(long_.sum()),
            float(harvested.sum()), float(washed.sum()), float(run.taxes.sum()),
            float(run.tally.costs.sum()), float(te.mean()), _stress(prices.dates, total),
            run.tally.orders.hexdigest()))
        for a, acct in enumerate(st.accounts):
            rows.append({
                "policy": run.spec.name, "account": acct.id, "model": acct.model,
                "taxable": acct.taxable, "start_value": round(float(run.nav[0, a]), 2),
                "end_value": round(float(run.nav[-1, a]), 2),
                "end_after_tax": round(float(run.after_tax[-1, a]), 2),
                "traded": round(float(run.tally.traded[a]), 2),
                "realized_short_term": round(float(short[a]), 2),
                "realized_long_term": round(float(long_[a]), 2),
                "harvested_losses": round(float(harvested[a]), 2),
                "wash_sale_disallowed": round(float(washed[a]), 2),
                "taxes_paid": round(float(run.taxes[a]), 2),
                "costs": round(float(run.tally.costs[a]), 2),
                "tracking_error": round(float(te[a]), 6)})
    return BacktestResult(name, prices.dates, tuple(summaries), navs, after, rows)


def write_results(result: BacktestResult, out: Path) -> list[Path]:
    """``nav.csv`` and ``after_tax.csv`` (a column per policy), ``accounts.csv`` and
    ``summary.json`` under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for stem, series in (("nav", result.nav), ("after_tax", result.after_tax)):
        path = out / f"{stem}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["date", *series])
            for t, d in enumerate(result.dates):
                w.writerow([d.isoformat(), *(f"{v[t]:.2f}" for v in series.values())])
        paths.append(path)
    path = out / "accounts.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        dw = csv.DictWriter(f, fieldnames=list(result.accounts[0]))
        dw.writeheader()
        dw.writerows(result.accounts)
    paths.append(path)
    path = out / "summary.json"
    path.write_text(json.dumps({
        "name": result.name, "start": result.dates[0].isoformat(),
        "end": result.dates[-1].isoformat(), "sessions": len(result.dates),
        "policies": [asdict(s) for s in result.summaries]}, indent=2), encoding="utf-8")
    paths.append(path)
    return paths
