"""Ledger benchmark: book 1,000,000 synthetic transactions over 10,000 accounts, then value all.

End to end, as a user would: CSV files are parsed, validated, booked into the tax-lot ledger and
persisted to a fresh SQLite file in one import; then every account is valued as of a date.
Prints one JSON line. Targets (issue 2): >= 25,000 transactions/s, snapshot <= 2 s.

    python benchmarks/ledger.py [--transactions N] [--accounts N] [--instruments N] [--seed N]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import exchange_calendars as xcals

from ballast.engine import imports, queries
from ballast.engine.imports import ImportKind
from ballast.engine.workspace import open_store

TXN_HEADER = [
    "id", "account_id", "date", "kind", "symbol", "quantity", "price", "amount", "currency",
    "fees", "ratio", "new_symbol", "lots", "lot_method", "reinvest", "to_currency", "to_amount",
    "counter_account", "settle_date", "memo",
]


def _sessions(start: date, end: date) -> list[date]:
    cal = xcals.get_calendar("XNYS")
    return [d.date() for d in cal.sessions_in_range(start.isoformat(), end.isoformat())]


def write_universe(folder: Path, n_instruments: int, sessions: list[date], rng: random.Random
                   ) -> dict[str, list[float]]:
    """Instruments and a random-walk close for each on every session."""
    symbols = [f"S{i:03d}" for i in range(n_instruments)]
    with (folder / "instruments.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["symbol", "kind", "currency", "name", "asset_class", "sector"])
        for i, s in enumerate(symbols):
            w.writerow([s, "equity" if i % 5 else "etf", "USD", f"Synthetic {s}", "us_equity",
                        f"sector{i % 11}"])
    closes: dict[str, list[float]] = {}
    with (folder / "prices.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["date", "symbol", "close"])
        for s in symbols:
            p = rng.uniform(20, 400)
            series = []
            for _ in sessions:
                p *= 1 + rng.gauss(0.0003, 0.015)
                series.append(round(p, 2))
            closes[s] = series
        for d_idx, d in enumerate(sessions):
            for s in symbols:
                w.writerow([d.isoformat(), s, f"{closes[s][d_idx]:.2f}"])
    return closes


def write_book(folder: Path, n_accounts: int, n_txns: int, sessions: list[date],
               closes: dict[str, list[float]], rng: random.Random) -> None:
    """Households, accounts and a realistic mix of transactions (never oversold or overdrawn)."""
    symbols = list(closes)
    n_households = n_accounts // 2
    with (folder / "households.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["household_id", "name"])
        for h in range(n_households):
            w.writerow([f"H{h:05d}", f"Household {h}"])
    types = ["taxable", "tax_deferred", "tax_exempt"]
    with (folder / "accounts.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["account_id", "household_id", "name", "type", "lot_method"])
        for a in range(n_accounts):
            t = types[0] if a % 2 == 0 else types[1 + (a // 2) % 2]
            w.writerow([f"A{a:06d}", f"H{a // 2:05d}", f"Account {a}", t,
                        "min_tax" if t == "taxable" else "fifo"])
    per_account = n_txns // n_accounts
    rows: list[tuple[str, ...]] = []
    for a in range(n_accounts):
        acct = f"A{a:06d}"
        cash = 0.0
        held: dict[str, int] = {}
        day_idx = sorted(rng.sample(range(len(sessions)), per_account))
        for k, d_i in enumerate(day_idx):
            d = sessions[d_i].isoformat()
            tid = f"{acct}-{k}"
            roll = rng.random()
            if k == 0 or (roll < 0.05):
                amt = rng.choice((5000, 10000, 25000, 50000))
                cash += amt
                rows.append((tid, acct, d, "deposit", "", "", "", f"{amt}.00"))
            elif roll < 0.62 and cash > 500:
                s = rng.choice(symbols)
                px = closes[s][d_i]
                qty = int(min(cash * rng.uniform(0.05, 0.3), cash - 10) // px)
                if qty <= 0:
                    rows.append((tid, acct, d, "interest", "", "", "", "1.25"))
                    cash += 1.25
                    continue
                cash -= qty * px + 1
                held[s] = held.get(s, 0) + qty
                rows.append((tid, acct, d, "buy", s, str(qty), f"{px:.2f}", "", "", "1.00"))
            elif roll < 0.85 and held:
                s = rng.choice(sorted(held))
                qty = max(1, held[s] // rng.choice((1, 2, 3)))
                px = closes[s][d_i]
                held[s] -= qty
                if held[s] == 0:
                    del held[s]
                cash += qty * px - 1
                rows.append((tid, acct, d, "sell", s, str(qty), f"{px:.2f}", "", "", "1.00"))
            elif roll < 0.93 and held:
                s = rng.choice(sorted(held))
                amt = round(held[s] * 0.25, 2) or 0.01
                cash += amt
                rows.append((tid, acct, d, "dividend", s, "", "", f"{amt:.2f}"))
            elif cash > 100:
                amt = round(min(cash * 0.1, 2500), 2)
                cash -= amt
                kind = "fee" if roll < 0.97 else "withdrawal"
                rows.append((tid, acct, d, kind, "", "", "", f"{amt:.2f}"))
            else:
                cash += 1.25
                rows.append((tid, acct, d, "interest", "", "", "", "1.25"))
    with (folder / "transactions.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(TXN_HEADER)
        width = len(TXN_HEADER)
        w.writerows(r + ("",) * (width - len(r)) for r in rows)


def write_daily(folder: Path, n_accounts: int, day: date) -> Path:
    """The next day's custodian file: one interest credit per account (touches every household,
    so the whole book is replayed)."""
    path = folder / "daily.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(TXN_HEADER[:8])
        for a in range(n_accounts):
            w.writerow([f"D-{a:06d}", f"A{a:06d}", day.isoformat(), "interest", "", "", "", "0.42"])
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--transactions", type=int, default=1_000_000)
    ap.add_argument("--accounts", type=int, default=10_000)
    ap.add_argument("--instruments", type=int, default=200)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    sessions = _sessions(date(2019, 1, 2), date(2020, 12, 31))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        closes = write_universe(folder, args.instruments, sessions, rng)
        write_book(folder, args.accounts, args.transactions, sessions, closes, rng)
        gen_seconds = time.perf_counter() - t0
        store = open_store(f"sqlite:///{folder / 'bench.db'}")
        for kind in (ImportKind.INSTRUMENTS, ImportKind.HOUSEHOLDS, ImportKind.ACCOUNTS,
                     ImportKind.PRICES):
            imports.import_file(store, kind, folder / f"{kind.value}.csv", progress=False,
                                today=sessions[-1] + timedelta(days=1))
        t0 = time.perf_counter()
        report = imports.import_file(store, ImportKind.TRANSACTIONS, folder / "transactions.csv",
                                     progress=False, today=sessions[-1] + timedelta(days=1))
        seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        snap = queries.snapshot(store, as_of=sessions[-1])
        snapshot_seconds = time.perf_counter() - t0
        daily = write_daily(folder, args.accounts, sessions[-1] + timedelta(days=1))
        t0 = time.perf_counter()
        incremental = imports.import_file(store, ImportKind.TRANSACTIONS, daily, progress=False,
                                          today=sessions[-1] + timedelta(days=2))
        incremental_seconds = time.perf_counter() - t0
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({
            "benchmark": "ledger",
            "transactions": report.written,
            "accounts": len(snap.accounts),
            "seconds": round(seconds, 3),
            "transactions_per_second": round(report.written / seconds),
            "target_transactions_per_second": 25_000,
            "snapshot_seconds": round(snapshot_seconds, 3),
            "target_snapshot_seconds": 2.0,
            "aum": round(float(snap.account_value.sum()), 2),
            "incremental_transactions": incremental.written,
            "incremental_seconds": round(incremental_seconds, 3),
            "generate_seconds": round(gen_seconds, 1),
            "peak_rss_mb": round(peak_rss_mb, 1),
        }))


if __name__ == "__main__":
    main()
