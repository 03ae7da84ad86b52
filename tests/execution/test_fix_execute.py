"""The execution use case through FIX, on SQLite and PostgreSQL: the small book's checked run
becomes blocks, NewOrderSingles to a QuickFIX acceptor on loopback, fills in slices,
allocations and booked lots; the book reconciles with the adapter's reports with no break,
and with exactly the breaks of a trade the broker busts afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("quickfix")

from ballast.engine.execute import execute
from ballast.engine.execute_plan import ExecutionSettings
from ballast.engine.reconcile import reconcile
from ballast.engine.workspace import open_store
from ballast.execution.broker import BrokerUnavailable
from ballast.execution.fix import FixBroker
from ballast.execution.reconcile import BreakKind
from ballast.store import Store
from engine.conftest import ACCOUNTS, HOUSEHOLDS, INSTRUMENTS, PRICES, TRANSACTIONS, write
from engine.test_execute import AS_OF, INTENDED, positions, stored_run

from .fix_counterparty import Counterparty, Rules, adapter_settings

D = Decimal
MARKET = {"AAPL": D("131.01"), "VTI": D("195.40"), "XOM": D("43.50")}  # the closes of AS_OF
TRADED_AT = datetime(2021, 1, 5, 15, 0, tzinfo=UTC)
FAST = ExecutionSettings(poll_seconds=0.05, max_wait_seconds=30)
BOOKED_BEFORE = 7


def book_files(folder: Path) -> dict[str, Path]:
    return {name: write(folder, f"{name}.csv", text) for name, text in (
        ("instruments", INSTRUMENTS), ("households", HOUSEHOLDS), ("accounts", ACCOUNTS),
        ("prices", PRICES), ("transactions", TRANSACTIONS))}


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = open_store(store_url)
    try:
        yield s
    finally:
        s.close()


def test_a_run_is_executed_through_fix_booked_and_reconciled(store: Store,
                                                              tmp_path: Path) -> None:
    run = stored_run(store, book_files(tmp_path))
    rules = Rules(slices=3, prices=MARKET, trade_time=TRADED_AT)
    with Counterparty(tmp_path, rules) as cp:
        settings = adapter_settings(cp, tmp_path / "ballast")
        report = execute(store, run, FixBroker(settings), as_of=AS_OF, settings=FAST)
        assert (report.blocks, report.orders, report.sent, report.booked) == (4, 4, 4, 6)
        assert report.states == {"filled": 4} and report.fills == 12
        assert positions(store) == INTENDED

        with store.transaction() as tx:
            orders, fills = tx.orders(run), tx.fills(run)
            booked = tx.transaction_count()
        assert cp.received == {o.client_order_id: 1 for o in orders}
        assert {o.broker for o in orders} == {"fix"}
        assert sorted(f.fill_id for f in fills) == sorted(
            x for o in orders for x in cp.exec_ids(o.client_order_id))
        assert all(f.price == MARKET[f.instrument_id] for f in fills)
        assert booked == BOOKED_BEFORE + 6

        clean = reconcile(store, FixBroker(settings), as_of=AS_OF)
        assert clean.breaks == () and clean.book_fills == clean.broker_fills == 12

        again = execute(store, run, FixBroker(settings), as_of=AS_OF, settings=FAST)
        assert (again.sent, again.fills, again.booked) == (0, 0, 0)

        aapl = next(o for o in orders if o.instrument_id == "AAPL")
        busted = cp.exec_ids(aapl.client_order_id)[0]  # 17 of the block's 50
        cp.bust(busted)
        broken = reconcile(store, FixBroker(settings), as_of=AS_OF)
    kinds = {(b.kind, b.item, b.difference) for b in broken.breaks}
    assert (BreakKind.FILL_UNKNOWN, "AAPL", D(-17)) in kinds  # the reversal, not in the book
    assert (BreakKind.QUANTITY_DIFFERS, "AAPL", D(-17)) in kinds
    cash = next(b for b in broken.breaks if b.kind is BreakKind.CASH_DIFFERS)
    # the broker gives back 17 × 131.01 and the commission of 0.085 rounded to 0.08
    assert cash.difference == D("2227.17") + D("0.08")
    assert len(broken.breaks) == 3


def test_a_connection_dropped_mid_batch_is_resumed_by_running_again(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'book.db'}")
    try:
        run = stored_run(store, book_files(tmp_path))
        rules = Rules(prices=MARKET, trade_time=TRADED_AT, drop_after=2)
        with Counterparty(tmp_path, rules) as cp:
            settings = adapter_settings(cp, tmp_path / "ballast")
            try:
                first = execute(store, run, FixBroker(settings), as_of=AS_OF, settings=FAST)
            except BrokerUnavailable as exc:  # the drop was seen while the batch was worked
                assert "not logged on" in str(exc)
            else:  # QuickFIX reconnected and caught up before the adapter was asked again
                assert first.states == {"filled": 4}
            execute(store, run, FixBroker(settings), as_of=AS_OF, settings=FAST)
            with store.transaction() as tx:
                orders = tx.orders(run)
                assert len(tx.fills(run)) == 4 and tx.transaction_count() == BOOKED_BEFORE + 6
            assert {o.state for o in orders} == {"filled"}
            assert cp.received == {o.client_order_id: 1 for o in orders}
        assert positions(store) == INTENDED
    finally:
        store.close()
