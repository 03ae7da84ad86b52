"""Crash safety through FIX: ``execute`` runs in a child process on a SQLite store, talking
FIX to a QuickFIX acceptor on loopback, and is killed with SIGKILL at a point of the batch; a
new process resumes from the store and the adapter's journal, asks the broker about what it
sent, and ends with every account at its intended position — no ClOrdID received twice by
the broker, no fill stored or booked twice, the book reconciled with the broker."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("quickfix")

from ballast.engine.reconcile import reconcile
from ballast.engine.workspace import open_store
from ballast.execution.fix import FixBroker
from ballast.store import Store
from engine.test_execute import INTENDED, positions

from .crash_book import BOOKED_BEFORE, BROKER_POSITIONS, checked_book
from .fix_counterparty import Counterparty, Rules, adapter_settings
from .fix_crash_child import AS_OF

D = Decimal
CHILD = Path(__file__).with_name("fix_crash_child.py")
MARKET = {"AAPL": D("131.01"), "VTI": D("195.40"), "XOM": D("43.50")}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite book with a checked run (run 1) that nothing has executed yet."""
    return checked_book(tmp_path_factory.mktemp("fixcrash"))


@pytest.fixture
def book(template: Path, tmp_path: Path) -> Iterator[tuple[Store, Counterparty, Path]]:
    """A copy of the template book, the broker, and where the adapter keeps its state."""
    shutil.copyfile(template, tmp_path / "book.db")
    store = open_store(f"sqlite:///{tmp_path / 'book.db'}")
    rules = Rules(slices=3, prices=MARKET, trade_time=datetime(2021, 1, 5, 15, tzinfo=UTC))
    try:
        with Counterparty(tmp_path, rules) as cp:
            yield store, cp, tmp_path / "ballast"
    finally:
        store.close()


def run_child(store: Store, cp: Counterparty, state: Path, point: str, n: int) -> int:
    """Run ``execute`` of run 1 in a child process; its return code."""
    done = subprocess.run([sys.executable, str(CHILD), store.url, str(state), str(cp.port), "1",
                           point, str(n)], capture_output=True, text=True, timeout=120,
                          check=False)
    expected = 0 if point == "none" else -signal.SIGKILL
    assert done.returncode == expected, done.stdout + done.stderr
    return done.returncode


def stored(store: Store) -> tuple[dict[str, str], int]:
    """Each order's state and how many fills the store holds."""
    with store.transaction() as tx:
        return {o.client_order_id: o.state for o in tx.orders(1)}, len(tx.fills(1))


def resume_and_check(store: Store, cp: Counterparty, state: Path) -> None:
    """Execute again in a new process; check where every account, the broker and the book
    end."""
    run_child(store, cp, state, "none", 0)
    orders, fills = stored(store)
    assert set(orders.values()) == {"filled"} and fills == 12
    assert positions(store) == INTENDED
    assert cp.received == {k: 1 for k in orders}  # no ClOrdID reached the broker twice
    with store.transaction() as tx:
        assert tx.transaction_count() == BOOKED_BEFORE + 6
        booked = sorted(f.fill_id for f in tx.fills(1))
    assert booked == sorted(x for k in orders for x in cp.exec_ids(k))
    broker = FixBroker(adapter_settings(cp, state))
    assert reconcile(store, broker, as_of=AS_OF).breaks == ()
    broker.connect()
    try:
        assert broker.positions() == BROKER_POSITIONS
    finally:
        broker.disconnect()


def test_killed_after_persisting_before_sending(book: tuple[Store, Counterparty, Path]) -> None:
    store, cp, state = book
    run_child(store, cp, state, "submit", 1)
    assert set(stored(store)[0].values()) == {"submitted"} and not cp.received
    resume_and_check(store, cp, state)


def test_killed_after_sending_some_orders(book: tuple[Store, Counterparty, Path]) -> None:
    store, cp, state = book
    run_child(store, cp, state, "sent", 2)
    assert set(stored(store)[0].values()) == {"submitted"}
    assert cp.wait(lambda: len(cp.received) == 2)
    resume_and_check(store, cp, state)


def test_killed_while_fills_arrive(book: tuple[Store, Counterparty, Path]) -> None:
    store, cp, state = book
    run_child(store, cp, state, "fills", 5)
    _, fills = stored(store)
    assert fills == 0 and len(cp.received) == 4  # all sent, no fill stored
    with store.transaction() as tx:  # an order may be stored filled: its fills are missing
        assert tx.transaction_count() == BOOKED_BEFORE
    resume_and_check(store, cp, state)
