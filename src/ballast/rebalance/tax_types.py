"""The tax pass's input (accounts' tax treatment, open lots, recent wash-sale activity) and its
output (final trades with the lots they relieve, estimated gains, and every change explained).

Indices are those of the :class:`~ballast.rebalance.inputs.RebalanceInput` of the same run:
accounts 0..N-1, instruments 0..M-1. Money is in each account's base currency, as floats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import numpy as np

from ballast.domain import DataError, LotMethod
from ballast.ledger.snapshot import DayArray, FloatArray, IntArray
from ballast.rebalance.inputs import BoolArray
from ballast.rebalance.proposals import Proposals


def _ints() -> IntArray:
    return np.zeros(0, dtype=np.int64)


def _floats() -> FloatArray:
    return np.zeros(0, dtype=np.float64)


def _days() -> DayArray:
    return np.zeros(0, dtype="datetime64[D]")


@dataclass(frozen=True)
class TaxInput:
    """What the tax pass needs besides the proposals, as columns.

    Per account [N]: ``taxable``, ``lot_method`` (SPECIFIC is treated as MIN_TAX: the pass names
    the lots), ``household`` (an index; wash sales span it) and ``gain_budget``, the realized
    gain still allowed this year (budget less gains realized so far; inf = no budget).
    Per instrument [M]: ``group_of``, its substantially-identical group (an instrument alone
    is its own group; give each a distinct number).
    Open lots [L]: account and instrument index, id, quantity, total cost basis (base
    currency, wash-sale adjustments included), acquired and holding-start days.
    Recent activity — only rows dated within 30 days before ``as_of`` (inclusive) count:
    loss sales in taxable accounts [S] and purchases in any account [P], by household and
    instrument index.
    """

    as_of: date
    taxable: BoolArray
    lot_method: tuple[LotMethod, ...]
    household: IntArray
    group_of: IntArray
    lot_account: IntArray
    lot_instrument: IntArray
    lot_id: tuple[str, ...]
    lot_quantity: FloatArray
    lot_basis: FloatArray
    lot_acquired: DayArray
    lot_holding_start: DayArray
    gain_budget: FloatArray | None = None
    loss_household: IntArray = field(default_factory=_ints)
    loss_instrument: IntArray = field(default_factory=_ints)
    loss_date: DayArray = field(default_factory=_days)
    loss_quantity: FloatArray = field(default_factory=_floats)
    buy_household: IntArray = field(default_factory=_ints)
    buy_instrument: IntArray = field(default_factory=_ints)
    buy_date: DayArray = field(default_factory=_days)
    buy_quantity: FloatArray = field(default_factory=_floats)

    def budget(self) -> FloatArray:
        """The remaining gain budget per account (inf where none)."""
        if self.gain_budget is None:
            return np.full(len(self.taxable), np.inf)
        return self.gain_budget

    def check(self, n: int, m: int) -> None:
        """Raise DataError when shapes or indices do not fit a run of n accounts × m instruments."""
        lots = len(self.lot_id)
        shapes = {
            "taxable": (self.taxable, n), "household": (self.household, n),
            "group_of": (self.group_of, m), "lot_account": (self.lot_account, lots),
            "lot_instrument": (self.lot_instrument, lots),
            "lot_quantity": (self.lot_quantity, lots), "lot_basis": (self.lot_basis, lots),
            "lot_acquired": (self.lot_acquired, lots),
            "lot_holding_start": (self.lot_holding_start, lots),
            "loss_instrument": (self.loss_instrument, len(self.loss_household)),
            "loss_date": (self.loss_date, len(self.loss_household)),
            "loss_quantity": (self.loss_quantity, len(self.loss_household)),
            "buy_instrument": (self.buy_instrument, len(self.buy_household)),
            "buy_date": (self.buy_date, len(self.buy_household)),
            "buy_quantity": (self.buy_quantity, len(self.buy_household)),
        }
        if self.gain_budget is not None:
            shapes["gain_budget"] = (self.gain_budget, n)
        for name, (arr, size) in shapes.items():
            if arr.shape != (size,):
                raise DataError(f"{name} has shape {arr.shape}, expected ({size},)", field=name)
        if len(self.lot_method) != n:
            raise DataError(f"lot_method has {len(self.lot_method)} entries, expected {n}",
                            field="lot_method")
        for name, idx, size in (("lot_account", self.lot_account, n),
                                ("lot_instrument", self.lot_instrument, m),
                                ("loss_instrument", self.loss_instrument, m),
                                ("buy_instrument", self.buy_instrument, m)):
            if idx.size and (idx.min() < 0 or idx.max() >= size):
                raise DataError(f"{name} holds an index outside 0..{size - 1}", field=name)
        if not (self.lot_quantity > 0).all() or not np.isfinite(self.lot_basis).all():
            raise DataError("open lots need a positive quantity and a finite basis",
                            field="lot_quantity")


class Change(StrEnum):
    """What the tax pass did to a proposed trade."""

    SWITCHED = "switched"  # a buy moved to the sleeve's next instrument (wash-sale window)
    REDUCED = "reduced"  # fewer units (wash sale, short-term deferral, gain budget, cash)
    DROPPED = "dropped"  # not made at all
    ADDED = "added"  # a buy added or enlarged to deploy cash the tax pass's changes left


@dataclass(frozen=True)
class TaxChange:
    """A proposed trade the tax pass changed, and why (never silently)."""

    account: int
    instrument: int
    side: int
    quantity: float
    kind: Change
    new_instrument: int
    new_quantity: float
    reason: str


@dataclass(frozen=True)
class TaxedProposals:
    """The final proposals after the tax pass, with lots and estimated gains per trade.

    ``proposals`` holds the final trade columns (sorted as always) with cash and weights after
    recomputed. Trade ``i`` relieves ``lot_id[lot_start[i]:lot_start[i + 1]]`` (buys none);
    ``lot_gain`` is each part's economic gain, ``lot_long`` its holding term. ``st_gain`` /
    ``lt_gain`` are the estimated taxable gains (0 in accounts that are not taxable);
    ``switched_from`` is the instrument first proposed for a switched buy (-1 otherwise) and
    ``wash_note`` says which wash-sale window shaped the trade. Per account: estimated realized
    gains; ``changes`` lists every trade reduced, switched or dropped, with its reason.
    """

    proposals: Proposals
    taxable: BoolArray
    lot_start: IntArray
    lot_id: tuple[str, ...]
    lot_quantity: FloatArray
    lot_gain: FloatArray
    lot_long: BoolArray
    st_gain: FloatArray
    lt_gain: FloatArray
    switched_from: IntArray
    wash_note: tuple[str, ...]
    realized_st: FloatArray
    realized_lt: FloatArray
    changes: tuple[TaxChange, ...]

    def lots_of(self, i: int) -> list[tuple[str, float]]:
        """(lot id, quantity) relieved by trade ``i``."""
        lo, hi = int(self.lot_start[i]), int(self.lot_start[i + 1])
        return [(self.lot_id[k], float(self.lot_quantity[k])) for k in range(lo, hi)]

    def changes_of(self, account: int) -> list[TaxChange]:
        """The changes made to the trades of ``account``."""
        return [c for c in self.changes if c.account == account]
