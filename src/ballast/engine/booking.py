"""Booking: replaying the affected households' history with new events, then saving the state.

Wash sales span a household, so the unit of replay is the household: every account of every
household a new transaction touches (including the receiving side of a transfer) is rebuilt
from its stored history plus the new transactions, in date order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal

from ballast.data import RowError
from ballast.domain import (
    Account,
    AccountId,
    CorporateAction,
    Instrument,
    InstrumentId,
    LedgerError,
    TaxLot,
    Transaction,
)
from ballast.engine.book_loader import Event, ordered_events
from ballast.engine.progress import Steps, each
from ballast.ledger import Book
from ballast.store import UnitOfWork

_PROGRESS_MIN_EVENTS = 20_000


def _affected_accounts(accounts: Mapping[AccountId, Account],
                       txns: Iterable[Transaction]) -> list[Account]:
    households = set()
    for t in txns:
        for acct in (t.account_id, t.counter_account):
            if acct is not None and acct in accounts:
                households.add(accounts[acct].household_id)
    return [a for a in accounts.values() if a.household_id in households]


def _field_of(exc: LedgerError) -> str:
    text = str(exc).lower()
    for name in ("quantity", "cash", "currency", "lots", "instrument", "account", "price"):
        if name in text:
            return name
    return ""


def _apply(book: Book, event: Event) -> None:
    if isinstance(event, CorporateAction):
        book.apply_corporate_action(event)
    else:
        book.apply(event)


def _events(events: Sequence[Event], steps: Steps | None, label: str) -> Iterable[Event]:
    return each(steps if len(events) >= _PROGRESS_MIN_EVENTS else None, events, label)


def save_state(tx: UnitOfWork, book: Book, accounts: Sequence[Account]) -> None:
    """Replace the materialized lots, cash and realized gains of ``accounts``."""
    ids = [a.id for a in accounts]
    lots: list[TaxLot] = []
    cash: dict[tuple[str, str], Decimal] = {}
    gains = []
    for acct in ids:
        lots.extend(book.lots(acct))
        for ccy, amount in book.cash(acct).items():
            cash[(acct, ccy)] = amount
        gains.extend(book.realized(acct))
    tx.replace_book_state(ids, lots, cash, gains)


class _BackgroundWrite:
    """Runs one write of the unit of work on a second thread while the ledger books.

    SQLite and psycopg release the GIL while the database works, so the insert of a large
    file overlaps with booking on the second core. The main thread does not touch the
    connection until :meth:`join`, which re-raises any error of the write.
    """

    def __init__(self, write: Callable[[], object]) -> None:
        self._error: BaseException | None = None

        def run() -> None:
            try:
                write()
            except BaseException as exc:  # handed to the caller by join()
                self._error = exc

        self._thread = threading.Thread(target=run, name="ballast-write", daemon=True)
        self._thread.start()

    def join(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error


def book_transactions(
    tx: UnitOfWork,
    new: Sequence[Transaction],
    file: str,
    rows: Mapping[int, int],
    import_id: int | None,
    *,
    steps: Steps | None = None,
) -> tuple[list[Transaction], list[RowError]]:
    """Book ``new`` into the affected households, write them and save the state.

    Returns the transactions booked and a RowError for each that the ledger refused (its row
    from ``rows``, keyed by ``id(transaction)``); a refused transaction leaves the book as it
    was, so the others are still booked in full, and it is not kept in the store.
    """
    accounts = tx.accounts()
    affected = _affected_accounts(accounts, new)
    stored = tx.transactions([a.id for a in affected])
    corporate_actions = tx.corporate_actions()
    instruments = tx.instruments()
    writer = _BackgroundWrite(lambda: tx.add_transactions(new, import_id))
    try:
        book, refused, errors = _book(affected, instruments, stored, new, corporate_actions,
                                      file, rows, steps)
    finally:
        writer.join()
    if refused:
        tx.remove_transactions([t.id for t in refused])
    save_state(tx, book, affected)
    refused_ids = {id(t) for t in refused}
    return [t for t in new if id(t) not in refused_ids], errors


def _book(
    affected: Sequence[Account],
    instruments: Mapping[InstrumentId, Instrument],
    stored: Sequence[Transaction],
    new: Sequence[Transaction],
    corporate_actions: Sequence[CorporateAction],
    file: str,
    rows: Mapping[int, int],
    steps: Steps | None,
) -> tuple[Book, list[Transaction], list[RowError]]:
    """Replay stored and new events; returns the book, the refused new ones and their errors."""
    events = ordered_events([*stored, *new], corporate_actions)
    new_ids = {id(t) for t in new}
    book = Book(instruments, affected)
    refused: list[Transaction] = []
    errors: list[RowError] = []
    for event in _events(events, steps, f"booking {len(new):,} transactions"):
        try:
            _apply(book, event)
        except LedgerError as exc:
            if id(event) not in new_ids:
                raise LedgerError(
                    f"{file}: a transaction in this file makes an already booked one invalid: "
                    f"{exc}", hint="Look for a backdated row in this file that sells or spends "
                    "what a later booked transaction needs.") from exc
            assert isinstance(event, Transaction)
            refused.append(event)
            errors.append(RowError(file, rows[id(event)], _field_of(exc), str(exc)))
    return book, refused, errors


def rebook_all(tx: UnitOfWork, *, steps: Steps | None = None) -> None:
    """Replay the whole book (after new corporate actions) and save every account's state."""
    accounts = list(tx.accounts().values())
    events = ordered_events(tx.transactions(), tx.corporate_actions())
    book = Book(tx.instruments(), accounts)
    for event in _events(events, steps, "re-booking after corporate actions"):
        _apply(book, event)
    save_state(tx, book, accounts)
