"""The book both crash suites kill a batch of: the engine tests' small book with a checked run
(run 1) that nothing has executed yet, and what the broker holds once it has."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ballast.engine.workspace import open_store
from engine.conftest import ACCOUNTS, HOUSEHOLDS, INSTRUMENTS, PRICES, TRANSACTIONS, write
from engine.test_execute import stored_run

D = Decimal
BOOKED_BEFORE = 7  # the transactions of the book before execution
# What the broker holds after the run: its blocks net (Schwab buys 60 VTI, Fidelity sells 25).
BROKER_POSITIONS = {"AAPL": D(50), "VTI": D(35), "XOM": D(-40)}


def checked_book(folder: Path) -> Path:
    """Write the book into ``folder`` as a SQLite file; returns its path."""
    files = {name: write(folder, f"{name}.csv", text) for name, text in (
        ("instruments", INSTRUMENTS), ("households", HOUSEHOLDS), ("accounts", ACCOUNTS),
        ("prices", PRICES), ("transactions", TRANSACTIONS))}
    store = open_store(f"sqlite:///{folder / 'book.db'}")
    assert stored_run(store, files) == 1
    store.close()
    return folder / "book.db"
