"""The order state machine: every transition the table allows works and records an event,
every other one raises; client order ids are deterministic."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ballast.execution import (
    TRANSITIONS,
    InvalidTransition,
    Order,
    OrderState,
    OrderType,
    Side,
    client_order_id,
)

AT = datetime(2021, 1, 5, 15, 0, tzinfo=UTC)
S = OrderState


def order(state: OrderState = S.NEW) -> Order:
    return Order("C1", "B1", "AAPL", Side.BUY, Decimal(100), state=state)


def test_the_table_is_the_documented_life_cycle() -> None:
    assert TRANSITIONS[S.NEW] == {S.SUBMITTED, S.REJECTED, S.CANCELLED}
    assert TRANSITIONS[S.ACCEPTED] == {S.PARTIALLY_FILLED, S.FILLED, S.CANCELLED, S.EXPIRED}
    assert all(not TRANSITIONS[s] for s in (S.FILLED, S.CANCELLED, S.REJECTED, S.EXPIRED))
    assert set(TRANSITIONS) == set(OrderState)


@pytest.mark.parametrize("start", list(OrderState))
@pytest.mark.parametrize("to", list(OrderState))
def test_each_transition_is_allowed_or_raises(start: OrderState, to: OrderState) -> None:
    o = order(start)
    if to in TRANSITIONS[start]:
        moved, event = o.transition(to, AT, reason="why")
        assert (moved.state, moved.events) == (to, 1)
        assert (event.previous, event.state, event.seq, event.reason) == (start, to, 1, "why")
        assert o.state is start  # immutable: the old value is unchanged
    else:
        with pytest.raises(InvalidTransition, match=f"from {start} to {to}"):
            o.transition(to, AT)


def test_a_life_cycle_records_one_event_per_change() -> None:
    o, events = order(), []
    for state, filled in [(S.SUBMITTED, 0), (S.ACCEPTED, 0), (S.PARTIALLY_FILLED, 30),
                          (S.PARTIALLY_FILLED, 60), (S.FILLED, 100)]:
        o, event = o.transition(state, AT, filled_quantity=Decimal(filled))
        events.append(event)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert [e.filled_quantity for e in events] == [0, 0, 30, 60, 100]
    assert o.is_done and not o.is_open


def test_fills_never_shrink_nor_exceed_the_order() -> None:
    o = order(S.PARTIALLY_FILLED).transition(S.PARTIALLY_FILLED, AT,
                                             filled_quantity=Decimal(50))[0]
    with pytest.raises(InvalidTransition, match="outside"):
        o.transition(S.PARTIALLY_FILLED, AT, filled_quantity=Decimal(40))
    with pytest.raises(InvalidTransition, match="outside"):
        o.transition(S.FILLED, AT, filled_quantity=Decimal(101))


def test_a_limit_order_needs_its_price() -> None:
    with pytest.raises(Exception, match="limit price"):
        Order("C1", "B1", "AAPL", Side.BUY, Decimal(1), OrderType.LIMIT)


def test_client_order_ids_are_deterministic_and_distinct() -> None:
    one = client_order_id(7, "block:Schwab", "AAPL", Side.BUY, 1)
    assert one == client_order_id(7, "block:Schwab", "AAPL", Side.BUY, 1)
    others = {client_order_id(8, "block:Schwab", "AAPL", Side.BUY, 1),
              client_order_id(7, "block:Fidelity", "AAPL", Side.BUY, 1),
              client_order_id(7, "block:Schwab", "MSFT", Side.BUY, 1),
              client_order_id(7, "block:Schwab", "AAPL", Side.SELL, 1),
              client_order_id(7, "block:Schwab", "AAPL", Side.BUY, 2)}
    assert one not in others and len(others) == 5
    assert one.startswith("B7-") and len(one) <= 40


def test_a_bust_lowers_the_filled_quantity_and_reopens_the_order() -> None:
    filled, _ = order(S.ACCEPTED).transition(S.FILLED, AT, filled_quantity=Decimal(100))
    part, event = filled.bust(AT, filled_quantity=Decimal(60), reason="bust X2")
    assert (part.state, part.filled_quantity, part.is_open) == (S.PARTIALLY_FILLED, 60, True)
    assert (event.previous, event.state, event.reason) == (S.FILLED, S.PARTIALLY_FILLED,
                                                           "bust X2")
    nothing, _ = part.bust(AT, filled_quantity=Decimal(0))
    assert nothing.state is S.ACCEPTED and nothing.events == filled.events + 2
    with pytest.raises(InvalidTransition, match="must lower the filled quantity"):
        part.bust(AT, filled_quantity=Decimal(60))
    with pytest.raises(InvalidTransition, match="nothing accepted can be busted"):
        nothing.bust(AT, filled_quantity=Decimal(0))
