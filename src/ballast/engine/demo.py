"""The demo: a fresh SQLite book built from real market data shipped with ballast."""

from __future__ import annotations

import gzip
import shutil
import tempfile
import time
from pathlib import Path

from ballast.config import ValidationPolicy
from ballast.engine.imports import ImportKind, import_file
from ballast.engine.progress import Steps
from ballast.engine.queries import book_summary
from ballast.engine.rebalance import import_models
from ballast.engine.rows import BookSummary
from ballast.engine.workspace import open_store
from ballast.sample import (
    generate_book,
    sample_instruments_path,
    sample_models_path,
    sample_prices_path,
)
from ballast.store import Store

# The sample spans March 2020, when real closes fell by half in a day (OXY -50.5% on
# 2020-03-09): the demo accepts moves up to 60% instead of the default 25%.
DEMO_POLICY = ValidationPolicy(max_daily_move=0.6)


def run_demo(path: Path, *, households: int = 60, progress: bool = True) -> BookSummary:
    """Build a fresh demo book at ``path`` (SQLite) and summarize it."""
    started = time.perf_counter()
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = open_store(f"sqlite:///{path}")
    with Steps(progress) as steps:
        load_demo(store, households=households, steps=steps)
        steps.phase("valuing every account")
        summary = book_summary(store, seconds=time.perf_counter() - started)
    store.close()
    return summary


def load_demo(store: Store, *, households: int = 60, steps: Steps | None = None) -> None:
    """Import the sample instruments and prices, a generated book of ``households`` and the
    demo models into ``store``."""
    steps = steps or Steps(False)
    with tempfile.TemporaryDirectory(prefix="ballast-demo-") as tmp:
        folder = Path(tmp)
        steps.phase("unpacking the sample market data")
        prices = folder / "prices.csv"
        with gzip.open(sample_prices_path(), "rb") as src, prices.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        instruments = folder / "instruments.csv"
        shutil.copyfile(sample_instruments_path(), instruments)
        steps.phase("generating the sample households and trades")
        files = generate_book(folder / "book", households=households)
        imports = [
            (ImportKind.INSTRUMENTS, instruments),
            (ImportKind.PRICES, prices),
            (ImportKind.HOUSEHOLDS, files.households),
            (ImportKind.ACCOUNTS, files.accounts),
            (ImportKind.TRANSACTIONS, files.transactions),
        ]
        for kind, file in imports:
            steps.phase(f"importing {kind.value}")
            import_file(store, kind, file, policy=DEMO_POLICY,
                        derive_actions=kind is ImportKind.PRICES)
        steps.phase("loading the model portfolios")
        import_models(store, [sample_models_path()])
