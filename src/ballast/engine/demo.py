"""The demo: a fresh SQLite book built from real market data shipped with ballast."""

from __future__ import annotations

import csv
import gzip
import shutil
import tempfile
import time
from pathlib import Path

from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ballast.config import ValidationPolicy
from ballast.engine.imports import ImportKind, import_file
from ballast.engine.queries import book_summary
from ballast.engine.rows import BookSummary
from ballast.engine.workspace import open_store
from ballast.sample import generate_book, sample_instruments_path, sample_prices_path

# The sample spans March 2020, when real closes fell by half in a day (OXY -50.5% on
# 2020-03-09): the demo accepts moves up to 60% instead of the default 25%.
DEMO_POLICY = ValidationPolicy(max_daily_move=0.6)


def corporate_actions_from_prices(prices_csv: Path, out: Path) -> int:
    """Write the splits and cash dividends recorded in a price file as a corporate-actions file.

    The vendor's price file marks each split (split_factor) and dividend (dividend per share)
    on its ex-date; the book needs them as corporate actions to adjust lots and credit cash.
    """
    count = 0
    with prices_csv.open(newline="") as src, out.open("w", newline="") as dst:
        w = csv.writer(dst)
        w.writerow(["id", "symbol", "kind", "ex_date", "ratio", "amount", "currency",
                    "new_symbol", "pay_date"])
        for row in csv.DictReader(src):
            sym, day = row["symbol"], row["date"]
            if row.get("split_factor") and row["split_factor"] not in ("1", "1.0", "1.000"):
                w.writerow([f"SPLIT-{sym}-{day}", sym, "split", day, row["split_factor"], "",
                            "USD", "", ""])
                count += 1
            if row.get("dividend") and float(row["dividend"]) > 0:
                w.writerow([f"DIV-{sym}-{day}", sym, "cash_dividend", day, "", row["dividend"],
                            "USD", "", ""])
                count += 1
    return count


def run_demo(path: Path, *, households: int = 60, progress: bool = True) -> BookSummary:
    """Build a fresh demo book at ``path`` (SQLite) and summarize it."""
    started = time.perf_counter()
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = open_store(f"sqlite:///{path}")
    with tempfile.TemporaryDirectory(prefix="ballast-demo-") as tmp, Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
        transient=True, disable=not progress,
    ) as bar:
        folder = Path(tmp)
        task = bar.add_task("unpacking the sample market data", total=None)
        prices = folder / "prices.csv"
        with gzip.open(sample_prices_path(), "rb") as src, prices.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        instruments = folder / "instruments.csv"
        shutil.copyfile(sample_instruments_path(), instruments)
        actions = folder / "corporate_actions.csv"
        corporate_actions_from_prices(prices, actions)
        bar.update(task, description="generating the sample households and trades")
        files = generate_book(folder / "book", households=households)
        steps = [
            (ImportKind.INSTRUMENTS, instruments),
            (ImportKind.PRICES, prices),
            (ImportKind.CORPORATE_ACTIONS, actions),
            (ImportKind.HOUSEHOLDS, files.households),
            (ImportKind.ACCOUNTS, files.accounts),
            (ImportKind.TRANSACTIONS, files.transactions),
        ]
        for kind, file in steps:
            bar.update(task, description=f"importing {kind.value}")
            import_file(store, kind, file, policy=DEMO_POLICY)
        bar.update(task, description="valuing every account")
        summary = book_summary(store, seconds=time.perf_counter() - started)
    store.close()
    return summary
