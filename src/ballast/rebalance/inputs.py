"""The rebalancer's input: resolved models and an account × instrument book, as arrays.

The engine builds these from a snapshot and the assigned models; the rebalancer never sees ids
beyond the names kept for messages. Restrictions: ``no_buy`` covers do-not-buy and excluded
securities; ``no_sell`` is do-not-sell only (legacy holdings) — an excluded security that is
held is sellable, so set ``no_buy`` alone for it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ballast.domain import DataError
from ballast.ledger.snapshot import FloatArray, IntArray

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class ModelTargets:
    """One resolved model in the instrument-index space of a run.

    ``target`` and ``tolerance`` are per sleeve (weights of the account's total value; the
    tolerance is the band half-width, already min(absolute, relative × target)); ``member`` and
    ``preference`` are per instrument: its sleeve and its buy rank there (0 first), -1 if none.
    """

    name: str
    version: str
    cash_target: float
    cash_minimum: float
    sleeve_names: tuple[str, ...]
    target: FloatArray
    tolerance: FloatArray
    member: IntArray
    preference: IntArray

    def check(self, n_instruments: int) -> None:
        """Raise DataError when the arrays do not fit together."""
        s = len(self.sleeve_names)
        if self.target.shape != (s,) or self.tolerance.shape != (s,):
            raise DataError(f"model {self.name}: target and tolerance need one value per sleeve")
        if self.member.shape != (n_instruments,) or self.preference.shape != (n_instruments,):
            raise DataError(f"model {self.name}: member and preference need one per instrument")
        if ((self.member < -1) | (self.member >= s)).any():
            raise DataError(f"model {self.name}: member holds an unknown sleeve index")
        if ((self.member >= 0) != (self.preference >= 0)).any():
            raise DataError(f"model {self.name}: an instrument needs a preference iff in a sleeve")
        if (self.target < 0).any() or (self.tolerance < 0).any():
            raise DataError(f"model {self.name}: negative target or tolerance")


@dataclass(frozen=True)
class RebalanceInput:
    """N accounts × M instruments; money in each account's base currency.

    ``unit_value`` is the value of one unit (price × multiplier × fx), NaN without a valid
    price; ``cash_needed`` is withdrawals and fees requested; ``forced`` triggers an account
    regardless of drift (calendar date, model change — the engine decides); ``hold`` keeps an
    account from trading this run (a cooldown) unless it must raise cash — its triggers are
    still reported.
    """

    accounts: tuple[str, ...]
    instruments: tuple[str, ...]
    model_of: IntArray
    models: tuple[ModelTargets, ...]
    quantity: FloatArray
    unit_value: FloatArray
    cash: FloatArray
    cash_needed: FloatArray
    lot_size: FloatArray
    no_buy: BoolArray
    no_sell: BoolArray
    forced: BoolArray
    hold: BoolArray

    def check(self) -> None:
        """Raise DataError when shapes or indices are inconsistent (a bug in the caller)."""
        n, m = len(self.accounts), len(self.instruments)
        shapes = {
            "model_of": (self.model_of, (n,)), "quantity": (self.quantity, (n, m)),
            "unit_value": (self.unit_value, (n, m)), "cash": (self.cash, (n,)),
            "cash_needed": (self.cash_needed, (n,)), "lot_size": (self.lot_size, (m,)),
            "no_buy": (self.no_buy, (n, m)), "no_sell": (self.no_sell, (n, m)),
            "forced": (self.forced, (n,)), "hold": (self.hold, (n,)),
        }
        for name, (arr, shape) in shapes.items():
            if arr.shape != shape:
                raise DataError(f"{name} has shape {arr.shape}, expected {shape}", field=name)
        if ((self.model_of < -1) | (self.model_of >= len(self.models))).any():
            raise DataError("model_of holds an unknown model index", field="model_of")
        if not (self.lot_size > 0).all():
            raise DataError("lot_size must be positive", field="lot_size")
        for model in self.models:
            model.check(m)
