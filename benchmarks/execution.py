"""Execution benchmark: 20,000 account-level trades through the store-backed execution path.

The book, imported through the engine's CSV import path (not timed): the raw closes of
2021-03-30 and 2021-03-31 of the Pooksoft S&P 500 tickers from ../shared/data; households of
two accounts at one of three custodians, each account funded and holding three instruments.
A rebalance run of five trades per account (two sells of held instruments, three buys, a few
in the same instrument so that netting matters) is stored with a compliance check approving
every account. Timed: :func:`ballast.engine.execute.execute` with the simulated broker — net,
blocks, orders persisted before they are sent, simulated fills, allocation and booking into
the ledger (each household's history replayed) — then the reconciliation of the book with the
broker's reports (``reconcile_seconds``, expected to find zero breaks).

Then ``--fix-orders`` orders (1,000) through the FIX adapter to the QuickFIX acceptor of the
test suite (tests/execution/fix_counterparty.py) on loopback, which fills each at once, twice:
one at a time, each submitted when the previous one's fill has arrived — its latency runs from
the submit call to the adapter receiving the fill (``fix_p50_ms``, ``fix_p99_ms``) — and then
all at once, submitted as fast as the adapter takes them: ``fix_orders_per_second`` is the
orders over the time from the first submit to the last fill, ``fix_burst_p50_ms`` their
median latency, queueing included. Every NewOrderSingle and execution report is journaled
before it is sent or acknowledged. Prints one JSON line. Target (issue 6): the 20,000
trades in at most 30 s.

    python benchmarks/execution.py [--accounts N] [--seed N] [--data DIR] [--fix-orders N]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
import threading
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np

from ballast.engine.execute import execute
from ballast.engine.imports import ImportKind, import_file
from ballast.engine.reconcile import reconcile
from ballast.engine.simulation import simulated_broker
from ballast.engine.workspace import open_store
from ballast.execution import Order, Side
from ballast.execution.fix import FixBroker, FixSettings
from ballast.execution.fix.messages import ExecReport
from ballast.store import AccountProposal, ProposedTrade, Store
from ballast.store.compliance import StoredDecision

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
DAYS = ("2021-03-30", "2021-03-31")
AS_OF = date(2021, 3, 31)
CUSTODIANS = ("Schwab", "Fidelity", "Pershing")
TRADES_PER_ACCOUNT = 5
ZERO = Decimal(0)


def load_closes(data: Path) -> dict[str, dict[str, str]]:
    """Raw closes on DAYS by ticker (those with both)."""
    pook = data / "pooksoft_sp500_daily_adjusted"
    if not pook.is_dir():
        sys.exit(f"benchmark data absent: need {pook} (see ../shared/data/MANIFEST.md)")
    out: dict[str, dict[str, str]] = {}
    for path in sorted(pook.glob("[!_]*.csv")):
        with path.open() as fh:
            got = {r["timestamp"]: r["close"] for r in csv.DictReader(fh)
                   if r["timestamp"] in DAYS}
        if len(got) == len(DAYS):
            out[path.stem] = got
    if len(out) < 50:
        sys.exit(f"benchmark data incomplete: only {len(out)} tickers with closes on {DAYS}")
    return out


def write_book(folder: Path, closes: dict[str, dict[str, str]], accounts: int,
               rng: random.Random) -> dict[str, list[str]]:
    """The CSV files of the book; returns each account's held instruments."""
    tickers = sorted(closes)
    rows = {
        "instruments": [["symbol", "kind", "currency", "name", "asset_class", "sector"]]
        + [[t, "equity", "USD", t, "us_equity", ""] for t in tickers],
        "prices": [["date", "symbol", "close"]]
        + [[d, t, closes[t][d]] for t in tickers for d in DAYS],
        "households": [["household_id", "name"]],
        "accounts": [["account_id", "household_id", "name", "type", "base_currency",
                      "custodian", "model", "lot_method"]],
        "transactions": [["id", "account_id", "date", "kind", "symbol", "quantity", "price",
                          "amount", "fees"]],
    }
    held: dict[str, list[str]] = {}
    for n in range(accounts):
        h, a = f"H{n // 2:05d}", f"A{n:05d}"
        if n % 2 == 0:
            rows["households"].append([h, f"household {h}"])
        rows["accounts"].append([a, h, a, "taxable", "USD", CUSTODIANS[(n // 2) % 3], "m",
                                 "fifo"])
        rows["transactions"].append([f"{a}-D", a, "2021-01-04", "deposit", "", "", "",
                                     "1000000.00", ""])
        held[a] = rng.sample(tickers, 3)
        for k, t in enumerate(held[a]):
            rows["transactions"].append([f"{a}-B{k}", a, DAYS[0], "buy", t, "100",
                                         closes[t][DAYS[0]], "", "1.00"])
    for name, table in rows.items():
        with (folder / f"{name}.csv").open("w", newline="") as fh:
            csv.writer(fh).writerows(table)
    return held


def store_run(store: Store, held: dict[str, list[str]], tickers: list[str],
              rng: random.Random) -> tuple[int, int]:
    """A run of five trades per account and a check approving them; (run id, trades)."""
    trades = []
    for a, mine in held.items():
        sells = [(t, "sell", rng.randint(1, 50)) for t in mine[:2]]
        buys = [(rng.choice(tickers), "buy", rng.randint(1, 50)) for _ in range(2)]
        buys.append((mine[0], "buy", rng.randint(1, 20)))  # nets against the first sell
        trades += [ProposedTrade(a, t, side, Decimal(q), ZERO, ZERO, ZERO, "bench", "", ZERO,
                                 ZERO, "benchmark", "USD", None, None)
                   for t, side, q in sells + buys]
    with store.transaction() as tx:
        run = tx.add_rebalance_run(AS_OF, "bench", "bench", [
            AccountProposal(a, "trade", "m", "v1", "", ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO)
            for a in held], trades)
        tx.add_check(run, ["bench:1"], [StoredDecision(a, True, "[]") for a in held], [])
    return run, len(trades)


class TimedFixBroker(FixBroker):
    """The FIX adapter, noting when each order's fill arrives (benchmark instrumentation)."""

    def __init__(self, settings: FixSettings) -> None:
        super().__init__(settings)
        self.filled_at: dict[str, float] = {}
        self.filled = threading.Event()

    def _on_report(self, report: ExecReport) -> None:
        super()._on_report(report)
        if report.ord_status == "2":
            self.filled_at.setdefault(report.cl_ord_id, time.perf_counter())
            self.filled.set()


def send_orders(broker: TimedFixBroker, prefix: str, orders: int, *, one_at_a_time: bool
                ) -> tuple[np.ndarray, float]:
    """Each order's latency in ms, and the seconds from the first submit to the last fill."""
    sent: dict[str, float] = {}
    for n in range(orders):
        order = Order(f"{prefix}-{n:06d}", "bench", "AAPL", Side.BUY, Decimal(n % 90 + 10))
        broker.filled.clear()
        sent[order.client_order_id] = time.perf_counter()
        broker.submit(order)
        while one_at_a_time and order.client_order_id not in broker.filled_at:
            if not broker.filled.wait(10):
                sys.exit(f"FIX benchmark: order {order.client_order_id} was not filled")
    end = time.perf_counter() + 60
    while any(k not in broker.filled_at for k in sent) and time.perf_counter() < end:
        time.sleep(0.01)
    if any(k not in broker.filled_at for k in sent):
        sys.exit(f"FIX benchmark: not every {prefix} order was filled within a minute")
    latency = np.array([broker.filled_at[k] - t for k, t in sent.items()]) * 1000
    return latency, max(broker.filled_at[k] for k in sent) - min(sent.values())


def run_fix(orders: int) -> dict[str, float | int]:
    """``orders`` market orders through the FIX adapter to the loopback acceptor, one at a
    time and then all at once."""
    sys.path.insert(0, str(ROOT / "tests"))
    from execution.fix_counterparty import Counterparty, adapter_settings

    with tempfile.TemporaryDirectory() as tmp, Counterparty(Path(tmp)) as broker_side:
        broker = TimedFixBroker(adapter_settings(broker_side, Path(tmp) / "ballast"))
        broker.connect()
        try:
            latency, _ = send_orders(broker, "ONE", orders, one_at_a_time=True)
            burst, span = send_orders(broker, "BURST", orders, one_at_a_time=False)
        finally:
            broker.disconnect()
    return {"fix_orders": orders, "fix_p50_ms": round(float(np.percentile(latency, 50)), 2),
            "fix_p99_ms": round(float(np.percentile(latency, 99)), 2),
            "fix_orders_per_second": round(orders / span),
            "fix_burst_p50_ms": round(float(np.percentile(burst, 50)), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=4_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--fix-orders", type=int, default=1_000)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    closes = load_closes(args.data)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        held = write_book(folder, closes, args.accounts, rng)
        store = open_store(f"sqlite:///{folder / 'bench.db'}")
        for kind in ("instruments", "prices", "households", "accounts", "transactions"):
            import_file(store, ImportKind(kind), folder / f"{kind}.csv", today=AS_OF)
        run, n_trades = store_run(store, held, sorted(closes), rng)
        broker, clock = simulated_broker(store, AS_OF)
        start = time.perf_counter()
        report = execute(store, run, broker, as_of=AS_OF, clock=clock)
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        rec = reconcile(store, broker, as_of=AS_OF)
        reconcile_seconds = time.perf_counter() - start
        store.close()
    fix = run_fix(args.fix_orders)
    print(json.dumps({
        "trades": n_trades, "accounts": args.accounts, "blocks": report.blocks,
        "orders": report.orders, "fills": report.fills, "booked": report.booked,
        "states": report.states, "seconds": round(seconds, 2),
        "trades_per_second": round(n_trades / seconds),
        "reconcile_seconds": round(reconcile_seconds, 2), "breaks": len(rec.breaks),
        **fix,
        "targets": {"seconds": 30},
    }))


if __name__ == "__main__":
    main()
