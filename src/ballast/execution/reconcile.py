"""Reconciliation: the book's positions, cash and fills against a broker's or custodian's
reports. Pure: values in, every break out, each with its kind, amounts and words."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from ballast.domain import ZERO
from ballast.execution.orders import Fill, Side


class BreakKind(StrEnum):
    MISSING_AT_BROKER = "missing_at_broker"
    MISSING_IN_BOOK = "missing_in_book"
    QUANTITY_DIFFERS = "quantity_differs"
    CASH_DIFFERS = "cash_differs"
    FILL_UNKNOWN = "fill_unknown"
    FILL_DUPLICATED = "fill_duplicated"


@dataclass(frozen=True, slots=True)
class Break:
    """One difference between the book and the broker. ``item`` is the instrument (positions,
    fills) or the currency (cash); ``difference`` is broker minus book."""

    kind: BreakKind
    account: str
    item: str
    book: Decimal | None
    broker: Decimal | None
    difference: Decimal
    words: str


@dataclass(frozen=True, slots=True)
class Tolerances:
    """Differences at most this large are not breaks: ``quantity`` in units, ``cash`` in the
    currency (a block's allocations round each account's amount to the cent)."""

    quantity: Decimal = ZERO
    cash: Decimal = Decimal("1.00")


Keyed = Mapping[tuple[str, str], Decimal]  # (account, instrument or currency) -> amount


def compare_positions(book: Keyed, broker: Keyed, tolerance: Decimal = ZERO) -> list[Break]:
    """Positions by (account, instrument): held on one side only, or in other quantities."""
    out = []
    for account, instrument in sorted(set(book) | set(broker)):
        ours, theirs = book.get((account, instrument)), broker.get((account, instrument))
        mine, other = ours or ZERO, theirs or ZERO
        if abs(other - mine) <= tolerance:
            continue
        where = f"{account}: {instrument}"
        if not other:
            kind, words = BreakKind.MISSING_AT_BROKER, f"{where} {mine} in the book, none at " \
                "the broker"
        elif not mine:
            kind, words = BreakKind.MISSING_IN_BOOK, f"{where} {other} at the broker, none in " \
                "the book"
        else:
            kind, words = BreakKind.QUANTITY_DIFFERS, f"{where} {mine} in the book, {other} " \
                f"at the broker ({other - mine:+})"
        out.append(Break(kind, account, instrument, ours, theirs, other - mine, words))
    return out


def compare_cash(book: Keyed, broker: Keyed, tolerance: Decimal = ZERO) -> list[Break]:
    """Cash by (account, currency): a difference above ``tolerance`` is a break."""
    out = []
    for account, currency in sorted(set(book) | set(broker)):
        ours, theirs = book.get((account, currency)), broker.get((account, currency))
        diff = (theirs or ZERO) - (ours or ZERO)
        if abs(diff) > tolerance:
            out.append(Break(BreakKind.CASH_DIFFERS, account, currency, ours, theirs, diff,
                             f"{account}: {currency} cash {ours or ZERO} in the book, "
                             f"{theirs or ZERO} at the broker ({diff:+})"))
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
