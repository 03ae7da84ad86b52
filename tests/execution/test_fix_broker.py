"""The FIX adapter against a real QuickFIX acceptor on loopback playing the broker: fills in
full and in slices, rejects, replace and cancel, a busted trade, a connection dropped in the
middle of a batch, a restart that continues the sequence and gets what it missed resent."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("quickfix")

from ballast.execution import Order, OrderState, Side
from ballast.execution.broker import BrokerUnavailable
from ballast.execution.fix import FixBroker, FixSettings
from ballast.execution.fix.journal import OrderJournal

from .fix_counterparty import Counterparty, Rules, adapter_settings, free_port

D = Decimal
S = OrderState
PRICES = {"AAPL": D("131.01"), "XOM": D("43.50")}


def until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Wait for ``condition``, polling; False when it still fails after ``timeout`` s."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.01)
    return False


def order(n: int, symbol: str = "AAPL", side: Side = Side.BUY, qty: int = 10) -> Order:
    return Order(f"B1-{n:04d}", "blk", symbol, side, D(qty))


def test_orders_fill_in_slices_and_a_known_order_is_not_sent_again(tmp_path: Path) -> None:
    with Counterparty(tmp_path, Rules(slices=3, prices=PRICES)) as cp:
        broker = FixBroker(adapter_settings(cp, tmp_path / "ballast"))
        broker.connect()
        try:
            aapl, xom = order(1), order(2, "XOM", Side.SELL, 7)
            assert broker.submit(aapl).client_order_id == aapl.client_order_id
            broker.submit(xom)
            assert until(lambda: all(broker.order_status(o.client_order_id).state is S.FILLED
                                     for o in (aapl, xom)))
            fills = broker.fills()
            assert [(f.client_order_id, f.quantity, f.price) for f in fills
                    if f.instrument_id == "AAPL"] == [(aapl.client_order_id, D(q), D("131.01"))
                                                     for q in (4, 3, 3)]
            assert sorted(f.fill_id for f in fills) == sorted(
                cp.exec_ids(aapl.client_order_id) + cp.exec_ids(xom.client_order_id))
            assert broker.positions() == {"AAPL": D(10), "XOM": D(-7)}
            # 1310.10 paid and 304.50 received; commissions 0.02 × 3 and 0.02 + 0.01 + 0.01
            assert broker.cash() == {"USD": D("-1005.70")}

            again = broker.submit(aapl)
            assert (again.state, again.filled_quantity) == (S.FILLED, D(10))
            assert cp.received == {aapl.client_order_id: 1, xom.client_order_id: 1}
        finally:
            broker.disconnect()


def test_a_restricted_symbol_is_rejected(tmp_path: Path) -> None:
    with Counterparty(tmp_path, Rules(reject=frozenset({"XOM"}))) as cp:
        broker = FixBroker(adapter_settings(cp, tmp_path / "ballast"))
        broker.connect()
        try:
            o = order(1, "XOM")
            broker.submit(o)
            assert until(lambda: broker.order_status(o.client_order_id).state is S.REJECTED)
            assert broker.order_status(o.client_order_id) is not None
            assert broker.order_status(o.client_order_id).reason == "XOM is restricted"
            assert broker.fills() == [] and broker.positions() == {}
        finally:
            broker.disconnect()


def test_a_working_order_is_replaced_then_cancelled(tmp_path: Path) -> None:
    with Counterparty(tmp_path, Rules(fill_ratio={"AAPL": D("0.5")})) as cp:
        broker = FixBroker(adapter_settings(cp, tmp_path / "ballast"))
        broker.connect()
        try:
            o = order(1)
            broker.submit(o)
            assert until(lambda: broker.order_status(o.client_order_id).filled_quantity == 5)
            replaced = broker.replace(o.client_order_id, quantity=D(8))
            assert (replaced.state, replaced.filled_quantity) == (S.PARTIALLY_FILLED, D(5))
            assert cp.quantity(o.client_order_id) == 8
            cancelled = broker.cancel(o.client_order_id)
            assert (cancelled.client_order_id, cancelled.state, cancelled.filled_quantity) == \
                (o.client_order_id, S.CANCELLED, D(5))
            assert broker.cancel(o.client_order_id).state is S.CANCELLED  # done: sent nothing
            assert cp.received == {o.client_order_id: 1}
        finally:
            broker.disconnect()


def test_a_busted_fill_is_reversed(tmp_path: Path) -> None:
    with Counterparty(tmp_path, Rules(prices=PRICES)) as cp:
        broker = FixBroker(adapter_settings(cp, tmp_path / "ballast"))
        broker.connect()
        try:
            o = order(1)
            broker.submit(o)
            assert until(lambda: broker.order_status(o.client_order_id).state is S.FILLED)
            (trade,) = cp.exec_ids(o.client_order_id)
            cp.bust(trade)
            assert until(lambda: len(broker.fills()) == 2)
            first, reversal = sorted(broker.fills(), key=lambda f: f.quantity, reverse=True)
            assert (first.fill_id, first.quantity) == (trade, D(10))
            assert reversal.fill_id != trade and reversal.quantity == D(-10)
            assert (reversal.price, reversal.commission) == (first.price, -first.commission)
            assert broker.positions() == {} and broker.cash() == {"USD": D(0)}
            status = broker.order_status(o.client_order_id)
            assert status is not None and status.filled_quantity == 0
        finally:
            broker.disconnect()


def test_a_connection_dropped_mid_batch_ends_each_order_once(tmp_path: Path) -> None:
    batch = [order(n, qty=n + 1) for n in range(8)]
    with Counterparty(tmp_path, Rules(drop_after=3)) as cp:
        settings = adapter_settings(cp, tmp_path / "ballast")
        broker = FixBroker(settings)
        broker.connect()
        refused = 0
        for o in batch:
            try:
                broker.submit(o)
            except BrokerUnavailable as exc:
                assert "not logged on" in str(exc)
                refused += 1
        broker.disconnect()

        restarted = FixBroker(settings)  # a new process: the journal and sequence on disk
        restarted.connect()
        try:
            for o in batch:  # the run again: known orders are not sent twice
                restarted.submit(o)
            assert until(lambda: all(restarted.order_status(o.client_order_id).state
                                     is S.FILLED for o in batch))
            assert cp.received == {o.client_order_id: 1 for o in batch}
            assert sorted(f.quantity for f in restarted.fills()) == [D(n + 1) for n in range(8)]
            # the five orders the broker dropped were either refused (and sent on the rerun)
            # or resent by QuickFIX with PossDupFlag after the broker's ResendRequest
            assert cp.poss_dups + refused >= 5
        finally:
            restarted.disconnect()
    assert cp.logon_seqs[0] == 1 and cp.logon_seqs == sorted(set(cp.logon_seqs))


def test_a_restart_continues_the_sequence_and_gets_what_it_missed(tmp_path: Path) -> None:
    with Counterparty(tmp_path) as cp:
        settings = adapter_settings(cp, tmp_path / "ballast")
        broker = FixBroker(settings)
        broker.connect()
        o = order(1)
        broker.submit(o)
        assert until(lambda: broker.order_status(o.client_order_id).state is S.FILLED)
        broker.disconnect()
        cp.bust(cp.exec_ids(o.client_order_id)[0])  # while the adapter is away

        restarted = FixBroker(settings)
        restarted.connect()
        try:
            assert until(lambda: len(restarted.fills()) == 2)  # resent on the logon
            assert restarted.positions() == {}
        finally:
            restarted.disconnect()
    assert len(cp.logon_seqs) == 2 and cp.logon_seqs[0] == 1 and cp.logon_seqs[1] > 2
    assert cp.poss_dups == 0  # nothing of ours was missed, so nothing was resent to it


def test_an_order_journaled_but_never_sent_is_asked_about_then_sent(tmp_path: Path) -> None:
    with Counterparty(tmp_path) as cp:
        settings = adapter_settings(cp, tmp_path / "ballast")
        settings.store_dir.mkdir()
        o = order(1)
        journal = OrderJournal(settings.store_dir / "orders.jsonl")
        journal.sent(o)  # then the process died before the message left
        journal.close()
        broker = FixBroker(settings)
        broker.connect()  # asks the broker about the order: it does not know it
        try:
            broker.submit(o)
            assert until(lambda: broker.order_status(o.client_order_id).state is S.FILLED)
            assert cp.received == {o.client_order_id: 1}
        finally:
            broker.disconnect()


def test_no_broker_means_broker_unavailable(tmp_path: Path) -> None:
    settings = FixSettings(port=free_port(), sender_comp_id="BALLAST", target_comp_id="BROKER",
                           store_dir=tmp_path, logon_timeout_seconds=0.5)
    broker = FixBroker(settings)
    with pytest.raises(BrokerUnavailable, match="not logged on"):
        broker.submit(order(1))
    with pytest.raises(BrokerUnavailable, match=r"no logon within 0.5 s"):
        broker.connect()
