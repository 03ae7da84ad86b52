"""The simulated broker, in simulated time with a seed: prices with spread and slippage,
commission, latency, partial fills, rejects, trading hours, limits, cancel and replace; and
the slippage controls."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal

import pytest

from ballast.execution import (
    BrokerReport,
    Order,
    OrderState,
    OrderType,
    Side,
    SimulatedBroker,
    SimulatedClock,
    SimulationConfig,
    TimeInForce,
    limit_price,
    split_by_volume,
)
from ballast.execution.broker import BrokerUnavailable

D = Decimal
START = datetime(2021, 1, 5, 15, 0, tzinfo=UTC)
PRICES = {"AAPL": D(100), "XOM": D("40.00")}
S = OrderState


def market_hours(at: datetime) -> bool:
    return time(14, 30) <= at.time() < time(21, 0)


def broker(config: SimulationConfig | None = None) -> tuple[SimulatedBroker, SimulatedClock]:
    clock = SimulatedClock(START)
    b = SimulatedBroker(PRICES.get, clock, config, is_open=market_hours)
    b.connect()
    return b, clock


def order(coid: str = "C1", qty: int = 300, side: Side = Side.BUY,
          order_type: OrderType = OrderType.MARKET, limit_price: Decimal | None = None,
          time_in_force: TimeInForce = TimeInForce.DAY) -> Order:
    return Order(coid, "B1", "AAPL", side, D(qty), order_type, limit_price, time_in_force)


def status(b: SimulatedBroker, coid: str = "C1") -> BrokerReport:
    report = b.order_status(coid)
    assert report is not None
    return report


def test_latency_then_partial_fills_with_spread_slippage_and_commission() -> None:
    b, clock = broker(SimulationConfig(fill_slices=3, latency_seconds=0.5, slice_seconds=10))
    assert b.submit(order()).state is S.SUBMITTED
    clock.sleep(0.4)
    assert status(b).state is S.SUBMITTED
    clock.sleep(0.2)
    report = b.order_status("C1")
    assert report is not None and (report.state, report.filled_quantity) == (
        S.PARTIALLY_FILLED, 100)
    clock.sleep(25)
    assert status(b).state is S.FILLED
    fills = b.fills()
    assert [f.quantity for f in fills] == [100, 100, 100]
    assert {f.price for f in fills} == {D("100.0200")}  # +1 bp half spread, +1 bp slippage
    assert [f.commission for f in fills] == [D("1.00"), D("0.50"), D("0.50")]
    assert b.positions() == {"AAPL": 300}
    assert b.cash() == {"USD": D("-30006.00") - D("2.00")}
    assert b.fills(since=fills[0].at) == fills[1:]


def test_a_sell_fills_below_the_price() -> None:
    b, clock = broker()
    b.submit(order(side=Side.SELL))
    clock.sleep(1)
    assert b.fills()[0].price == D("99.9800")
    assert b.positions() == {"AAPL": -300}


def test_submit_is_idempotent_by_client_order_id() -> None:
    b, clock = broker()
    b.submit(order())
    clock.sleep(1)
    again = b.submit(order())
    assert again.state is S.FILLED and b.submitted == 1 and len(b.fills()) == 1


def test_rejects_are_seeded_and_reproducible() -> None:
    config = SimulationConfig(reject_probability=0.3, seed=42)
    runs = []
    for _ in range(2):
        b, _clock = broker(config)
        runs.append([b.submit(order(f"C{k}")).state for k in range(40)])
    assert runs[0] == runs[1]
    assert 3 < runs[0].count(S.REJECTED) < 25
    other, _clock = broker(SimulationConfig(reject_probability=0.3, seed=7))
    assert [other.submit(order(f"C{k}")).state for k in range(40)] != runs[0]


def test_trading_hours_reject_when_closed_and_expire_at_the_close() -> None:
    b, clock = broker(SimulationConfig(fill_slices=4, slice_seconds=3600))
    clock.sleep(5 * 3600)  # 20:00 UTC: one hour to the close
    b.submit(order(qty=400))
    clock.sleep(2 * 3600)
    report = b.order_status("C1")
    assert report is not None and (report.state, report.filled_quantity) == (S.EXPIRED, 100)
    late = b.submit(order("C2"))
    assert (late.state, late.reason) == (S.REJECTED, "the market is closed")


def test_market_on_close_fills_at_the_close_price() -> None:
    b, clock = broker()
    b.submit(order(order_type=OrderType.MARKET_ON_CLOSE))
    clock.sleep(3600)
    assert status(b).state is S.ACCEPTED
    clock.sleep(6 * 3600)
    assert status(b).state is S.FILLED
    assert b.fills()[0].price == D(100)


def test_a_limit_beyond_the_market_waits_and_can_be_replaced_or_cancelled() -> None:
    b, clock = broker()
    b.submit(order(order_type=OrderType.LIMIT, limit_price=D("100.01")))
    clock.sleep(60)
    assert status(b).state is S.ACCEPTED
    assert b.replace("C1", limit_price=D("100.05")).state is S.ACCEPTED
    clock.sleep(1)
    assert status(b).state is S.FILLED
    b.submit(order("C2", order_type=OrderType.LIMIT, limit_price=D(99)))
    clock.sleep(60)
    assert b.cancel("C2").state is S.CANCELLED
    assert b.cancel("C2").state is S.CANCELLED  # a done order is reported as it is


def test_replace_changes_the_quantity_left() -> None:
    b, clock = broker(SimulationConfig(fill_slices=2, slice_seconds=10))
    b.submit(order(qty=200))
    clock.sleep(1)
    assert b.replace("C1", quantity=D(500)).filled_quantity == 100
    clock.sleep(30)
    assert sum(f.quantity for f in b.fills()) == 500


def test_immediate_or_cancel_keeps_the_first_fill_only() -> None:
    b, clock = broker(SimulationConfig(fill_slices=2))
    b.submit(order(time_in_force=TimeInForce.IOC))
    clock.sleep(1)
    report = b.order_status("C1")
    assert report is not None and (report.state, report.filled_quantity) == (S.CANCELLED, 150)


def test_no_price_no_fractions_and_no_connection() -> None:
    b, clock = broker()
    b.submit(Order("C1", "B1", "MSFT", Side.BUY, D(1)))
    clock.sleep(1)
    assert status(b).reason == "no market data for MSFT"
    assert b.submit(Order("C2", "B1", "AAPL", Side.BUY, D("0.5"))).state is S.REJECTED
    assert not b.capabilities.fractional and OrderType.LIMIT in b.capabilities.order_types
    b.disconnect()
    with pytest.raises(BrokerUnavailable):
        b.fills()


def test_limit_prices_and_child_orders() -> None:
    assert limit_price(Side.BUY, D("100.00"), D(25)) == D("100.25")
    assert limit_price(Side.SELL, D("100.00"), D(25)) == D("99.75")
    assert limit_price(Side.BUY, D("33.333"), D(10)) == D("33.36")  # 33.3663 floored
    assert split_by_volume(D(1000), None, D("0.1"), D(1)) == [D(1000)]
    assert split_by_volume(D(1000), D(20000), D("0.1"), D(1)) == [D(1000)]
    assert split_by_volume(D(1000), D(3000), D("0.1"), D(1)) == [D(250)] * 4
    assert split_by_volume(D(700), D(3000), D("0.1"), D(100)) == [D(300), D(200), D(200)]
