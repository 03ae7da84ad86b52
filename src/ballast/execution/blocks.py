"""Blocks: net each account's trades, aggregate them across accounts per custodian, and
allocate the block's fills back fairly at the average price."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from ballast.domain import ZERO, DataError, minor_units
from ballast.execution.orders import Fill, Side, client_order_id

PRICE_PLACES = Decimal("0.000001")  # the average price of a block is kept to 6 places


@dataclass(frozen=True, slots=True)
class AccountTrade:
    """One account's trade in one instrument, at the custodian that executes it."""

    account_id: str
    custodian: str
    instrument_id: str
    side: Side
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class PlanLine:
    """What one account asked of a block."""

    account_id: str
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class Block:
    """One instrument and side across accounts at one custodian, with its allocation plan."""

    block_id: str
    run_id: int
    custodian: str
    instrument_id: str
    side: Side
    quantity: Decimal
    lot_size: Decimal
    currency: str
    plan: tuple[PlanLine, ...]


@dataclass(frozen=True, slots=True)
class Allocation:
    """The share of a block's fills that goes to one account, at the block's average price;
    ``commission`` is the account's pro-rata share, in the block's currency."""

    block_id: str
    account_id: str
    quantity: Decimal
    price: Decimal
    commission: Decimal


def net_trades(trades: Sequence[AccountTrade]) -> list[AccountTrade]:
    """One trade per account and instrument: buys minus sells (a zero net drops out)."""
    net: dict[tuple[str, str, str], Decimal] = {}
    for t in trades:
        key = (t.account_id, t.custodian, t.instrument_id)
        signed = t.quantity if t.side is Side.BUY else -t.quantity
        net[key] = net.get(key, ZERO) + signed
    return [AccountTrade(a, c, i, Side.BUY if q > 0 else Side.SELL, abs(q))
            for (a, c, i), q in net.items() if q != 0]


def build_blocks(trades: Sequence[AccountTrade], run_id: int, *,
                 lot_sizes: Mapping[str, Decimal], currencies: Mapping[str, str]) -> list[Block]:
    """Net the trades, then one block per custodian, instrument and side, in a stable order
    (its id is the deterministic client order id of the whole block)."""
    groups: dict[tuple[str, str, Side], list[PlanLine]] = {}
    for t in net_trades(trades):
        lot = lot_sizes[t.instrument_id]
        if t.quantity % lot:
            raise DataError(f"{t.account_id}: {t.quantity} {t.instrument_id} is not a multiple "
                            f"of the lot size {lot}")
        groups.setdefault((t.custodian, t.instrument_id, t.side), []).append(
            PlanLine(t.account_id, t.quantity))
    blocks = []
    for (custodian, instrument, side), lines in sorted(groups.items()):
        plan = tuple(sorted(lines, key=lambda p: p.account_id))
        blocks.append(Block(
            client_order_id(run_id, f"block:{custodian}", instrument, side, 0), run_id,
            custodian, instrument, side, sum((p.quantity for p in plan), ZERO),
            lot_sizes[instrument], currencies[instrument], plan))
    return blocks


def average_price(fills: Sequence[Fill]) -> Decimal:
    """The quantity-weighted price of ``fills``, to 6 places."""
    quantity = sum((f.quantity for f in fills), ZERO)
    value = sum((f.quantity * f.price for f in fills), ZERO)
    return (value / quantity).quantize(PRICE_PLACES, ROUND_HALF_EVEN)


def largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` units shared in proportion to ``weights``: floors of the exact shares, then one
    more unit to the largest remainders (ties to the earlier weight). Each share is at most its
    weight when ``total`` is at most their sum, and within one unit of the exact share."""
    whole = sum(weights)
    exact = [Fraction(total * w, whole) for w in weights]
    shares = [int(e) for e in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:total - sum(shares)]:
        shares[i] += 1
    return shares


def allocate(block: Block, fills: Sequence[Fill]) -> list[Allocation]:
    """The block's fills allocated to its accounts at their average price: pro rata to what
    each asked, in whole lots by largest remainder, never more than an account asked; the
    commission is shared the same way to the currency's minor unit."""
    filled = sum((f.quantity for f in fills), ZERO)
    if filled > block.quantity or filled % block.lot_size:
        raise DataError(f"block {block.block_id}: filled {filled} is above the block's "
                        f"{block.quantity} or not a multiple of its lot size {block.lot_size}")
    if not filled:
        return []
    lots = largest_remainder(int(filled / block.lot_size),
                             [int(p.quantity / block.lot_size) for p in block.plan])
    commission = sum((f.commission for f in fills), ZERO)
    minor = Decimal(1).scaleb(-minor_units(block.currency))
    cents = largest_remainder(int(commission / minor), lots)
    price = average_price(fills)
    return [Allocation(block.block_id, p.account_id, n * block.lot_size, price, c * minor)
            for p, n, c in zip(block.plan, lots, cents, strict=True) if n]
