"""Reconciliation: the book's positions, cash and fills against a broker's or custodian's
reports. Pure: values in, every break out, each with its kind, source, amounts and words."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from ballast.domain import (
    ZERO,
    AccountId,
    BallastError,
    InstrumentId,
    LotSpec,
    Transaction,
    TransactionId,
)
from ballast.domain import TransactionKind as Kind
from ballast.execution.orders import Fill, Side


class BreakKind(StrEnum):
    """What differs. ``missing_at_broker``: held in the book, not reported (by the broker or
    the custodian); ``missing_in_book``: reported, unknown to the book."""

    MISSING_AT_BROKER = "missing_at_broker"
    MISSING_IN_BOOK = "missing_in_book"
    QUANTITY_DIFFERS = "quantity_differs"
    CASH_DIFFERS = "cash_differs"
    FILL_UNKNOWN = "fill_unknown"
    FILL_DUPLICATED = "fill_duplicated"


class Source(StrEnum):
    """Whose report a break was found in."""

    BROKER = "broker"
    CUSTODIAN = "custodian"


@dataclass(frozen=True, slots=True)
class Break:
    """One difference between the book and a report. ``item`` is the instrument (positions,
    fills) or the currency (cash); ``broker`` is the reported value (the broker's or the
    custodian's, as ``source`` says); ``difference`` is reported minus book."""

    kind: BreakKind
    account: str
    item: str
    book: Decimal | None
    broker: Decimal | None
    difference: Decimal
    words: str
    source: Source = Source.BROKER


@dataclass(frozen=True, slots=True)
class Tolerances:
    """Differences at most this large are not breaks: ``quantity`` in units, ``cash`` in the
    currency (a block's allocations round each account's amount to the cent)."""

    quantity: Decimal = ZERO
    cash: Decimal = Decimal("1.00")


Keyed = Mapping[tuple[str, str], Decimal]  # (account, instrument or currency) -> amount


def compare_positions(book: Keyed, broker: Keyed, tolerance: Decimal = ZERO,
                      source: Source = Source.BROKER) -> list[Break]:
    """Positions by (account, instrument): held on one side only, or in other quantities."""
    out = []
    at = f"at the {source}"
    for account, instrument in sorted(set(book) | set(broker)):
        ours, theirs = book.get((account, instrument)), broker.get((account, instrument))
        mine, other = ours or ZERO, theirs or ZERO
        if abs(other - mine) <= tolerance:
            continue
        where = f"{account}: {instrument}"
        if not other:
            kind, words = BreakKind.MISSING_AT_BROKER, f"{where} {mine} in the book, none {at}"
        elif not mine:
            kind, words = BreakKind.MISSING_IN_BOOK, f"{where} {other} {at}, none in the book"
        else:
            kind, words = BreakKind.QUANTITY_DIFFERS, f"{where} {mine} in the book, {other} " \
                f"{at} ({other - mine:+})"
        out.append(Break(kind, account, instrument, ours, theirs, other - mine, words, source))
    return out


def compare_cash(book: Keyed, broker: Keyed, tolerance: Decimal = ZERO,
                 source: Source = Source.BROKER) -> list[Break]:
    """Cash by (account, currency): a difference above ``tolerance`` is a break."""
    out = []
    for account, currency in sorted(set(book) | set(broker)):
        ours, theirs = book.get((account, currency)), broker.get((account, currency))
        diff = (theirs or ZERO) - (ours or ZERO)
        if abs(diff) > tolerance:
            out.append(Break(BreakKind.CASH_DIFFERS, account, currency, ours, theirs, diff,
                             f"{account}: {currency} cash {ours or ZERO} in the book, "
                             f"{theirs or ZERO} at the {source} ({diff:+})", source))
    return out


def fill_cash(f: Fill) -> Decimal:
    """What a fill does to cash: a buy pays its value and commission, a sell receives."""
    sign = 1 if f.side is Side.BUY else -1
    return -sign * f.quantity * f.price - f.commission


def compare_fills(account: str, book: Sequence[Fill], broker: Sequence[Fill]) -> list[Break]:
    """Fills by execution id: booked but not reported, reported but unknown to the book,
    reported twice, or reported with another quantity or amount."""
    seen = Counter(f.fill_id for f in broker)
    theirs = {f.fill_id: f for f in broker}
    ours = {f.fill_id: f for f in book}
    out = [Break(BreakKind.FILL_DUPLICATED, account, theirs[i].instrument_id, None,
                 Decimal(n), Decimal(n - 1), f"fill {i} reported {n} times by the broker")
           for i, n in sorted(seen.items()) if n > 1]
    for i in sorted(set(ours) | set(theirs)):
        mine, other = ours.get(i), theirs.get(i)
        if other is None and mine is not None:
            out.append(Break(BreakKind.MISSING_AT_BROKER, account, mine.instrument_id,
                             mine.quantity, None, -mine.quantity,
                             f"fill {i} ({mine.side} {mine.quantity} {mine.instrument_id}) is "
                             "in the book but not reported by the broker"))
        elif mine is None and other is not None:
            out.append(Break(BreakKind.FILL_UNKNOWN, account, other.instrument_id, None,
                             other.quantity, other.quantity,
                             f"fill {i} ({other.side} {other.quantity} {other.instrument_id}) "
                             "reported by the broker is unknown to the book"))
        elif mine is not None and other is not None:
            out.extend(_fill_differences(account, mine, other))
    return out


def _fill_differences(account: str, mine: Fill, other: Fill) -> list[Break]:
    out = []
    if (mine.quantity, mine.side) != (other.quantity, other.side):
        out.append(Break(BreakKind.QUANTITY_DIFFERS, account, mine.instrument_id, mine.quantity,
                         other.quantity, other.quantity - mine.quantity,
                         f"fill {mine.fill_id}: {mine.side} {mine.quantity} in the book, "
                         f"{other.side} {other.quantity} at the broker"))
    elif fill_cash(mine) != fill_cash(other):
        diff = fill_cash(other) - fill_cash(mine)
        out.append(Break(BreakKind.CASH_DIFFERS, account, mine.currency, fill_cash(mine),
                         fill_cash(other), diff,
                         f"fill {mine.fill_id}: price or commission differ ({diff:+} "
                         f"{mine.currency})"))
    return out


class AdjustmentRefused(BallastError):
    """A break that no correcting transaction of a client account can settle."""

    hint = "Nothing was booked."


POSITION_KINDS = frozenset({BreakKind.MISSING_AT_BROKER, BreakKind.MISSING_IN_BOOK,
                            BreakKind.QUANTITY_DIFFERS})


def correcting_transaction(b: Break, transaction_id: str, on: date, *,
                           price: Decimal | None = None, memo: str = "") -> Transaction:
    """The transaction that brings the book to the custodian's figure of break ``b`` on ``on``:
    cash short in the book is a deposit, cash over a withdrawal; units short a transfer in of
    the difference as one lot acquired on ``on`` at ``price`` a unit, units over a transfer
    out (relieved by the account's lot method). Breaks of the broker's own account and of
    fills are refused: the book's accounts follow from the fills, which are corrected at the
    broker."""
    if b.source is not Source.CUSTODIAN:
        raise AdjustmentRefused(
            f"{b.kind} of {b.account}'s {b.item} was found in the broker's report, not in a "
            "client account", hint="The broker's account holds the blocks it executed; "
            "correct the fill with the broker, then reconcile again.")
    tid, account = TransactionId(transaction_id), AccountId(b.account)
    amount = abs(b.difference)
    if b.kind is BreakKind.CASH_DIFFERS:
        return Transaction(tid, account, Kind.DEPOSIT if b.difference > 0 else Kind.WITHDRAWAL,
                           on, amount=amount, currency=b.item, memo=memo)
    if b.kind not in POSITION_KINDS:
        raise AdjustmentRefused(f"a {b.kind} break has no correcting transaction")
    instrument = InstrumentId(b.item)
    if b.difference < 0:
        return Transaction(tid, account, Kind.TRANSFER_OUT, on, instrument_id=instrument,
                           quantity=amount, memo=memo)
    if price is None:
        raise AdjustmentRefused(
            f"no price for {b.item} on {on} to carry the {amount} units in at",
            hint="Give the cost per unit of the units to book (--price).")
    return Transaction(tid, account, Kind.TRANSFER_IN, on, instrument_id=instrument, lots=(
        LotSpec(amount, cost_basis=amount * price, acquired=on, holding_start=on),),
        memo=memo)
