"""Holdings and values over time, vectorized: segmented cumulative sums of booked changes.

A change adds ``amount`` units of an item (an instrument, or a currency for cash) to an account
at the close of a valuation day. Summed per (account, item) pair along the days, the changes
give the quantity held at every close; times the item's unit value that day (close × multiplier
× FX, or the FX rate of a currency) and summed per account, the account's value. The pairs are
processed in chunks of a bounded number of cells, so memory stays flat for any number of
accounts, and no Python loop runs per account or per day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ballast.domain import DataError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
DayArray = npt.NDArray[np.datetime64]

_CHUNK_CELLS = 4_000_000  # days × pairs per chunk (32 MB of float64)
_ZERO = 1e-9  # a summed quantity this close to zero is a position closed out


@dataclass(frozen=True, slots=True)
class Changes:
    """Row ``k``: ``amount[k]`` units of item ``item[k]`` added to account ``account[k]`` at the
    close of valuation day ``day[k]``. Day 0 is the opening: it carries everything booked up to
    and including it."""

    account: IntArray
    item: IntArray
    day: IntArray
    amount: FloatArray

    @staticmethod
    def of(account: npt.ArrayLike, item: npt.ArrayLike, day: npt.ArrayLike,
           amount: npt.ArrayLike) -> Changes:
        """Columns as int64 / float64 arrays of one length."""
        out = Changes(np.asarray(account, dtype=np.int64), np.asarray(item, dtype=np.int64),
                      np.asarray(day, dtype=np.int64), np.asarray(amount, dtype=np.float64))
        if not len(out.account) == len(out.item) == len(out.day) == len(out.amount):
            raise DataError("changes: columns of different lengths")
        return out

    def take(self, rows: npt.NDArray[np.bool_] | IntArray) -> Changes:
        """The selected rows."""
        return Changes(self.account[rows], self.item[rows], self.day[rows], self.amount[rows])


def _unpriced(held: npt.NDArray[np.bool_], price: FloatArray, items: IntArray,
              names: Sequence[str], days: DayArray | None) -> DataError:
    t, p = (int(i) for i in np.argwhere(held & np.isnan(price))[0])
    item = int(items[p])
    what = names[item] if item < len(names) else f"item {item}"
    when = str(days[t]) if days is not None else f"day {t}"
    return DataError(f"{what} is held on {when} but has no price or FX rate on or before it",
                     hint=f"Import a price (or FX rate) for {what} on or before {when}.")


def value_over_time(changes: Changes, unit_value: FloatArray, n_accounts: int, *,
                    by_item: bool = False, names: Sequence[str] = (),
                    days: DayArray | None = None) -> tuple[FloatArray, FloatArray | None]:
    """Value of each account at each close ``[T, n_accounts]`` from ``changes`` and the items'
    ``unit_value [T, K]`` (NaN where unknown), and with ``by_item`` the value of each item
    summed over the accounts ``[T, K]``. A quantity held where its unit value is NaN raises
    DataError naming the item (``names``) and the day (``days``)."""
    n_days, n_items = unit_value.shape
    out = np.zeros((n_days, n_accounts))
    per_item = np.zeros((n_items, n_days)) if by_item else None
    if not len(changes.amount):
        return out, None if per_item is None else per_item.T.copy()
    pairs, inverse = np.unique(changes.account * n_items + changes.item, return_inverse=True)
    pair_account, pair_item = pairs // n_items, pairs % n_items
    order = np.argsort(inverse, kind="stable")
    sorted_pair = inverse[order]
    width = max(1, _CHUNK_CELLS // n_days)
    for lo in range(0, len(pairs), width):
        hi = min(lo + width, len(pairs))
        a, b = np.searchsorted(sorted_pair, [lo, hi])
        rows = order[a:b]
        n = hi - lo
        cells = changes.day[rows] * n + (inverse[rows] - lo)
        qty = np.cumsum(np.bincount(cells, weights=changes.amount[rows],
                                    minlength=n_days * n).reshape(n_days, n), axis=0)
        held = np.abs(qty) > _ZERO
        price = unit_value[:, pair_item[lo:hi]]
        if np.isnan(price[held]).any():
            raise _unpriced(held, price, pair_item[lo:hi], names, days)
        value = np.where(held, qty * price, 0.0)
        acct = pair_account[lo:hi]
        starts = np.flatnonzero(np.r_[True, acct[1:] != acct[:-1]])
        out[:, acct[starts]] += np.add.reduceat(value, starts, axis=1)
        if per_item is not None:
            np.add.at(per_item, pair_item[lo:hi], value.T)
    return out, None if per_item is None else per_item.T.copy()


def flows_over_time(changes: Changes, unit_value: FloatArray, n_accounts: int, *,
                    names: Sequence[str] = (), days: DayArray | None = None) -> FloatArray:
    """Value of each row of ``changes`` on its day (amount × unit value), summed per account
    and day ``[T, n_accounts]``; a NaN unit value raises DataError as in value_over_time."""
    n_days = unit_value.shape[0]
    value = changes.amount * unit_value[changes.day, changes.item]
    missing = np.isnan(value)
    if missing.any():
        k = int(np.flatnonzero(missing)[0])
        held = np.zeros((n_days, 1), dtype=bool)
        held[changes.day[k], 0] = True
        price = np.full((n_days, 1), np.nan)
        raise _unpriced(held, price, changes.item[k:k + 1], names, days)
    cells = changes.day * n_accounts + changes.account
    summed = np.bincount(cells, weights=value, minlength=n_days * n_accounts)
    return np.asarray(summed, dtype=np.float64).reshape(n_days, n_accounts)


@dataclass(frozen=True, slots=True)
class NavArrays:
    """Per account: ``value`` [T, A] at each close, ``flows`` and ``fees`` [T - 1, A] of days
    1..T-1; ``instrument_value`` [T, I] summed over accounts (None unless asked for) and
    ``cash_value`` [T, A]."""

    value: FloatArray
    flows: FloatArray
    fees: FloatArray
    instrument_value: FloatArray | None
    cash_value: FloatArray


def nav_arrays(positions: Changes, cash: Changes, cash_flows: Changes, unit_flows: Changes,
               fees: Changes, unit_value: FloatArray, rates: FloatArray, n_accounts: int, *,
               by_instrument: bool = False, instruments: Sequence[str] = (),
               currencies: Sequence[str] = (), days: DayArray | None = None) -> NavArrays:
    """Values, external flows and fees of ``n_accounts`` accounts at ``T`` closes.

    ``positions`` (items: instruments) and ``cash`` (items: currencies) are the booked changes;
    ``cash_flows`` (deposits +, withdrawals -), ``unit_flows`` (units transferred in + or out -)
    and ``fees`` are dated by flow day ``d`` = valuation day ``d + 1``. ``unit_value`` [T, I]
    is each instrument's close × multiplier × FX, ``rates`` [T, C] each currency's FX rate,
    all into the one currency of the result."""
    pos, per_inst = value_over_time(positions, unit_value, n_accounts, by_item=by_instrument,
                                    names=instruments, days=days)
    cash_value, _ = value_over_time(cash, rates, n_accounts, names=currencies, days=days)
    later = None if days is None else days[1:]
    flows = flows_over_time(cash_flows, rates[1:], n_accounts, names=currencies, days=later)
    flows += flows_over_time(unit_flows, unit_value[1:], n_accounts, names=instruments,
                             days=later)
    paid = flows_over_time(fees, rates[1:], n_accounts, names=currencies, days=later)
    return NavArrays(pos + cash_value, flows, paid, per_inst, cash_value)
