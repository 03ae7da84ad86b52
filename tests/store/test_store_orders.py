"""Execution records round-trip exactly on both backends: blocks with plans, orders and their
events, fills (a fill stored twice is kept once) and allocations."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from ballast.store import Store
from ballast.store.orders import (
    AllocationRecord,
    BlockRecord,
    FillRecord,
    OrderEventRecord,
    OrderRecord,
)

D = Decimal
AT = datetime(2021, 1, 5, 14, 30, 0, 200000, tzinfo=UTC)


def test_execution_records_round_trip(book: Store) -> None:
    with book.transaction() as tx:
        run = tx.add_rebalance_run(date(2021, 1, 5), "snap", "policy", [], [])
    block = BlockRecord("B1-abc", run, "Schwab", "SPY", "buy", D("12.5001"), D("0.0001"),
                        "USD", (("A1", D("10.0001")), ("A2", D("2.5"))))
    order = OrderRecord("B1-def", block.id, "SPY", "buy", D("12.5001"), "limit", D("370.25"),
                        "day", "new", D(0), 0, "simulated", "")
    created = OrderEventRecord(order.client_order_id, 0, None, "new", AT, D(0), "created")
    with book.transaction() as tx:
        tx.add_blocks([block])
        tx.add_orders([order], [created])
    sent = OrderRecord(**{**{f: getattr(order, f) for f in OrderRecord.__slots__},
                          "state": "submitted", "events": 1, "broker_order_id": "SIM1"})
    submitted = OrderEventRecord(order.client_order_id, 1, "new", "submitted", AT, D(0), "")
    fill = FillRecord("F1", order.client_order_id, "SPY", "buy", D("12.5001"),
                      D("370.123456"), D("1.00"), "USD", AT)
    allocation = AllocationRecord(block.id, "A1", D("10.0001"), D("370.123456"), D("0.80"),
                                  "B1-abc-1")
    with book.transaction() as tx:
        tx.save_order(sent, [submitted])
        assert tx.add_fills([fill]) == 1
        assert tx.add_fills([fill]) == 0
        tx.add_allocations(block.id, [allocation])
    with book.transaction() as tx:
        assert tx.blocks(run) == [BlockRecord(**{
            **{f: getattr(block, f) for f in BlockRecord.__slots__}, "allocated": True})]
        assert tx.orders(run) == [sent]
        assert tx.order_events([order.client_order_id]) == [created, submitted]
        assert tx.fills(run) == [fill]
        assert tx.allocations(run) == [allocation]
        assert tx.blocks(run + 1) == [] and tx.orders(run + 1) == []
