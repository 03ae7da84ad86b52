"""What a run sends: its approved trades as blocks and orders, and the conversions between
execution values and their stored records."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from ballast.domain import AccountId, BallastError, InstrumentId
from ballast.execution import (
    AccountTrade,
    Block,
    Fill,
    Order,
    OrderEvent,
    OrderState,
    OrderType,
    PlanLine,
    Side,
    TimeInForce,
    build_blocks,
    client_order_id,
    limit_price,
    split_by_volume,
)
from ballast.store import ProposedTrade, UnitOfWork
from ballast.store.orders import BlockRecord, FillRecord, OrderEventRecord, OrderRecord


class ExecutionRefused(BallastError):
    """A run cannot be executed as it stands: do what the message says first."""

    hint = "Nothing was sent."


@dataclass(frozen=True, slots=True)
class ExecutionSettings:
    """How orders are shaped. With ``limit_tolerance_bps`` orders are limits at the arrival
    price moved that far against them; an order above ``max_adv_share`` of the average daily
    volume is split into child orders; open orders left after ``max_wait_seconds`` are
    cancelled; with ``max_orders_per_second`` orders are sent no faster than that (a broker's
    rate limit)."""

    limit_tolerance_bps: Decimal | None = None
    max_adv_share: Decimal = Decimal("0.1")
    time_in_force: TimeInForce = TimeInForce.DAY
    poll_seconds: float = 1.0
    max_wait_seconds: float = 6.5 * 3600
    max_orders_per_second: float | None = None


def approved_trades(tx: UnitOfWork, run_id: int) -> list[ProposedTrade]:
    """The trades of the accounts the latest compliance check of the run approved, with that
    check's automatic fixes applied (a fixed quantity of zero drops the trade)."""
    checks = tx.checks(run_id)
    if not checks:
        raise ExecutionRefused(f"run {run_id} has not been checked by compliance",
                               hint=f"Run `ballast check --run {run_id}` first.")
    latest = max(checks, key=lambda c: c.id)
    decisions = {d.account_id: d for d in tx.check_decisions(latest.id)}
    out: list[ProposedTrade] = []
    seq: dict[str, int] = {}
    fixed: dict[tuple[str, int], Decimal] = {}
    for d in decisions.values():
        for f in json.loads(d.fixes):
            fixed[(d.account_id, int(f["trade"]))] = Decimal(str(f["new_quantity"]))
    for t in tx.proposed_trades(run_id):
        seq[t.account_id] = n = seq.get(t.account_id, 0) + 1
        decision = decisions.get(t.account_id)
        if decision is None or not decision.approved:
            continue
        quantity = fixed.get((t.account_id, n), t.quantity)
        if quantity > 0:
            out.append(replace(t, quantity=quantity))
    return out


def plan_blocks(tx: UnitOfWork, run_id: int, trades: list[ProposedTrade]) -> list[Block]:
    """Net and aggregate the trades into blocks per custodian."""
    accounts = tx.accounts()
    instruments = tx.instruments()
    used = {InstrumentId(t.instrument_id) for t in trades}
    return build_blocks(
        [AccountTrade(t.account_id, accounts[AccountId(t.account_id)].custodian, t.instrument_id,
                      Side(t.side), t.quantity) for t in trades],
        run_id,
        lot_sizes={i: instruments[i].lot_size for i in used},
        currencies={i: instruments[i].currency for i in used})


def block_orders(block: Block, settings: ExecutionSettings,
                 arrival: Callable[[str], Decimal | None],
                 adv: Callable[[str], Decimal | None]) -> list[Order]:
    """The orders that work a block: one, or child orders by volume; limits from the arrival
    price when a tolerance is set."""
    price = arrival(block.instrument_id)
    limit = None
    if settings.limit_tolerance_bps is not None and price is not None:
        limit = limit_price(block.side, price, settings.limit_tolerance_bps)
    parts = split_by_volume(block.quantity, adv(block.instrument_id), settings.max_adv_share,
                            block.lot_size)
    return [Order(client_order_id(block.run_id, block.block_id, block.instrument_id,
                                  block.side, k), block.block_id, block.instrument_id,
                  block.side, q, OrderType.LIMIT if limit is not None else OrderType.MARKET,
                  limit, settings.time_in_force)
            for k, q in enumerate(parts, start=1)]


def block_record(b: Block) -> BlockRecord:
    return BlockRecord(b.block_id, b.run_id, b.custodian, b.instrument_id, b.side.value,
                       b.quantity, b.lot_size, b.currency,
                       tuple((p.account_id, p.quantity) for p in b.plan))


def block_of(r: BlockRecord) -> Block:
    return Block(r.id, r.run_id, r.custodian, r.instrument_id, Side(r.side), r.quantity,
                 r.lot_size, r.currency, tuple(PlanLine(a, q) for a, q in r.plan))


def order_record(o: Order, broker: str, broker_order_id: str = "") -> OrderRecord:
    return OrderRecord(o.client_order_id, o.block_id, o.instrument_id, o.side.value, o.quantity,
                       o.order_type.value, o.limit_price, o.time_in_force.value, o.state.value,
                       o.filled_quantity, o.events, broker, broker_order_id)


def order_of(r: OrderRecord) -> Order:
    return Order(r.client_order_id, r.block_id, r.instrument_id, Side(r.side), r.quantity,
                 OrderType(r.order_type), r.limit_price, TimeInForce(r.time_in_force),
                 OrderState(r.state), r.filled_quantity, r.events)


def event_record(e: OrderEvent) -> OrderEventRecord:
    return OrderEventRecord(e.client_order_id, e.seq, e.previous.value if e.previous else None,
                            e.state.value, e.at, e.filled_quantity, e.reason)


def created_event(o: Order, at: datetime, reason: str) -> OrderEventRecord:
    """The event recording an order's creation (seq 0, state new)."""
    return OrderEventRecord(o.client_order_id, 0, None, o.state.value, at, o.filled_quantity,
                            reason)


def fill_record(f: Fill) -> FillRecord:
    return FillRecord(f.fill_id, f.client_order_id, f.instrument_id, f.side.value, f.quantity,
                      f.price, f.commission, f.currency, f.at)


def fill_of(r: FillRecord) -> Fill:
    return Fill(r.fill_id, r.client_order_id, r.instrument_id, Side(r.side), r.quantity,
                r.price, r.commission, r.currency, r.at)
