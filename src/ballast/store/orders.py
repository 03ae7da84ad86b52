"""Execution records: blocks and their plans, orders and every state change, fills, and the
allocations booked into the accounts. Each write is committed before the message it stands
for is sent (the outbox of docs/execution.md)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update

from ballast.store.repository import Repository
from ballast.store.schema import allocations, block_plans, blocks, fills, order_events, orders


def _utc(at: datetime) -> datetime:
    """SQLite returns naive datetimes: they were stored in UTC."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class BlockRecord:
    """A stored block; ``plan`` is (account, quantity asked) by account."""

    id: str
    run_id: int
    custodian: str
    instrument_id: str
    side: str
    quantity: Decimal
    lot_size: Decimal
    currency: str
    plan: tuple[tuple[str, Decimal], ...]
    allocated: bool = False


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """A stored order in its latest state."""

    client_order_id: str
    block_id: str
    instrument_id: str
    side: str
    quantity: Decimal
    order_type: str
    limit_price: Decimal | None
    time_in_force: str
    state: str
    filled_quantity: Decimal
    events: int
    broker: str
    broker_order_id: str


@dataclass(frozen=True, slots=True)
class OrderEventRecord:
    """One state change of an order."""

    client_order_id: str
    seq: int
    previous: str | None
    state: str
    at: datetime
    filled_quantity: Decimal
    reason: str


@dataclass(frozen=True, slots=True)
class FillRecord:
    """One fill of an order as the broker reported it."""

    fill_id: str
    client_order_id: str
    instrument_id: str
    side: str
    quantity: Decimal
    price: Decimal
    commission: Decimal
    currency: str
    at: datetime


@dataclass(frozen=True, slots=True)
class AllocationRecord:
    """An account's share of a block and the transaction that booked it."""

    block_id: str
    account_id: str
    quantity: Decimal
    price: Decimal
    commission: Decimal
    transaction_id: str


class OrderRepository(Repository):
    """Blocks, orders, order events, fills and allocations."""

    def add_blocks(self, records: Sequence[BlockRecord]) -> None:
        """Store blocks with their allocation plans."""
        now = datetime.now(UTC)
        for b in records:
            self._conn.execute(insert(blocks).values(
                id=b.id, run_id=b.run_id, custodian=b.custodian, instrument_id=b.instrument_id,
                side=b.side, quantity=b.quantity, lot_size=b.lot_size, currency=b.currency,
                created_at=now))
            self._conn.execute(insert(block_plans), [
                {"block_id": b.id, "account_id": a, "quantity": q} for a, q in b.plan])

    def blocks(self, run_id: int) -> list[BlockRecord]:
        """The blocks of a run, by id, with their plans."""
        rows = self._conn.execute(select(blocks).where(blocks.c.run_id == run_id)
                                  .order_by(blocks.c.id)).all()
        plans: dict[str, list[tuple[str, Decimal]]] = {}
        query = (select(block_plans).join(blocks, blocks.c.id == block_plans.c.block_id)
                 .where(blocks.c.run_id == run_id).order_by(block_plans.c.account_id))
        for p in self._conn.execute(query):
            plans.setdefault(p.block_id, []).append((p.account_id, p.quantity))
        return [BlockRecord(r.id, r.run_id, r.custodian, r.instrument_id, r.side, r.quantity,
                            r.lot_size, r.currency, tuple(plans.get(r.id, ())),
                            r.allocated_at is not None) for r in rows]

    def add_orders(self, records: Sequence[OrderRecord],
                   events: Sequence[OrderEventRecord] = ()) -> None:
        """Store new orders (and their first events)."""
        if records:
            self._conn.execute(insert(orders), [_order_row(o) for o in records])
        self._add_events(events)

    def save_order(self, record: OrderRecord, events: Sequence[OrderEventRecord]) -> None:
        """Write an order's new state together with the events that led to it."""
        row = _order_row(record)
        del row["client_order_id"]
        self._conn.execute(update(orders).where(
            orders.c.client_order_id == record.client_order_id).values(**row))
        self._add_events(events)

    def _add_events(self, events: Sequence[OrderEventRecord]) -> None:
        if events:
            self._conn.execute(insert(order_events), [
                {"client_order_id": e.client_order_id, "seq": e.seq, "previous": e.previous,
                 "state": e.state, "at": _utc(e.at), "filled_quantity": e.filled_quantity,
                 "reason": e.reason} for e in events])

    def orders(self, run_id: int) -> list[OrderRecord]:
        """The orders of a run's blocks, by block and client order id."""
        query = (select(orders).join(blocks, blocks.c.id == orders.c.block_id)
                 .where(blocks.c.run_id == run_id)
                 .order_by(orders.c.block_id, orders.c.client_order_id))
        return [OrderRecord(r.client_order_id, r.block_id, r.instrument_id, r.side, r.quantity,
                            r.order_type, r.limit_price, r.time_in_force, r.state,
                            r.filled_quantity, r.events, r.broker, r.broker_order_id)
                for r in self._conn.execute(query)]

    def order_events(self, client_order_ids: Iterable[str]) -> list[OrderEventRecord]:
        """The events of the orders, in order."""
        query = (select(order_events)
                 .where(order_events.c.client_order_id.in_(list(client_order_ids)))
                 .order_by(order_events.c.client_order_id, order_events.c.seq))
        return [OrderEventRecord(r.client_order_id, r.seq, r.previous, r.state, _utc(r.at),
                                 r.filled_quantity, r.reason)
                for r in self._conn.execute(query)]

    def add_fills(self, records: Sequence[FillRecord]) -> int:
        """Store the fills not stored yet (by fill id); returns how many were new."""
        known = {r[0] for r in self._conn.execute(select(fills.c.fill_id).where(
            fills.c.fill_id.in_([f.fill_id for f in records])))} if records else set()
        new = [f for f in records if f.fill_id not in known]
        if new:
            self._conn.execute(insert(fills), [
                {"fill_id": f.fill_id, "client_order_id": f.client_order_id,
                 "instrument_id": f.instrument_id, "side": f.side, "quantity": f.quantity,
                 "price": f.price, "commission": f.commission, "currency": f.currency,
                 "at": _utc(f.at)} for f in new])
        return len(new)

    def fills(self, run_id: int) -> list[FillRecord]:
        """The fills of a run's orders, in time order."""
        query = (select(fills).join(orders, orders.c.client_order_id == fills.c.client_order_id)
                 .join(blocks, blocks.c.id == orders.c.block_id)
                 .where(blocks.c.run_id == run_id).order_by(fills.c.at, fills.c.fill_id))
        return [FillRecord(r.fill_id, r.client_order_id, r.instrument_id, r.side, r.quantity,
                           r.price, r.commission, r.currency, _utc(r.at))
                for r in self._conn.execute(query)]

    def add_allocations(self, block_id: str, records: Sequence[AllocationRecord]) -> None:
        """Store a block's allocations and mark it allocated."""
        if records:
            self._conn.execute(insert(allocations), [
                {"block_id": a.block_id, "account_id": a.account_id, "quantity": a.quantity,
                 "price": a.price, "commission": a.commission,
                 "transaction_id": a.transaction_id} for a in records])
        self._conn.execute(update(blocks).where(blocks.c.id == block_id)
                           .values(allocated_at=datetime.now(UTC)))

    def allocations(self, run_id: int) -> list[AllocationRecord]:
        """The allocations of a run's blocks, by block and account."""
        query = (select(allocations).join(blocks, blocks.c.id == allocations.c.block_id)
                 .where(blocks.c.run_id == run_id)
                 .order_by(allocations.c.block_id, allocations.c.account_id))
        return [AllocationRecord(r.block_id, r.account_id, r.quantity, r.price, r.commission,
                                 r.transaction_id) for r in self._conn.execute(query)]


def _order_row(o: OrderRecord) -> dict[str, Any]:
    return {"client_order_id": o.client_order_id, "block_id": o.block_id,
            "instrument_id": o.instrument_id, "side": o.side, "quantity": o.quantity,
            "order_type": o.order_type, "limit_price": o.limit_price,
            "time_in_force": o.time_in_force, "state": o.state,
            "filled_quantity": o.filled_quantity, "events": o.events, "broker": o.broker,
            "broker_order_id": o.broker_order_id}
