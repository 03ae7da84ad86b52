"""Booking new events: replay the affected history with them, write them, save the state.

Wash sales span a household and transfers tie households together, so the unit of replay is
the booking scope (``book_loader.booking_scope``): every account of every household a new
transaction touches, closed over transfers. A new corporate action replays the whole book.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from ballast.data import RowError
from ballast.domain import (
    Account,
    AccountId,
    CorporateAction,
    LedgerError,
    TaxLot,
    Transaction,
)
from ballast.engine.book_loader import Event, booking_scope, ordered_events, replay
from ballast.engine.progress import Steps
from ballast.ledger import Book
from ballast.store import UnitOfWork


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


def book_new(
    tx: UnitOfWork,
    file: str,
    rows: Mapping[int, int],
    *,
    transactions: Sequence[Transaction] = (),
    actions: Sequence[CorporateAction] = (),
    import_id: int | None = None,
    steps: Steps | None = None,
) -> tuple[int, list[RowError]]:
    """Book and write new transactions or corporate actions; save the state they change.

    ``rows`` maps ``id(event)`` to its row in ``file``. Returns how many events were written
    and a RowError for each the ledger refused (refused events are not kept).
    """
    accounts = tx.accounts()
    if actions:
        scope = list(accounts.values())
        stored = tx.transactions()
    else:
        seeds = {a for t in transactions for a in (t.account_id, t.counter_account) if a}
        scope = booking_scope(accounts, seeds, tx.counterparties)
        stored = tx.transactions([a.id for a in scope])
    events = ordered_events([*stored, *transactions], [*tx.corporate_actions(), *actions])
    refused: list[Event] = []
    errors: list[RowError] = []

    def on_refused(event: Event, exc: LedgerError) -> None:
        refused.append(event)
        errors.append(RowError(file, rows[id(event)], exc.field, str(exc)))

    writer = _BackgroundWrite(lambda: tx.add_transactions(transactions, import_id))
    try:
        book = _replay_scope(tx, scope, events, [*transactions, *actions], on_refused, steps,
                             file)
    finally:
        writer.join()
    refused_ids = {id(e) for e in refused}
    if refused_ids and transactions:
        tx.remove_transactions([t.id for t in transactions if id(t) in refused_ids])
    accepted = [a for a in actions if id(a) not in refused_ids]
    if accepted:
        tx.add_corporate_actions(accepted)
    save_state(tx, book, scope)
    written = len(transactions) + len(actions) - len(refused_ids)
    return written, errors


def book_by_account(tx: UnitOfWork, source: str, transactions: Sequence[Transaction]
                    ) -> dict[AccountId, str]:
    """Book ``transactions`` account by account: an account any of whose transactions the
    ledger refuses has none of them booked, and the others are booked as if it were absent.
    Returns the refused accounts with the ledger's reasons (empty when all were booked).

    As :func:`book_new`, the transactions are written on a second thread while the booking
    scope is replayed once; after a refusal the scope is replayed again without the refused
    accounts' transactions, until none is refused, and theirs are removed."""
    seeds = {t.account_id for t in transactions}
    scope = booking_scope(tx.accounts(), seeds, tx.counterparties)
    stored = tx.transactions([a.id for a in scope])
    actions = tx.corporate_actions()
    instruments = tx.instruments()
    refused: dict[AccountId, list[str]] = {}
    writer = _BackgroundWrite(lambda: tx.add_transactions(transactions))
    try:  # the replays below do not touch the connection the writer uses
        while True:
            todo = [t for t in transactions if t.account_id not in refused]
            found: dict[AccountId, list[str]] = {}

            def on_refused(event: Event, exc: LedgerError,
                           found: dict[AccountId, list[str]] = found) -> None:
                assert isinstance(event, Transaction)  # only the new ones may be refused
                found.setdefault(event.account_id, []).append(f"{event.id}: {exc}")

            try:
                book = replay(instruments, scope, ordered_events([*stored, *todo], actions),
                              new={id(t) for t in todo}, on_refused=on_refused)
            except LedgerError as exc:
                raise LedgerError(f"{source}: an already booked transaction no longer holds: "
                                  f"{exc}", hint="Correct the holdings, then run it again."
                                  ) from exc
            if not found:
                break
            refused.update(found)
    finally:
        writer.join()
    if refused:
        tx.remove_transactions([t.id for t in transactions if t.account_id in refused])
    save_state(tx, book, scope)
    return {a: "; ".join(reasons) for a, reasons in sorted(refused.items())}


def _replay_scope(tx: UnitOfWork, scope: Sequence[Account], events: Sequence[Event],
                  new: Sequence[Event], on_refused: Callable[[Event, LedgerError], None],
                  steps: Steps | None, file: str) -> Book:
    try:
        return replay(tx.instruments(), scope, events, new={id(e) for e in new},
                      on_refused=on_refused, steps=steps)
    except LedgerError as exc:
        raise LedgerError(
            f"{file}: with this file, an already booked transaction no longer holds: {exc}",
            hint="Look for a backdated row or a corporate action in this file that removes "
            "what a later booked transaction needs.") from exc


def scope_accounts(tx: UnitOfWork, seeds: Sequence[AccountId]) -> list[Account]:
    """The accounts replayed together with ``seeds`` (see book_loader.booking_scope)."""
    return booking_scope(tx.accounts(), seeds, tx.counterparties)
