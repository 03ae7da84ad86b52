"""What each booked event changed, read off the ledger while it replays the history.

The ledger is the one implementation of booking (trades, dividends from corporate actions,
splits with cash in lieu, symbol changes, transfers between accounts), so the changes are taken
from it: after each event the touched accounts' units of the instruments it names and their
cash are compared with what they were, and the differences are kept as rows. External flows
(deposits, withdrawals, securities transferred in or out) and fees are kept apart as well. This
is one pass over the events, not over accounts × days; the values over time are then array math
(ledger.valuation_series).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal

from ballast.domain import (
    ZERO,
    Account,
    AccountId,
    CorporateAction,
    InstrumentId,
    Transaction,
    TransactionKind,
)
from ballast.engine.book_loader import ordered_events
from ballast.engine.booking import scope_accounts
from ballast.ledger import Book
from ballast.store import UnitOfWork

K = TransactionKind
Row = tuple[AccountId, str, date, float]
"""(account, instrument or currency, date, amount)."""


@dataclass(slots=True)
class BookedChanges:
    """Rows of changes to the accounts measured, in booking order."""

    positions: list[Row] = field(default_factory=list)
    cash: list[Row] = field(default_factory=list)
    cash_flows: list[Row] = field(default_factory=list)
    unit_flows: list[Row] = field(default_factory=list)
    fees: list[Row] = field(default_factory=list)


_FIELDS = tuple(f.name for f in fields(BookedChanges))


def _diff(before: dict[str, Decimal], after: dict[str, Decimal]) -> list[tuple[str, Decimal]]:
    return [(k, after.get(k, ZERO) - before.get(k, ZERO)) for k in sorted({*before, *after})
            if after.get(k, ZERO) != before.get(k, ZERO)]


class _Recorder:
    """Keeps the last seen units of each (measured account, instrument) and cash of each
    measured account, and records what an event changed. An event moves units only of the
    instruments it names (its instrument, and the new one of a symbol change), so only those
    are read back from the book."""

    def __init__(self, book: Book, measured: set[AccountId]) -> None:
        self.book = book
        self.measured = measured
        self.units: dict[tuple[AccountId, str], Decimal] = {}
        self.cash: dict[AccountId, dict[str, Decimal]] = {a: {} for a in measured}
        self.out = BookedChanges()

    def touched(self, account: AccountId, day: date, named: tuple[InstrumentId | None, ...],
                is_transfer: bool) -> None:
        if account not in self.measured:
            return
        for inst in named:
            if inst is None:
                continue
            now = sum((lot.quantity for lot in self.book.lots(account, inst)), ZERO)
            delta = now - self.units.get((account, inst), ZERO)
            if delta:
                self.units[(account, inst)] = now
                self.out.positions.append((account, inst, day, float(delta)))
                if is_transfer:
                    self.out.unit_flows.append((account, inst, day, float(delta)))
        now_cash = {k: v for k, v in self.book.cash(account).items() if v}
        for ccy, change in _diff(self.cash[account], now_cash):
            self.out.cash.append((account, ccy, day, float(change)))
        self.cash[account] = now_cash

    def transaction(self, txn: Transaction) -> None:
        self.book.apply(txn)
        if txn.account_id in self.measured:
            if txn.kind in (K.DEPOSIT, K.WITHDRAWAL):
                sign = 1.0 if txn.kind is K.DEPOSIT else -1.0
                self.out.cash_flows.append(
                    (txn.account_id, txn.currency, txn.trade_date, sign * float(txn.amount)))
            elif txn.kind is K.FEE:
                self.out.fees.append(
                    (txn.account_id, txn.currency, txn.trade_date, float(txn.amount)))
        is_transfer = txn.kind in (K.TRANSFER_IN, K.TRANSFER_OUT)
        named = (txn.instrument_id, txn.new_instrument_id)
        self.touched(txn.account_id, txn.trade_date, named, is_transfer)
        if txn.counter_account is not None:
            self.touched(txn.counter_account, txn.trade_date, named, is_transfer)

    def corporate_action(self, action: CorporateAction) -> None:
        named = (action.instrument_id, action.new_instrument_id)
        for txn in self.book.apply_corporate_action(action):
            self.touched(txn.account_id, action.ex_date, named, False)


def booked_changes(tx: UnitOfWork, accounts: Sequence[Account], until: date) -> BookedChanges:
    """Replay the history up to ``until`` of ``accounts`` (and of the accounts booked with
    them) and return the changes to ``accounts``, dated by trade or ex-date."""
    scope = scope_accounts(tx, [a.id for a in accounts])
    ids = [a.id for a in scope]
    events = ordered_events(tx.transactions(ids, until=until), tx.corporate_actions(), until)
    recorder = _Recorder(Book(tx.instruments(), scope), {a.id for a in accounts})
    for event in events:
        if isinstance(event, CorporateAction):
            recorder.corporate_action(event)
        else:
            recorder.transaction(event)
    return recorder.out


def by_account(booked: BookedChanges) -> dict[str, BookedChanges]:
    """The rows of ``booked`` split by account."""
    out: dict[str, BookedChanges] = {}
    for name in _FIELDS:
        for row in getattr(booked, name):
            part = out.get(row[0])
            if part is None:
                part = out[row[0]] = BookedChanges()
            getattr(part, name).append(row)
    return out


def merged(parts: Sequence[BookedChanges]) -> BookedChanges:
    """The rows of ``parts`` together."""
    out = BookedChanges()
    for name in _FIELDS:
        rows: list[Row] = getattr(out, name)
        for part in parts:
            rows.extend(getattr(part, name))
    return out
