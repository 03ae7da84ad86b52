"""What the rebalancer proposes: trades as columns, and per-account state before and after."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum, IntFlag

import numpy as np

from ballast.config.rebalance import RebalancePolicy
from ballast.ledger.snapshot import FloatArray, IntArray
from ballast.rebalance.inputs import BoolArray


class Trigger(IntFlag):
    """Why an account trades; several may fire at once."""

    SLEEVE_BAND = 1  # a sleeve is outside its tolerance band
    TOTAL_DRIFT = 2  # the sum of absolute drifts exceeds the policy limit
    CASH_EXCESS = 4  # cash above its target by more than the policy threshold: deploy
    CASH_NEEDED = 8  # cash below the minimum plus the cash requested: raise
    UNASSIGNED = 16  # a sellable holding is outside the model
    FORCED = 32  # calendar date or model change
    HARVEST = 64  # a taxable lot's loss is worth harvesting (see rebalance.harvest)


class Skip(IntEnum):
    """Why an account was not considered at all (0: it was)."""

    NONE = 0
    NO_MODEL = 1
    MISSING_PRICE = 2
    NON_POSITIVE_VALUE = 3
    ALL_RESTRICTED = 4


class TradeReason(IntEnum):
    """Why a single trade is made."""

    BAND = 1  # its sleeve was outside the band
    DEPLOY_CASH = 2  # buys excess cash into an underweight sleeve
    RAISE_CASH = 3  # sells to restore the cash reserve or meet a request
    NOT_IN_MODEL = 4  # sells a holding outside the model
    TO_TARGET = 5  # an in-band sleeve brought to target while the account trades
    HARVEST = 6  # a tax-loss harvest: the loss lots sold, the sleeve's substitute bought


@dataclass(frozen=True)
class TradeRow:
    """One proposed trade, read out of the columns."""

    index: int
    account: int
    instrument: int
    side: int
    quantity: float
    unit_value: float
    value: float
    cost: float
    sleeve: int
    reason: TradeReason


@dataclass(frozen=True)
class Proposals:
    """Trades sorted by (account, side, instrument) plus per-account results.

    Trade columns have one entry per trade; ``side`` is +1 buy / -1 sell; ``sleeve`` is -1 for
    a holding outside the model. Per account: ``triggers`` is a :class:`Trigger` bit mask,
    ``skip`` a :class:`Skip` code with ``skip_message``; ``weight_before``/``weight_after`` are
    [N, max sleeves] (NaN past the account's sleeves or when skipped); ``drift`` is the sum of
    absolute sleeve drifts plus the weight outside the model; ``cash_after`` nets estimated costs.
    """

    policy: RebalancePolicy
    trade_account: IntArray
    trade_instrument: IntArray
    side: IntArray
    quantity: FloatArray
    unit_value: FloatArray
    value: FloatArray
    cost: FloatArray
    sleeve: IntArray
    reason: IntArray
    triggered: BoolArray
    triggers: IntArray
    skip: IntArray
    skip_message: tuple[str, ...]
    total_value: FloatArray
    weight_before: FloatArray
    weight_after: FloatArray
    drift_before: FloatArray
    drift_after: FloatArray
    cash_before: FloatArray
    cash_after: FloatArray
    cash_keep: FloatArray

    @property
    def n_trades(self) -> int:
        """Number of trades proposed."""
        return len(self.trade_account)

    def trades_of(self, account: int) -> IntArray:
        """Indices of the trades of ``account``."""
        lo, hi = np.searchsorted(self.trade_account, [account, account + 1])
        return np.arange(lo, hi, dtype=np.int64)

    def row(self, i: int) -> TradeRow:
        """Trade ``i`` as a record."""
        return TradeRow(
            index=i, account=int(self.trade_account[i]), instrument=int(self.trade_instrument[i]),
            side=int(self.side[i]), quantity=float(self.quantity[i]),
            unit_value=float(self.unit_value[i]), value=float(self.value[i]),
            cost=float(self.cost[i]), sleeve=int(self.sleeve[i]),
            reason=TradeReason(int(self.reason[i])))

    def iter_trades(self, account: int) -> Iterator[TradeRow]:
        """The trades of ``account`` as records, sells first."""
        for i in self.trades_of(account):
            yield self.row(int(i))

    def trigger_of(self, account: int) -> Trigger:
        """The triggers that fired for ``account``."""
        return Trigger(int(self.triggers[account]))
