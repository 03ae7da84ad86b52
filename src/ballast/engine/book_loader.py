"""Rebuilding the book of record by replaying stored events in date order.

The stored transactions and corporate actions are the book's source of truth; open lots, cash
and realized gains are materialized from them. Replaying is what makes a backdated transaction
or a late corporate action safe: the whole history is re-applied in order, so lots, wash-sale
adjustments and gains come out as if the events had arrived on time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from operator import attrgetter

from ballast.domain import Account, CorporateAction, Instrument, InstrumentId, Transaction
from ballast.ledger import Book

Event = Transaction | CorporateAction


def ordered_events(
    transactions: Iterable[Transaction],
    corporate_actions: Iterable[CorporateAction],
    until: date | None = None,
) -> list[Event]:
    """Events up to ``until`` in booking order: by date, corporate actions before that day's
    transactions (a split is effective at the open), transactions in their given order."""
    txns = sorted(
        (t for t in transactions if until is None or t.trade_date <= until),
        key=attrgetter("trade_date"),  # stable: the given order is kept within a day
    )
    actions = sorted(
        (ca for ca in corporate_actions if until is None or ca.ex_date <= until),
        key=attrgetter("ex_date"),
    )
    if not actions:
        return list(txns)
    out: list[Event] = []
    k = 0
    for txn in txns:
        while k < len(actions) and actions[k].ex_date <= txn.trade_date:
            out.append(actions[k])
            k += 1
        out.append(txn)
    out.extend(actions[k:])
    return out


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
