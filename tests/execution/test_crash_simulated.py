"""Crash safety with the simulated broker keeping its books in a file: ``execute`` runs in a
child process on a SQLite store and is killed with SIGKILL at a point of the batch; a new
process resumes from the store and the broker's books and ends with every account exactly at
its intended position, no order worked twice, no fill stored or booked twice."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import pytest

from ballast.domain import DataError
from ballast.engine.audit import verify_journal
from ballast.engine.execute import execute
from ballast.engine.reconcile import reconcile_with
from ballast.engine.simulation import simulated_broker
from ballast.engine.workspace import open_store
from ballast.execution import Order, OrderState, Side, SimulatedBroker, SimulatedClock
from ballast.store import Store
from engine.test_execute import INTENDED, positions

from .crash_book import BOOKED_BEFORE, BROKER_POSITIONS, checked_book
from .crash_child import AS_OF, CONFIG
from .test_simulated import PRICES as MARKET
from .test_simulated import START, market_hours

D = Decimal
CHILD = Path(__file__).with_name("crash_child.py")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite book with a checked run (run 1) that nothing has executed yet."""
    return checked_book(tmp_path_factory.mktemp("crash"))


@pytest.fixture
def book(template: Path, tmp_path: Path) -> Iterator[tuple[Store, Path]]:
    """A copy of the template book and where the broker keeps its books."""
    shutil.copyfile(template, tmp_path / "book.db")
    store = open_store(f"sqlite:///{tmp_path / 'book.db'}")
    try:
        yield store, tmp_path / "broker.db"
    finally:
        store.close()


def killed_at(store: Store, state: Path, point: str, n: int) -> None:
    """Run ``execute`` of run 1 in a child process that SIGKILLs itself at ``point``."""
    done = subprocess.run([sys.executable, str(CHILD), store.url, str(state), "1", point,
                           str(n)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == -signal.SIGKILL, done.stdout + done.stderr


def stored(store: Store) -> tuple[dict[str, str], int, int]:
    """Each order's state, how many fills and how many allocations the store holds."""
    with store.transaction() as tx:
        return ({o.client_order_id: o.state for o in tx.orders(1)}, len(tx.fills(1)),
                len(tx.allocations(1)))


def resume_and_check(store: Store, state: Path, later: float = 0.0) -> SimulatedBroker:
    """Execute again in this process, ``later`` seconds after the open; check where every
    account, the broker and the journal end, and that the book reconciles with the broker's
    books. Returns the broker as reloaded from its file."""
    broker, clock = simulated_broker(store, AS_OF, CONFIG, state=state)
    clock.sleep(later)
    report = execute(store, 1, broker, as_of=AS_OF, clock=clock)
    assert report.states == {"filled": 4} and report.unallocated == 0
    assert positions(store) == INTENDED
    orders, fills, allocations = stored(store)
    with store.transaction() as tx:
        assert tx.transaction_count() == BOOKED_BEFORE + allocations == BOOKED_BEFORE + 6
        booked = {f.fill_id for f in tx.fills(1)}
    reloaded, _ = simulated_broker(store, AS_OF, CONFIG, state=state)
    reloaded.connect()
    assert set(reloaded.books.orders) == set(orders)  # no order was worked under a new id
    assert reloaded.positions() == BROKER_POSITIONS  # each order was worked once
    assert fills == 12 and booked == {f.fill_id for f in reloaded.fills()}
    assert verify_journal(store).intact
    assert reconcile_with(store, "simulated", AS_OF, broker_state=state).breaks == ()
    return reloaded


def test_killed_after_planning_before_marking_submitted(book: tuple[Store, Path]) -> None:
    store, state = book
    killed_at(store, state, "planned", 1)
    assert set(stored(store)[0].values()) == {"new"} and not state.exists()
    broker = resume_and_check(store, state)
    assert set(broker.books.submits.values()) == {1}


def test_killed_after_persisting_before_sending(book: tuple[Store, Path]) -> None:
    store, state = book
    killed_at(store, state, "submit", 1)
    assert set(stored(store)[0].values()) == {"submitted"} and not state.exists()
    broker = resume_and_check(store, state)
    assert set(broker.books.submits.values()) == {1}


def test_killed_after_sending_some_orders(book: tuple[Store, Path]) -> None:
    store, state = book
    killed_at(store, state, "sent", 2)
    orders, _, _ = stored(store)
    assert set(orders.values()) == {"submitted"}
    sent_before = SimulatedBroker(MARKET.get, SimulatedClock(START), state=state).books
    assert len(sent_before.orders) == 2
    broker = resume_and_check(store, state)
    # the two sent before the kill were sent again and recognized; the others once
    assert sorted(broker.books.submits.values()) == [1, 1, 2, 2]
    assert {k for k, n in broker.books.submits.items() if n == 2} == set(sent_before.orders)


def test_killed_after_sending_all_and_restarted_when_all_are_filled(
        book: tuple[Store, Path]) -> None:
    store, state = book
    killed_at(store, state, "sent", 4)
    assert set(stored(store)[0].values()) == {"submitted"}
    # an hour later the broker answers every resent order with "filled": its fills must still
    # be collected before the blocks can be allocated
    broker = resume_and_check(store, state, later=3600)
    assert set(broker.books.submits.values()) == {2}


def test_killed_while_fills_arrive(book: tuple[Store, Path]) -> None:
    store, state = book
    killed_at(store, state, "fills", 5)
    orders, fills, _ = stored(store)
    assert fills < 5 and OrderState.FILLED.value not in orders.values()
    broker = resume_and_check(store, state)
    assert set(broker.books.submits.values()) == {1}


def test_killed_while_fills_are_booked(book: tuple[Store, Path]) -> None:
    store, state = book
    killed_at(store, state, "booking", 1)
    orders, fills, allocations = stored(store)
    assert set(orders.values()) == {"filled"} and fills == 12 and allocations == 0
    with store.transaction() as tx:  # the booking was never committed
        assert tx.transaction_count() == BOOKED_BEFORE
    resume_and_check(store, state)


def test_the_broker_books_survive_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "broker.db"
    first = SimulatedBroker(MARKET.get, SimulatedClock(START), CONFIG, is_open=market_hours,
                            state=state)
    first.connect()
    order = Order("C1", "B1", "AAPL", Side.BUY, D(300))
    first.submit(order)
    clock = SimulatedClock(START)
    clock.sleep(31)  # the first two slices are due
    again = SimulatedBroker(MARKET.get, clock, CONFIG, is_open=market_hours, state=state)
    again.connect()
    report = again.submit(order)
    assert (report.state, report.filled_quantity, again.submitted) == (
        OrderState.PARTIALLY_FILLED, D(200), 0)
    third = SimulatedBroker(MARKET.get, clock, CONFIG, is_open=market_hours, state=state)
    third.connect()
    assert third.fills() == again.fills() and [f.quantity for f in third.fills()] == [100, 100]
    # a buy pays 1 bp of half spread plus 1 bp of slippage: 100 × 1.0002
    assert {f.price for f in third.fills()} == {D("100.0200")}
    # commission: the minimum 1.00 on the first fill, 100 × 0.005 on the second
    assert third.positions() == {"AAPL": D(200)} and third.cash() == {"USD": D("-20005.50")}
    assert third.books.submits == {"C1": 2}


def test_an_unreadable_broker_state_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "broker.db"
    state.write_text('{"format": "something else"}', encoding="utf-8")
    with pytest.raises(DataError, match=r"broker\.db: unreadable .*not a database") as err:
        SimulatedBroker(MARKET.get, SimulatedClock(START), state=state)
    assert "move it away" in err.value.hint
    other = tmp_path / "other.db"  # another program's SQLite file is refused and left alone
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(DataError, match="no such table: meta"):
        SimulatedBroker(MARKET.get, SimulatedClock(START), state=other)
    with closing(sqlite3.connect(other)) as conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]
