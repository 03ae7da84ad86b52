"""Booking: replaying the affected households' history with new events, then saving the state.

Wash sales span a household, so the unit of replay is the household: every account of every
household a new transaction touches (including the receiving side of a transfer) is rebuilt
from its stored history plus the new transactions, in date order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from rich.progress import track

from ballast.data import RowError
from ballast.domain import (
    Account,
    AccountId,
    CorporateAction,
    LedgerError,
    TaxLot,
    Transaction,
)
from ballast.engine.book_loader import Event, ordered_events
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


def _events(events: Sequence[Event], progress: bool, label: str) -> Iterable[Event]:
    if progress and len(events) >= _PROGRESS_MIN_EVENTS:
        return track(events, description=label, transient=True)
    return events


def save_state(tx: UnitOfWork, book: Book, accounts: Sequence[Account]) -> None:
    """Replace the materialized lots, cash and realized gains of ``accounts``."""
    ids = [a.id for a in accounts]
    lots: list[TaxLot] = []
    cash: dict[tuple[AccountId, str], Decimal] = {}
    gains = []
    for acct in ids:
        lots.extend(book.lots(acct))
        for ccy, amount in book.cash(acct).items():
            cash[(acct, ccy)] = amount
        gains.extend(book.realized(acct))
    tx.replace_book_state(ids, lots, cash, gains)


def book_transactions(
    tx: UnitOfWork,
    new: Sequence[Transaction],
    file: str,
    rows: Mapping[int, int],
    *,
    progress: bool = False,
) -> tuple[list[Transaction], list[RowError]]:
    """Book ``new`` into the affected households and save their state.

    Returns the transactions booked and a RowError for each that the ledger refused (its row
    from ``rows``, keyed by ``id(transaction)``); a refused transaction leaves the book as it
    was, so the others are still booked in full.
    """
    accounts = tx.accounts()
    affected = _affected_accounts(accounts, new)
    stored = tx.transactions([a.id for a in affected])
    events = ordered_events([*stored, *new], tx.corporate_actions())
    new_ids = {id(t) for t in new}
    book = Book(tx.instruments(), affected)
    booked: list[Transaction] = []
    errors: list[RowError] = []
    for event in _events(events, progress, f"booking {len(new):,} transactions"):
        try:
            _apply(book, event)
        except LedgerError as exc:
            if id(event) not in new_ids:
                raise LedgerError(
                    f"{file}: a transaction in this file makes an already booked one invalid: "
                    f"{exc}", hint="Look for a backdated row in this file that sells or spends "
                    "what a later booked transaction needs.") from exc
            errors.append(RowError(file, rows[id(event)], _field_of(exc), str(exc)))
            continue
        if id(event) in new_ids:
            booked.append(event)  # type: ignore[arg-type]
    save_state(tx, book, affected)
    return booked, errors


def rebook_all(tx: UnitOfWork, *, progress: bool = False) -> None:
    """Replay the whole book (after new corporate actions) and save every account's state."""
    accounts = list(tx.accounts().values())
    events = ordered_events(tx.transactions(), tx.corporate_actions())
    book = Book(tx.instruments(), accounts)
    for event in _events(events, progress, "re-booking after corporate actions"):
        _apply(book, event)
    save_state(tx, book, accounts)
