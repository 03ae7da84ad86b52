"""The simulated market's price and commission for a fill (spread, slippage, commission), as
pure functions of a :class:`~ballast.execution.simulated.SimulationConfig`: the backtester
fills with them, so its fills cost what the simulated broker's cost."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING

from ballast.execution.orders import Side

if TYPE_CHECKING:
    from ballast.execution.simulated import SimulationConfig

PRICE_TICK = Decimal("0.0001")
CENT = Decimal("0.01")
BPS = Decimal(10_000)


def fill_price(price: Decimal, side: Side, config: SimulationConfig) -> Decimal:
    """``price`` moved against the order by half the spread and the slippage, to the tick."""
    sign = 1 if side is Side.BUY else -1
    moved = price * (1 + sign * (config.spread_bps / 2 + config.slippage_bps) / BPS)
    return moved.quantize(PRICE_TICK, ROUND_HALF_EVEN)


def commission(quantity: Decimal, price: Decimal, config: SimulationConfig, *,
               first: bool = True) -> Decimal:
    """Per share plus bps of the value; an order's first fill pays at least the minimum."""
    fee = quantity * config.commission_per_share + quantity * price * config.commission_bps / BPS
    if first:
        fee = max(fee, config.commission_minimum)
    return fee.quantize(CENT, ROUND_HALF_EVEN)
