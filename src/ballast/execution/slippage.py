"""Slippage controls: limit prices from the arrival price, child orders by volume."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from ballast.domain import ZERO
from ballast.execution.orders import Side

TICK = Decimal("0.01")


def limit_price(side: Side, arrival: Decimal, tolerance_bps: Decimal,
                tick: Decimal = TICK) -> Decimal:
    """The worst price accepted: the arrival price moved against the order by the tolerance,
    rounded to the tick toward the arrival price (never looser than the tolerance)."""
    move = arrival * tolerance_bps / Decimal(10_000)
    if side is Side.BUY:
        return ((arrival + move) / tick).to_integral_value(ROUND_FLOOR) * tick
    return ((arrival - move) / tick).to_integral_value(ROUND_CEILING) * tick


def split_by_volume(quantity: Decimal, adv: Decimal | None, max_share: Decimal,
                    lot_size: Decimal) -> list[Decimal]:
    """``quantity`` in child orders of at most ``max_share`` of the average daily volume, each a
    multiple of ``lot_size`` and as equal as lots allow; one order when the volume is unknown
    or the quantity is within the share."""
    cap = ZERO if adv is None else (adv * max_share / lot_size).to_integral_value(
        ROUND_FLOOR) * lot_size
    if adv is None or quantity <= cap or cap <= 0:
        return [quantity]
    lots = int(quantity / lot_size)
    per = int(cap / lot_size)
    children = -(-lots // per)
    base, extra = divmod(lots, children)
    return [(base + (1 if k < extra else 0)) * lot_size for k in range(children)]
