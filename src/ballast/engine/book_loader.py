"""Rebuilding the book of record by replaying stored events in date order.

The stored transactions and corporate actions are the book's source of truth; open lots, cash
and realized gains are materialized from them. Replaying is what makes a backdated transaction
or a late corporate action safe: the whole history is re-applied in order, so lots, wash-sale
adjustments and gains come out as if the events had arrived on time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date

from ballast.domain import Account, CorporateAction, Instrument, InstrumentId, Transaction
from ballast.ledger import Book

Event = Transaction | CorporateAction


def ordered_events(
    transactions: Iterable[Transaction],
    corporate_actions: Iterable[CorporateAction],
    until: date | None = None,
) -> list[Event]:
    """Events up to ``until`` in booking order: by date, corporate actions before that day's
    transactions (a split is effective at the open), transactions in their stored order."""
    keyed: list[tuple[date, int, int, Event]] = []
    for i, ca in enumerate(corporate_actions):
        if until is None or ca.ex_date <= until:
            keyed.append((ca.ex_date, 0, i, ca))
    for i, txn in enumerate(transactions):
        if until is None or txn.trade_date <= until:
            keyed.append((txn.trade_date, 1, i, txn))
    keyed.sort(key=lambda k: (k[0], k[1], k[2]))
    return [k[3] for k in keyed]


def replay(
    instruments: Mapping[InstrumentId, Instrument],
    accounts: Iterable[Account],
    events: Iterable[Event],
    substantially_identical: Mapping[InstrumentId, str] | None = None,
    on_event: Callable[[Event], None] | None = None,
) -> Book:
    """A new Book with every event applied; raises the ledger's error on the first bad one."""
    book = Book(instruments, accounts, substantially_identical=substantially_identical)
    for event in events:
        if isinstance(event, CorporateAction):
            book.apply_corporate_action(event)
        else:
            book.apply(event)
        if on_event is not None:
            on_event(event)
    return book
