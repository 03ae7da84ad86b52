"""Blocks and fair allocation: netting, aggregation per custodian, and allocations that sum
to the fill, never exceed a request, are whole lots and stay within a lot of pro rata."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ballast.domain import DataError
from ballast.execution import (
    AccountTrade,
    Block,
    Fill,
    PlanLine,
    Side,
    allocate,
    build_blocks,
    net_trades,
)

AT = datetime(2021, 1, 5, 15, 0, tzinfo=UTC)
D = Decimal


def trade(account: str, custodian: str, instrument: str, side: Side, qty: int) -> AccountTrade:
    return AccountTrade(account, custodian, instrument, side, D(qty))


def fill(qty: Decimal, price: str, commission: str = "0", n: int = 1) -> Fill:
    return Fill(f"F{n}", "C1", "AAPL", Side.BUY, qty, D(price), D(commission), "USD", AT)


def test_netting_then_blocks_per_custodian_instrument_and_side() -> None:
    trades = [
        trade("A", "Schwab", "AAPL", Side.BUY, 30), trade("A", "Schwab", "AAPL", Side.SELL, 10),
        trade("B", "Schwab", "AAPL", Side.BUY, 50), trade("C", "Fidelity", "AAPL", Side.BUY, 5),
        trade("B", "Schwab", "XOM", Side.SELL, 20), trade("B", "Schwab", "XOM", Side.BUY, 20),
    ]
    assert trade("A", "Schwab", "AAPL", Side.BUY, 20) in net_trades(trades)
    blocks = build_blocks(trades, 3, lot_sizes={"AAPL": D(1), "XOM": D(1)},
                          currencies={"AAPL": "USD", "XOM": "USD"})
    assert [(b.custodian, b.instrument_id, b.side, b.quantity) for b in blocks] == [
        ("Fidelity", "AAPL", Side.BUY, 5), ("Schwab", "AAPL", Side.BUY, 70)]
    assert blocks[1].plan == (PlanLine("A", D(20)), PlanLine("B", D(50)))
    assert blocks == build_blocks(list(reversed(trades)), 3,  # same ids, same order
                                  lot_sizes={"AAPL": D(1), "XOM": D(1)},
                                  currencies={"AAPL": "USD", "XOM": "USD"})


def test_a_quantity_off_the_lot_size_is_refused() -> None:
    with pytest.raises(DataError, match="lot size"):
        build_blocks([trade("A", "S", "X", Side.BUY, 150)], 1, lot_sizes={"X": D(100)},
                     currencies={"X": "USD"})


def block(requests: list[int], lot: Decimal = Decimal(1)) -> Block:
    plan = tuple(PlanLine(f"A{i:02d}", r * lot) for i, r in enumerate(requests))
    return Block("BLK", 1, "S", "AAPL", Side.BUY, sum((p.quantity for p in plan), D(0)), lot,
                 "USD", plan)


def test_a_partial_fill_at_the_average_price_and_commission_to_the_cent() -> None:
    b = block([100, 200, 300])
    fills = [fill(D(150), "10.00", "1.00", 1), fill(D(150), "10.10", "0.75", 2)]
    out = allocate(b, fills)
    assert [(a.account_id, a.quantity) for a in out] == [("A00", 50), ("A01", 100),
                                                         ("A02", 150)]
    assert {a.price for a in out} == {D("10.05")}
    assert sum(a.commission for a in out) == D("1.75")
    assert [a.commission for a in out] == [D("0.29"), D("0.58"), D("0.88")]


def test_the_remainder_goes_to_the_largest_fractions() -> None:
    out = allocate(block([1, 1, 1]), [fill(D(2), "5")])
    assert [(a.account_id, a.quantity) for a in out] == [("A00", 1), ("A01", 1)]
    assert allocate(block([3, 3]), []) == []


def test_fills_above_the_block_are_refused() -> None:
    with pytest.raises(DataError, match="filled 7"):
        allocate(block([3, 3]), [fill(D(7), "5")])


@given(requests=st.lists(st.integers(1, 500), min_size=1, max_size=12),
       share=st.fractions(0, 1), lot=st.sampled_from([D(1), D(100), D("0.001")]),
       prices=st.lists(st.decimals("1", "500", places=4), min_size=1, max_size=4))
def test_allocation_properties(requests: list[int], share: Fraction, lot: Decimal,
                               prices: list[Decimal]) -> None:
    b = block(requests, lot)
    total_lots = sum(requests)
    filled_lots = int(share * total_lots)
    parts = [filled_lots // len(prices)] * len(prices)
    parts[0] += filled_lots - sum(parts)
    fills = [fill(n * lot, str(p), "0.01", k)
             for k, (n, p) in enumerate(zip(parts, prices, strict=True)) if n]
    out = allocate(b, fills)
    got = {a.account_id: a.quantity for a in out}
    assert sum(got.values(), D(0)) == filled_lots * lot
    for p, r in zip(b.plan, requests, strict=True):
        q = got.get(p.account_id, D(0))
        assert q <= p.quantity and q % lot == 0
        exact = Fraction(filled_lots * r, total_lots)
        assert abs(Fraction(q / lot) - exact) < 1
    if fills:
        assert sum(a.commission for a in out) == D("0.01") * len(fills)
