"""The rebalancing policy: when accounts trade and how their trades are sized."""

from __future__ import annotations

from enum import StrEnum
from typing import overload

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

FloatArray = npt.NDArray[np.float64]


class TradeTo(StrEnum):
    """How far a drifted sleeve is traded back."""

    TARGET = "target"  # all the way to its target weight
    BAND_EDGE = "band_edge"  # only to the nearer edge of its tolerance band


class Calendar(StrEnum):
    """Scheduled rebalancing: on the first trading session of each period."""

    NONE = "none"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class CostModel(BaseModel):
    """Estimated cost of a trade: commission + half spread + market impact."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    commission: float = Field(0.0, ge=0, description="per trade, in the account's currency")
    half_spread_bps: float = Field(2.0, ge=0, description="half the bid-ask spread, in bps")
    impact_bps: float = Field(0.0, ge=0, description="market impact per trade, in bps")

    @property
    def rate(self) -> float:
        """The proportional part of the cost, as a fraction of the value traded."""
        return (self.half_spread_bps + self.impact_bps) / 1e4

    @overload
    def cost(self, value: float) -> float: ...
    @overload
    def cost(self, value: FloatArray) -> FloatArray: ...

    def cost(self, value: float | FloatArray) -> float | FloatArray:
        """Estimated cost of trading ``value`` (one trade, or an array of trades)."""
        return self.commission + self.rate * value


class RebalancePolicy(BaseModel):
    """Firm-wide rebalancing settings (YAML; its content hash versions every decision)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    trade_to: TradeTo = TradeTo.TARGET
    total_drift_limit: float = Field(
        0.10, gt=0, description="trigger when the sum of absolute sleeve drifts exceeds this")
    cash_excess_trigger: float = Field(
        0.03, gt=0, description="trigger when cash exceeds its target weight by this much")
    min_trade_value: float = Field(100.0, ge=0, description="smallest trade, account currency")
    min_trade_quantity: float = Field(0.0, ge=0, description="smallest trade, in units")
    drift_benefit_bps: float = Field(
        50.0, ge=0, description="value, in bps of the amount traded toward target, of removing "
        "drift; a trade whose estimated cost exceeds it is not made")
    costs: CostModel = CostModel()
    calendar: Calendar = Field(
        Calendar.NONE, description="also rebalance every account on the first session of each "
        "month or quarter (XNYS), whatever its drift")
    cooldown_days: int = Field(
        0, ge=0, description="an account that traded less than this many days ago is left "
        "alone (0: no cooldown)")
    short_term_hard_band: float | None = Field(
        None, gt=0, description="taxable accounts sell short-term gain lots only when the "
        "sleeve drifts beyond this (default: twice the sleeve's tolerance)")
    annual_gain_budget: float | None = Field(
        None, ge=0, description="realized gain a taxable account may take per calendar year, "
        "in its currency (none: no budget)")
    tax_rate_short_term: float = Field(
        0.37, ge=0, le=1, description="estimated marginal rate on short-term gains: min-tax "
        "ranks gain lots by the tax they would cost, and a gain is weighed against the drift "
        "its sale removes")
    tax_rate_long_term: float = Field(
        0.20, ge=0, le=1, description="estimated marginal rate on long-term gains (as above)")
    harvest_min_loss: float = Field(
        500.0, ge=0, description="harvest a lot whose loss exceeds this (account currency)…")
    harvest_min_loss_pct: float = Field(
        0.10, ge=0, description="…and this share of its cost basis")
    harvest_max_per_account: int = Field(
        2, ge=0, description="harvests per account per run (0: no harvesting)")
    asset_location: bool = Field(
        False, description="place tax-inefficient sleeves in a household's tax-deferred "
        "accounts first and tax-efficient ones in taxable first, keeping the household's "
        "combined exposure per model")
    rebalance_on_model_change: bool = Field(
        True, description="rebalance an account when its model's version changed since its "
        "last proposal")
    fx_cost_bps: float = Field(
        0.0, ge=0, le=1000, description="estimated cost of a currency conversion, in bps of "
        "the converted value; deducted from the base-currency cash")
    fx_sweep_foreign_cash: bool = Field(
        False, description="convert the foreign-currency cash an account holds after its "
        "trades back to its base currency")
    fx_min_conversion: float = Field(
        100.0, ge=0, description="sweep a foreign balance only when worth at least this, in "
        "the account's base currency")
