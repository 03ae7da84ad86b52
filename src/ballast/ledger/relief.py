"""Lot relief: which tax lots a sale or transfer out takes units from. Pure functions.

Every method breaks ties by lot id, so the same lots always give the same answer.

- FIFO: earliest ``acquired`` first. LIFO: latest ``acquired`` first.
- HIFO: highest unit cost first.
- SPECIFIC: the lots named by ``LotSpec(lot_id, quantity)``; each must exist and hold enough, and
  the named quantities must add up to the quantity relieved.
- AVERAGE (mutual funds, IRS average basis method): units leave first-in first-out, which fixes
  each part's acquisition date and holding period, but every lot is first re-based to the
  position's average unit cost (see :func:`average_lots`). The returned lots are those re-based
  copies; the Book re-bases the lots that remain the same way, so total basis is conserved.
- MIN_TAX: losses first (largest loss per unit first), then long-term gains (smallest gain per
  unit first), then short-term gains (smallest first). Needs ``price`` per unit in the same terms
  as ``TaxLot.unit_cost`` (price × multiplier). A zero gain counts as a gain. Given estimated
  ``rates`` (short-term, long-term), gains of either term are instead ranked by the tax they
  would cost per unit (gain × the term's rate), smallest first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import TypeVar

from ballast.domain import ZERO, LedgerError, LotId, LotMethod, LotSpec, TaxLot, Term, holding_term

N = TypeVar("N", Decimal, float)


def relief_order(method: LotMethod, ids: Sequence[str], unit_costs: Sequence[N],
                 acquired: Sequence[date], holding_start: Sequence[date], *, sale_date: date,
                 price: N | None = None, rates: tuple[N, N] | None = None) -> list[int]:
    """The order (indices) in which FIFO, LIFO, HIFO, MIN_TAX or AVERAGE (first in, first out)
    take from lots given as columns — exact ``Decimal`` or, for estimates, ``float``; ties
    broken by lot id. Raises LedgerError for SPECIFIC or for MIN_TAX without a price."""
    key = _lot_key(method, sale_date, price, rates)
    return sorted(range(len(ids)), key=lambda k: key(ids[k], unit_costs[k], acquired[k],
                                                     holding_start[k]))


def _lot_key(method: LotMethod, sale_date: date, price: N | None,
             rates: tuple[N, N] | None) -> Callable[[str, N, date, date], tuple[object, ...]]:
    """The sort key of a lot (id, unit cost, acquired, holding start) under ``method``."""
    if method in (LotMethod.FIFO, LotMethod.AVERAGE):
        return lambda i, c, a, h: (a, i)
    if method is LotMethod.LIFO:
        return lambda i, c, a, h: (-a.toordinal(), i)
    if method is LotMethod.HIFO:
        return lambda i, c, a, h: (-c, i)
    if method is not LotMethod.MIN_TAX:
        raise LedgerError(f"{method.value} relief names its lots; there is no order",
                          field="lot_method")
    if price is None:
        raise LedgerError("min_tax relief needs the sale price", field="price")
    at = price

    def min_tax(i: str, c: N, a: date, h: date) -> tuple[object, ...]:
        gain = at - c
        if gain < 0:
            return (0, gain, i)
        long = holding_term(h, sale_date) is Term.LONG
        if rates is not None:
            return (1, gain * rates[1 if long else 0], i)
        return (1 if long else 2, gain, i)

    return min_tax


def average_lots(lots: Sequence[TaxLot]) -> list[TaxLot]:
    """The lots, in the given order, each with basis = quantity × the average unit cost.

    The last lot takes the exact rest so that the total basis is unchanged to the last digit.
    """
    total_qty = sum((lot.quantity for lot in lots), ZERO)
    total_basis = sum((lot.cost_basis for lot in lots), ZERO)
    if total_qty <= 0:
        return list(lots)
    average = total_basis / total_qty
    out: list[TaxLot] = []
    assigned = ZERO
    for i, lot in enumerate(lots):
        basis = total_basis - assigned if i == len(lots) - 1 else lot.quantity * average
        assigned += basis
        out.append(replace(lot, cost_basis=basis))
    return out


def _specific(
    lots: Sequence[TaxLot], quantity: Decimal, specific: Sequence[LotSpec]
) -> list[tuple[TaxLot, Decimal]]:
    if not specific:
        raise LedgerError("specific identification needs the lots named on the trade",
                          field="lots")
    wanted: dict[LotId, Decimal] = {}
    for spec in specific:
        if spec.lot_id is None or spec.quantity <= 0:
            raise LedgerError("each named lot needs a lot id and a positive quantity",
                              field="lots")
        wanted[spec.lot_id] = wanted.get(spec.lot_id, ZERO) + spec.quantity
    named_total = sum(wanted.values(), ZERO)
    if named_total != quantity:
        raise LedgerError(f"the named lots add up to {named_total}, not the {quantity} relieved",
                          field="lots")
    by_id = {lot.id: lot for lot in lots}
    out: list[tuple[TaxLot, Decimal]] = []
    for lot_id, qty in wanted.items():
        lot = by_id.get(lot_id)
        if lot is None:
            raise LedgerError(f"lot {lot_id} is not open in this position", field="lots")
        if lot.quantity < qty:
            raise LedgerError(f"lot {lot_id} holds {lot.quantity}, fewer than the {qty} named",
                              field="lots")
        out.append((lot, qty))
    return out


def select_lots(
    lots: Sequence[TaxLot],
    quantity: Decimal,
    method: LotMethod,
    *,
    sale_date: date,
    price: Decimal | None = None,
    specific: Sequence[LotSpec] = (),
    rates: tuple[Decimal, Decimal] | None = None,
) -> list[tuple[TaxLot, Decimal]]:
    """The (lot, quantity taken) pairs that relieve ``quantity`` units by ``method``
    (``rates``: estimated short- and long-term tax rates that rank MIN_TAX's gain lots).

    Only lots with a positive quantity are considered. Raises LedgerError when the lots hold
    fewer than ``quantity`` units, a named lot is missing or short, or MIN_TAX has no price.
    """
    if quantity <= 0:
        raise LedgerError(f"quantity to relieve must be positive, got {quantity}",
                          field="quantity")
    longs = [lot for lot in lots if lot.quantity > 0]
    if method is LotMethod.SPECIFIC:
        return _specific(longs, quantity, specific)
    available = sum((lot.quantity for lot in longs), ZERO)
    if available < quantity:
        raise LedgerError(f"relieving {quantity} units but only {available} are held",
                          field="quantity")
    key = _lot_key(method, sale_date, price, rates)
    ordered = sorted(longs, key=lambda lot: key(lot.id, lot.unit_cost, lot.acquired,
                                                lot.holding_start))
    if method is LotMethod.AVERAGE:
        ordered = average_lots(ordered)
    out: list[tuple[TaxLot, Decimal]] = []
    left = quantity
    for lot in ordered:
        if left <= 0:
            break
        take = min(lot.quantity, left)
        out.append((lot, take))
        left -= take
    return out
