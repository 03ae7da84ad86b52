"""Reports benchmark (issue 7): daily time-weighted returns of 10,000 accounts over 5 years.

TWR half (:func:`measure_twr`): real daily closes (the Pooksoft S&P 500 adjusted closes of
../shared/data, the last ``years`` × 252 sessions; the shipped sample prices when it is absent)
and a synthetic book built on them, not timed: each account is funded on the first day and buys
eight instruments at the real close, gets a deposit or a withdrawal every month and switches part
of one holding into another every quarter at the real closes, and pays a quarterly fee. Timed:
:func:`ballast.ledger.valuation_series.nav_arrays` — the vectorized NAV the engine values every
scope with (segmented cumulative sums of the booked changes × closes, flows and fees per day) —
then the daily returns and their geometric link for every account
(:func:`ballast.analytics.nav_returns.nav_daily_returns`). ``twr_check_max_diff`` compares the
values of 20 sampled accounts with a plain loop over their changes (slow and obviously right).
Target: ``twr_seconds`` at most 10 (``twr_cpu_seconds`` tells a busy machine from a slow run).

Statements half (:func:`measure_statements`): the demo book (``--statement-households``
households of the shipped sample) is built, not timed; the 2020Q1 statements of its first
eight accounts are assembled from the book (``statement_build_seconds``: mean seconds of one
assembly, dominated by the performance measurement), then 1,000 account statements (cycling
through those eight) are rendered to PDF and written to disk by two worker processes, timed:
``statements_per_second``, with the workers' ``statements_cpu_seconds`` (on a busy machine
the wall time overstates the cost). Target: at least 10.

Each half is one ``measure_*() -> dict`` function; :func:`main` merges them and prints one JSON
line with ``peak_rss_mb``.

    python benchmarks/reports.py [--accounts N] [--years N] [--seed N] [--data DIR]
                                 [--statements N] [--statement-households N]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import resource
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ballast.analytics.nav_returns import nav_daily_returns
from ballast.engine.demo import load_demo
from ballast.engine.period import parse_period
from ballast.engine.statements import build_statement
from ballast.engine.workspace import open_store
from ballast.ledger.valuation_series import Changes, nav_arrays
from ballast.reporting import Statement, render_statement_pdf

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SAMPLE = ROOT / "src" / "ballast" / "sample" / "prices.csv.gz"
HOLDINGS = 8
FloatArray = npt.NDArray[np.float64]


def load_prices(data: Path, sessions: int) -> tuple[str, FloatArray]:
    """(source, closes [T, N]) of the tickers priced on each of the last ``sessions`` days."""
    pook = data / "pooksoft_sp500_daily_adjusted"
    series: dict[str, dict[str, float]] = {}
    if pook.is_dir():
        source = "pooksoft adjusted closes"
        for path in sorted(pook.glob("[!_]*.csv")):
            with path.open() as fh:
                series[path.stem] = {r["timestamp"]: float(r["adjusted_close"])
                                     for r in csv.DictReader(fh)}
    else:
        source = "shipped sample closes"
        with gzip.open(SAMPLE, "rt") as fh:
            for r in csv.DictReader(fh):
                series.setdefault(r["symbol"], {})[r["date"]] = float(r["close"])
    days = sorted({d for s in series.values() for d in s})[-sessions:]
    full = [s for s in series.values() if all(d in s for d in days)]
    return source, np.array([[s[d] for s in full] for d in days])


def synthetic_book(close: FloatArray, accounts: int, seed: int) -> dict[str, Changes]:
    """The changes of the synthetic book (see the module docstring) as columnar rows."""
    rng = np.random.default_rng(seed)
    n_days, n_inst = close.shape
    a = np.arange(accounts)
    held = np.argsort(rng.random((accounts, n_inst)), axis=1)[:, :HOLDINGS]
    deposit = rng.uniform(20_000, 2_000_000, accounts)
    # Day 0: deposit, buy the holdings with 97% of it.
    spend = deposit[:, None] * rng.dirichlet(np.ones(HOLDINGS), accounts) * 0.97
    qty0 = np.floor(spend / close[0, held])
    pos = [(np.repeat(a, HOLDINGS), held.ravel(), np.zeros(accounts * HOLDINGS), qty0.ravel())]
    cash = [(a, np.zeros(accounts), np.zeros(accounts), deposit),
            (np.repeat(a, HOLDINGS), np.zeros(accounts * HOLDINGS), np.zeros(accounts * HOLDINGS),
             -(qty0 * close[0, held]).ravel())]
    flows, fees = [], []
    for day in range(21, n_days, 21):  # monthly: deposit or withdraw 0–3% of the funding
        amount = deposit * rng.uniform(-0.03, 0.03, accounts)
        cash.append((a, np.zeros(accounts), np.full(accounts, day), amount))
        flows.append((a, np.zeros(accounts), np.full(accounts, day - 1), amount))
    for day in range(63, n_days, 63):  # quarterly: switch half of one holding; pay a fee
        k = rng.integers(0, HOLDINGS, accounts)
        src, dst = held[a, k], held[a, (k + 1) % HOLDINGS]
        sold = np.floor(qty0[a, k] / 2)
        bought = np.floor(sold * close[day, src] / close[day, dst])
        pos += [(a, src, np.full(accounts, day), -sold), (a, dst, np.full(accounts, day), bought)]
        fee = deposit * 0.0025
        cash.append((a, np.zeros(accounts), np.full(accounts, day),
                     sold * close[day, src] - bought * close[day, dst] - fee))
        fees.append((a, np.zeros(accounts), np.full(accounts, day - 1), fee))

    def table(parts: list[tuple[Any, ...]]) -> Changes:
        return Changes.of(*(np.concatenate([p[i] for p in parts]) for i in range(4)))

    none = Changes.of([], [], [], [])
    return {"positions": table(pos), "cash": table(cash), "cash_flows": table(flows),
            "unit_flows": none, "fees": table(fees)}


def reference_values(book: dict[str, Changes], close: FloatArray, account: int) -> FloatArray:
    """One account's value at each close by a plain loop over its changes."""
    rows = [(c.day[k], name, c.item[k], c.amount[k])
            for name in ("positions", "cash") for c in [book[name]]
            for k in np.flatnonzero(c.account == account)]
    value = np.zeros(close.shape[0])
    for t in range(close.shape[0]):
        value[t] = sum(amount * (close[t, item] if name == "positions" else 1.0)
                       for day, name, item, amount in rows if day <= t)
    return value


def measure_twr(accounts: int = 10_000, years: int = 5, seed: int = 7,
                data: Path = DATA) -> dict[str, Any]:
    """The TWR half: the figures ``twr_*``."""
    source, close = load_prices(data, years * 252 + 1)
    book = synthetic_book(close, accounts, seed)
    rates = np.ones((close.shape[0], 1))
    started, cpu = time.perf_counter(), time.process_time()
    nav = nav_arrays(book["positions"], book["cash"], book["cash_flows"], book["unit_flows"],
                     book["fees"], close, rates, accounts)
    daily = nav_daily_returns(nav.value, nav.flows)
    twr = np.prod(1.0 + daily, axis=0) - 1.0
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    sample = np.random.default_rng(seed).choice(accounts, size=min(20, accounts), replace=False)
    diff = max(float(np.max(np.abs(reference_values(book, close, int(k)) - nav.value[:, k])))
               for k in sample)
    return {"twr_accounts": accounts, "twr_days": int(close.shape[0] - 1),
            "twr_instruments": int(close.shape[1]), "twr_changes": int(
                sum(len(c.amount) for c in book.values())),
            "twr_seconds": round(seconds, 3), "twr_cpu_seconds": round(cpu, 3),
            "twr_median": round(float(np.median(twr)), 6),
            "twr_check_max_diff": diff, "twr_prices": source}


def _render(job: tuple[Sequence[Statement], Path]) -> int:
    """Render and write a chunk of statements; returns the pages written."""
    statements, folder = job
    pages = 0
    for k, s in enumerate(statements):
        data = render_statement_pdf(s)
        (folder / f"{s.file_stem}-{k}.pdf").write_bytes(data)
        pages += len(re.findall(rb"/Type /Page[^s]", data))
    return pages


def _children_cpu() -> float:
    """CPU seconds used by the finished child processes (the render workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure_statements(statements: int = 1_000, households: int = 4, build: int = 8,
                       workers: int = 2) -> dict[str, Any]:
    """The statements half: the figures ``statements*``."""
    period = parse_period("2020Q1", today=date(2021, 3, 31))
    with tempfile.TemporaryDirectory(prefix="ballast-bench-") as tmp:
        folder = Path(tmp)
        store = open_store(f"sqlite:///{folder / 'book.db'}")
        load_demo(store, households=households)
        with store.transaction() as tx:
            accounts = sorted(tx.accounts())[:build]
        started = time.perf_counter()
        models = [build_statement(store, period, account=a, firm="Benchmark Advisors")
                  for a in accounts]
        build_seconds = (time.perf_counter() - started) / len(models)
        store.close()
        todo = [models[k % len(models)] for k in range(statements)]
        chunk = -(-statements // (workers * 4))
        out = folder / "rendered"
        out.mkdir()
        started, cpu = time.perf_counter(), _children_cpu()
        with ProcessPoolExecutor(max_workers=workers) as pool:
            pages = sum(pool.map(_render, [(todo[i:i + chunk], out)
                                           for i in range(0, statements, chunk)]))
        seconds, cpu = time.perf_counter() - started, _children_cpu() - cpu
        written = len(list(out.glob("*.pdf")))
    return {"statements": written, "statements_seconds": round(seconds, 3),
            "statements_cpu_seconds": round(cpu, 3),
            "statements_per_second": round(written / seconds, 1),
            "statement_pages_mean": round(pages / written, 2), "statement_workers": workers,
            "statement_build_accounts": len(models),
            "statement_build_seconds": round(build_seconds, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--statements", type=int, default=1_000)
    parser.add_argument("--statement-households", type=int, default=4)
    args = parser.parse_args()
    halves: list[Callable[[], dict[str, Any]]] = [
        lambda: measure_twr(args.accounts, args.years, args.seed, args.data),
        lambda: measure_statements(args.statements, args.statement_households),
    ]
    result: dict[str, Any] = {}
    for half in halves:
        result.update(half())
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
