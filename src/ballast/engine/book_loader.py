"""Rebuilding the book of record by replaying events in date order.

The stored transactions and corporate actions are the book's source of truth; open lots, cash
and realized gains are materialized from them. Replaying is what makes a backdated transaction
or a late corporate action safe: the whole history is re-applied in order, so lots, wash-sale
adjustments and gains come out as if the events had arrived on time.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date
from operator import attrgetter

from ballast.domain import (
    Account,
    AccountId,
    CorporateAction,
    Instrument,
    InstrumentId,
    LedgerError,
    Transaction,
)
from ballast.engine.progress import Steps, each
from ballast.ledger import Book

Event = Transaction | CorporateAction
_PROGRESS_MIN_EVENTS = 20_000


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
    events: Sequence[Event],
    *,
    new: Collection[int] = frozenset(),
    on_refused: Callable[[Event, LedgerError], None] | None = None,
    steps: Steps | None = None,
) -> Book:
    """A new Book with ``events`` applied in the order given.

    An event whose ``id()`` is in ``new`` and that the ledger refuses is handed to
    ``on_refused`` and left out (the book stays as it was before it); any other refusal raises,
    since it means already-booked history no longer holds.
    """
    book = Book(instruments, accounts)
    shown = steps if len(events) >= _PROGRESS_MIN_EVENTS else None
    for event in each(shown, events, f"booking {len(events):,} events"):
        try:
            if isinstance(event, CorporateAction):
                book.apply_corporate_action(event)
            else:
                book.apply(event)
        except LedgerError as exc:
            if on_refused is None or id(event) not in new:
                raise
            on_refused(event, exc)
    return book


def booking_scope(accounts: Mapping[AccountId, Account], seeds: Iterable[AccountId],
                  counterparties: Callable[[Collection[str]], set[AccountId]]) -> list[Account]:
    """Every account that must be replayed together with ``seeds``: their households (wash
    sales span a household), and the households they exchanged transfers with, transitively."""
    households = {accounts[a].household_id for a in seeds if a in accounts}
    while True:
        members = {a.id for a in accounts.values() if a.household_id in households}
        linked = {accounts[a].household_id for a in counterparties(members) if a in accounts}
        if linked <= households:
            return [a for a in accounts.values() if a.household_id in households]
        households |= linked
