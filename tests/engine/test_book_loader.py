"""Booking order: corporate actions at the open, transactions in date then given order."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ballast.domain import (
    AccountId,
    CorporateAction,
    CorporateActionKind,
    InstrumentId,
    Transaction,
    TransactionId,
    TransactionKind,
)
from ballast.engine.book_loader import ordered_events

A = AccountId("A")


def deposit(tid: str, day: date) -> Transaction:
    return Transaction(TransactionId(tid), A, TransactionKind.DEPOSIT, day, amount=Decimal(1))


def split(cid: str, day: date) -> CorporateAction:
    return CorporateAction(cid, InstrumentId("AAPL"), CorporateActionKind.SPLIT, day,
                           ratio=Decimal(4))


def ids(events: list[Transaction | CorporateAction]) -> list[str]:
    return [e.id for e in events]


def test_dates_first_then_given_order_and_actions_at_the_open() -> None:
    d1, d2, d3 = date(2020, 8, 28), date(2020, 8, 31), date(2020, 9, 1)
    txns = [deposit("b", d2), deposit("a", d2), deposit("c", d1), deposit("d", d3)]
    actions = [split("S", d2), split("late", date(2020, 12, 1))]
    assert ids(ordered_events(txns, actions)) == ["c", "S", "b", "a", "d", "late"]


def test_until_leaves_out_later_events() -> None:
    d1, d2 = date(2020, 8, 28), date(2020, 8, 31)
    events = ordered_events([deposit("x", d1), deposit("y", d2)], [split("S", d2)], until=d1)
    assert ids(events) == ["x"]


def test_no_actions() -> None:
    d1 = date(2020, 8, 28)
    assert ids(ordered_events([deposit("x", d1)], [])) == ["x"]
