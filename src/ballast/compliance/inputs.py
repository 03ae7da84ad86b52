"""What a check needs, as arrays over accounts [N] × instruments [M] and trades [T]."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
DayArray = npt.NDArray[np.datetime64]
ObjArray = npt.NDArray[np.object_]


@dataclass(frozen=True)
class CheckInput:
    """The proposals of one batch: the book before the trades, the trades, and the attributes
    the rules read. Values are in each account's base currency.

    Trades: ``trade_side`` is +1 for a buy and -1 for a sell; ``trade_quantity`` and
    ``trade_value`` are positive; ``trade_gain`` is a sell's estimated realized gain (0 for a
    buy). ``adv`` is the average daily volume in shares (NaN: unknown). ``risk_score`` and
    ``model_risk_level`` are NaN when unknown. ``restricted`` marks each account's own
    do-not-buy list. ``target_weight`` is each account's model target per instrument;
    ``returns`` [D, M] daily returns for VaR and tracking error (D may be 0). A recent loss
    sale is a household code, a wash-sale group and the day it was sold. ``batch_loss_*`` are
    the loss sales, in this run, of household members left out of a sub-batch (``subset``).
    """

    as_of: date
    accounts: tuple[str, ...]
    models: tuple[str, ...]
    household: IntArray
    instruments: tuple[str, ...]
    quantity_before: FloatArray
    value_before: FloatArray
    cash_before: FloatArray
    trade_account: IntArray
    trade_instrument: IntArray
    trade_side: IntArray
    trade_quantity: FloatArray
    trade_value: FloatArray
    trade_cost: FloatArray
    trade_gain: FloatArray
    issuer: tuple[str, ...]
    asset_class: tuple[str, ...]
    sector: tuple[str, ...]
    country: tuple[str, ...]
    currency: tuple[str, ...]
    kind: tuple[str, ...]
    wash_group: tuple[str, ...]
    lot_size: FloatArray
    adv: FloatArray
    risk_score: FloatArray
    model_risk_level: FloatArray
    restricted: BoolArray
    target_weight: FloatArray
    returns: FloatArray
    loss_household: IntArray
    loss_group: tuple[str, ...]
    loss_date: DayArray
    batch_loss_household: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    batch_loss_group: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        n, m, t = len(self.accounts), len(self.instruments), len(self.trade_account)
        for name in ("quantity_before", "value_before", "restricted", "target_weight"):
            if getattr(self, name).shape != (n, m):
                raise ValueError(f"{name} must be [{n}, {m}], got {getattr(self, name).shape}")
        for name in ("trade_instrument", "trade_side", "trade_quantity", "trade_value",
                     "trade_cost", "trade_gain"):
            if len(getattr(self, name)) != t:
                raise ValueError(f"{name} must have {t} entries")
        if self.returns.ndim != 2 or self.returns.shape[1] != m:
            raise ValueError(f"returns must be [D, {m}], got {self.returns.shape}")

    @property
    def live(self) -> BoolArray:
        """Trades still to be made (an auto-fix leaves a dropped trade at quantity 0)."""
        return np.asarray(self.trade_quantity > 0)

    @property
    def live_account(self) -> IntArray:
        """Each live trade's account, -1 for a dropped one (to match trades to accounts)."""
        return np.where(self.live, self.trade_account, -1)

    @property
    def signed_value(self) -> FloatArray:
        """Each trade's value, positive for a buy."""
        return self.trade_side * self.trade_value

    def post_trade(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Quantities [N, M], values [N, M] and cash [N] after the trades."""
        n, m = self.value_before.shape
        flat = self.trade_account * m + self.trade_instrument
        qty = self.quantity_before.copy().reshape(-1)
        val = self.value_before.copy().reshape(-1)
        np.add.at(qty, flat, self.trade_side * self.trade_quantity)
        np.add.at(val, flat, self.signed_value)
        spent = np.bincount(self.trade_account, weights=self.signed_value + self.trade_cost,
                            minlength=n)
        return qty.reshape(n, m), val.reshape(n, m), self.cash_before - spent

    @property
    def loss_sale(self) -> BoolArray:
        """Live sells at an estimated loss."""
        return np.asarray(self.live & (self.trade_side < 0) & (self.trade_gain < -1e-9))

    def subset(self, accounts: IntArray) -> tuple[CheckInput, IntArray]:
        """The batch of only ``accounts`` (sorted indices) and their trades, with each kept
        trade's index in this batch (to map violations and fixes back). The loss sales of
        their households' other accounts are kept for the wash-sale rule."""
        keep = np.zeros(len(self.accounts), dtype=bool)
        keep[accounts] = True
        new_index = np.cumsum(keep) - 1
        kept = np.flatnonzero(keep[self.trade_account])
        house = self.household[self.trade_account]
        other = np.flatnonzero(self.loss_sale & ~keep[self.trade_account]
                               & np.isin(house, self.household[accounts]))
        acc = accounts.tolist()
        return replace(
            self, batch_loss_household=np.r_[self.batch_loss_household, house[other]],
            batch_loss_group=(*self.batch_loss_group,
                              *(self.wash_group[j] for j in self.trade_instrument[other])),
            accounts=tuple(self.accounts[a] for a in acc),
            models=tuple(self.models[a] for a in acc), household=self.household[accounts],
            quantity_before=self.quantity_before[accounts],
            value_before=self.value_before[accounts], cash_before=self.cash_before[accounts],
            risk_score=self.risk_score[accounts],
            model_risk_level=self.model_risk_level[accounts],
            restricted=self.restricted[accounts], target_weight=self.target_weight[accounts],
            trade_account=new_index[self.trade_account[kept]],
            trade_instrument=self.trade_instrument[kept], trade_side=self.trade_side[kept],
            trade_quantity=self.trade_quantity[kept], trade_value=self.trade_value[kept],
            trade_cost=self.trade_cost[kept], trade_gain=self.trade_gain[kept]), kept

    def with_quantities(self, quantity: FloatArray) -> CheckInput:
        """The same batch with each trade's quantity replaced (value, cost and gain scale
        with it; a trade at 0 stays, so trade indices keep their meaning)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(self.trade_quantity > 0, quantity / self.trade_quantity, 0.0)
        return replace(self, trade_quantity=quantity, trade_value=self.trade_value * scale,
                       trade_cost=self.trade_cost * scale, trade_gain=self.trade_gain * scale)
