"""The execution use case: a checked rebalance run's approved trades become blocks, orders
sent through a broker, fills, allocations, and buys and sells booked into each account's lots.

Every state change is committed before the message it causes is sent (the outbox), and every
id is deterministic, so running it again — after success or after a crash — sends nothing
twice and books nothing twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ballast.audit import Draft
from ballast.compliance.kill_switch import blocking
from ballast.domain import (
    ZERO,
    AccountId,
    InstrumentId,
    Transaction,
    TransactionId,
)
from ballast.domain import TransactionKind as Kind
from ballast.engine import approvals, kill_switch
from ballast.engine.booking import book_by_account
from ballast.engine.execute_plan import (
    ExecutionRefused,
    ExecutionSettings,
    approved_trades,
    block_of,
    block_orders,
    block_record,
    created_event,
    event_record,
    fill_of,
    fill_record,
    order_of,
    order_record,
    plan_blocks,
)
from ballast.execution import (
    Block,
    Broker,
    BrokerReport,
    Clock,
    Fill,
    Order,
    OrderState,
    Side,
    allocate,
)
from ballast.execution.broker import WallClock
from ballast.execution.orders import TERMINAL
from ballast.store import Store, UnitOfWork
from ballast.store.orders import (
    AllocationRecord,
    BlockRecord,
    OrderEventRecord,
    OrderRecord,
)

__all__ = ["ExecutionRefused", "ExecutionReport", "ExecutionSettings", "book_pending",
           "execute"]


@dataclass(frozen=True, slots=True)
class ExecutionReport:
    """What one call did (``sent``, ``fills``, ``booked``) and where the run stands;
    ``unbooked``: the accounts whose fills the ledger refused this time, with its reason
    (their allocations stay unbooked until a later call books them)."""

    run_id: int
    blocks: int
    orders: int
    sent: int
    fills: int
    booked: int
    states: dict[str, int]
    unallocated: int
    unbooked: dict[str, str] = field(default_factory=dict)


def execute(store: Store, run_id: int, broker: Broker, *, as_of: date,
            clock: Clock | None = None, settings: ExecutionSettings | None = None,
            adv: Callable[[str], Decimal | None] = lambda _: None) -> ExecutionReport:
    """Execute run ``run_id`` through ``broker``, booking fills on ``as_of``; ``adv`` gives an
    instrument's average daily volume (None: unknown, no child orders). The approval policy
    is applied first (ApprovalRequired while a proposal waits for a person); rejected
    proposals are left out."""
    settings = settings or ExecutionSettings()
    clock = clock or WallClock()
    with store.transaction() as tx:
        planned, checked = bool(tx.blocks(run_id)), bool(tx.checks(run_id))
    if not planned:  # approvals are settled once, when the orders are planned
        allowed = approvals.ensure_approved(store, run_id) if checked else None
        with store.transaction() as tx:
            _plan(tx, run_id, broker.name, settings, clock, as_of, adv, allowed)
    with store.transaction() as tx:
        stored = [order_of(r) for r in tx.orders(run_id)]
        plans = {b.id: tuple(a for a, _ in b.plan) for b in tx.blocks(run_id)}
        have: dict[str, Decimal] = {}
        for f in tx.fills(run_id):
            have[f.client_order_id] = have.get(f.client_order_id, ZERO) + f.quantity
    pending = [o for o in stored if o.state in (OrderState.NEW, OrderState.SUBMITTED)]
    unfetched = any(o.filled_quantity > have.get(o.client_order_id, ZERO) for o in stored)
    sent = fills = 0
    if pending or unfetched or any(o.is_open for o in stored):
        _guard(store, broker.name, pending, plans)  # collecting fills of open orders is allowed
        broker.connect()
        try:
            sent = _send(store, broker, clock, pending, plans, settings)
            fills = _await(store, broker, clock, run_id, settings, plans)
        finally:
            broker.disconnect()
    booked, unbooked = _book(store, run_id, as_of)
    with store.transaction() as tx:
        blocks, orders = tx.blocks(run_id), tx.orders(run_id)
    return ExecutionReport(run_id, len(blocks), len(orders), sent, fills, booked,
                           dict(Counter(o.state for o in orders)),
                           sum(1 for b in blocks if not b.allocated), unbooked)


def _guard(store: Store, broker: str, orders: Sequence[Order],
           plans: dict[str, tuple[str, ...]]) -> None:
    """The kill switch: raise KillSwitchEngaged if any of ``orders`` may not leave — the
    global switch, the broker's, or that of an account in the order's block. One read of the
    switches; ``ensure_orders_allowed`` words the refusal."""
    switches = kill_switch.status(store)
    for o in orders:
        for account in plans.get(o.block_id) or (None,):
            if blocking(switches, account, broker):
                kill_switch.ensure_orders_allowed(store, account, broker)


def _plan(tx: UnitOfWork, run_id: int, broker: str, settings: ExecutionSettings, clock: Clock,
          as_of: date, adv: Callable[[str], Decimal | None],
          allowed: frozenset[str] | None) -> None:
    """Store the run's blocks and their orders (state new), all in one transaction: the
    trades compliance approved of the accounts whose proposals are approved (``allowed``)."""
    trades = approved_trades(tx, run_id)  # refuses a run compliance has not checked
    blocks = plan_blocks(tx, run_id, [t for t in trades
                                      if allowed is None or t.account_id in allowed])
    closes = {b.instrument_id: b.close for b in tx.closes_as_of(
        as_of, [b.instrument_id for b in blocks])}
    tx.add_blocks([block_record(b) for b in blocks])
    now = clock.now()
    for b in blocks:
        orders = block_orders(b, settings, lambda i: closes.get(InstrumentId(i)), adv)
        tx.add_orders([order_record(o, broker) for o in orders],
                      [created_event(o, now, f"works block {b.block_id} ({len(b.plan)} "
                                     f"accounts, {b.custodian or 'no custodian'})")
                       for o in orders])


def _send(store: Store, broker: Broker, clock: Clock, pending: Sequence[Order],
          plans: dict[str, tuple[str, ...]], settings: ExecutionSettings) -> int:
    """Persist every new order as submitted, then send each after the kill-switch guard (an
    order left submitted by a crash is sent again: the broker recognizes its client order
    id)."""
    now = clock.now()
    marked: list[tuple[Order, list[OrderEventRecord]]] = []
    for o in pending:
        if o.state is OrderState.NEW:
            o, event = o.transition(OrderState.SUBMITTED, now)
            marked.append((o, [event_record(event)]))
        else:
            marked.append((o, []))
    with store.transaction() as tx:
        for o, events in marked:
            tx.save_order(order_record(o, broker.name), events)
        tx.audit_orders([order_record(o, broker.name) for o, e in marked if e], plans)
    reports = []
    gap = 1.0 / settings.max_orders_per_second if settings.max_orders_per_second else 0.0
    for n, (o, _) in enumerate(marked):
        if gap and n:
            clock.sleep(gap)  # the broker's rate limit
        _guard(store, broker.name, [o], plans)
        reports.append((o, broker.submit(o)))
    with store.transaction() as tx:
        for o, report in reports:
            _save(tx, broker.name, o, report, clock)
    return sum(1 for o in pending if o.state is OrderState.NEW)


def _save(tx: UnitOfWork, broker: str, o: Order, report: BrokerReport, clock: Clock) -> Order:
    """Move an order to the broker's report, recording each change; returns the order."""
    events = []
    if report.filled_quantity < o.filled_quantity:  # a trade bust: executions taken back
        o, event = o.bust(clock.now(), filled_quantity=report.filled_quantity,
                          reason=report.reason)
        events.append(event_record(event))
    if report.state != o.state or report.filled_quantity != o.filled_quantity:
        o, event = o.transition(report.state, clock.now(),
                                filled_quantity=report.filled_quantity, reason=report.reason)
        events.append(event_record(event))
    tx.save_order(order_record(o, broker, report.broker_order_id), events)
    return o


def _await(store: Store, broker: Broker, clock: Clock, run_id: int,
           settings: ExecutionSettings, plans: dict[str, tuple[str, ...]]) -> int:
    """Poll until every order is done, cancelling what is still open after the wait — and at
    once an open order a kill switch engaged meanwhile now stops; stores each change and each
    new fill. The fills are asked for at least once, even with no order open: an order a
    resend found already filled still has its fills to collect. Returns how many fills were
    new."""
    with store.transaction() as tx:
        open_orders = {r.client_order_id: order_of(r) for r in tx.orders(run_id)}
    ours = set(open_orders)
    open_orders = {k: o for k, o in open_orders.items() if o.is_open}
    waited, new = 0.0, 0
    while True:
        cancel = waited >= settings.max_wait_seconds
        if open_orders and not cancel:
            clock.sleep(settings.poll_seconds)
            waited += settings.poll_seconds
        halted = _halted(store, broker.name, open_orders, plans)
        reports = {k: broker.cancel(k) if cancel or k in halted else broker.order_status(k)
                   for k in open_orders}
        found = [f for f in broker.fills() if f.client_order_id in ours]
        with store.transaction() as tx:
            new += tx.add_fills([fill_record(f) for f in found])
            for k, report in reports.items():
                if report is not None:
                    open_orders[k] = _save(tx, broker.name, open_orders[k], report, clock)
        open_orders = {k: o for k, o in open_orders.items() if o.is_open}
        if not open_orders:
            return new


def _halted(store: Store, broker: str, orders: dict[str, Order],
            plans: dict[str, tuple[str, ...]]) -> set[str]:
    """The open orders an engaged kill switch stops (global, the broker's, an account's)."""
    switches = kill_switch.status(store)
    if not switches:
        return set()
    return {k for k, o in orders.items()
            if any(blocking(switches, a, broker) for a in plans.get(o.block_id) or (None,))}


def book_pending(store: Store, run_id: int, as_of: date) -> tuple[int, dict[str, str]]:
    """Book what run ``run_id``'s execution left unbooked (no broker is needed: the fills
    are stored). Returns (transactions booked, accounts the ledger still refuses with why)."""
    return _book(store, run_id, as_of)


def _book(store: Store, run_id: int, as_of: date) -> tuple[int, dict[str, str]]:
    """Allocate every block whose orders are done, then book each account's share as a buy
    or a sell — account by account (docs/execution.md): an account the ledger refuses keeps
    its allocations unbooked, journaled with the ledger's reason, and the next call tries them
    again; the other accounts are booked. Allocations already booked (their transaction
    exists) are never booked again. Returns (transactions booked, refused accounts with
    why)."""
    with store.transaction() as tx:
        stored = tx.blocks(run_id)
        blocks = {r.id: block_of(r) for r in stored}
        new = _allocate(tx, run_id, stored)
        for block_id, allocs in new.items():
            tx.add_allocations(block_id, allocs)
        allocations = tx.allocations(run_id)
        booked = tx.transaction_ids(a.transaction_id for a in allocations)
        pending = [a for a in allocations if a.transaction_id not in booked]
        txns = [_transaction(blocks[a.block_id], a, run_id, as_of) for a in pending]
        refused: dict[str, str] = {}
        if txns:  # sells first: within a day the ledger books in the order given
            refused = {str(a): why for a, why in book_by_account(
                tx, f"execution of run {run_id}",
                sorted(txns, key=lambda t: t.kind is Kind.BUY)).items()}
        done = [t for t in txns if t.account_id not in refused]
        by_block: dict[str, list[AllocationRecord]] = {}
        for a in pending:
            if a.account_id not in refused:
                by_block.setdefault(a.block_id, []).append(a)
        tx.audit_bookings(run_id, done, by_block)
        tx.append_audit([Draft(
            "fill.unbooked", (f"run:{run_id}", f"account:{account}"),
            f"fills of {account} in run {run_id} left unbooked: the ledger refused them "
            f"({reason}); correct the holdings, then run the execution again (`ballast "
            f"execute --run {run_id}`) to book them",
            {"reason": reason, "transactions": sorted(t.id for t in txns
                                                      if t.account_id == account)})
            for account, reason in refused.items()])
    return len(done), refused


def _allocate(tx: UnitOfWork, run_id: int, records: Sequence[BlockRecord]
              ) -> dict[str, list[AllocationRecord]]:
    """The allocations of each block not yet allocated whose orders are done and whose fills
    are all stored, by block; each names the transaction that books it."""
    orders = tx.orders(run_id)
    by_block: dict[str, list[OrderRecord]] = {}
    for o in orders:
        by_block.setdefault(o.block_id, []).append(o)
    block_of_order = {o.client_order_id: o.block_id for o in orders}
    fills: dict[str, list[Fill]] = {}
    for f in tx.fills(run_id):
        fills.setdefault(block_of_order[f.client_order_id], []).append(fill_of(f))
    out: dict[str, list[AllocationRecord]] = {}
    for record in records:
        mine = by_block.get(record.id, [])
        if record.allocated or any(OrderState(o.state) not in TERMINAL for o in mine):
            continue
        got = fills.get(record.id, [])
        if sum(f.quantity for f in got) != sum(o.filled_quantity for o in mine):
            continue  # a fill the broker reported is not stored yet: the next call books it
        block = block_of(record)
        out[block.block_id] = [
            AllocationRecord(block.block_id, a.account_id, a.quantity, a.price, a.commission,
                             f"{block.block_id}-{n}")
            for n, a in enumerate(allocate(block, got), start=1)]
    return out


def _transaction(block: Block, a: AllocationRecord, run_id: int, as_of: date) -> Transaction:
    """The buy or sell that books allocation ``a`` of ``block``."""
    return Transaction(
        TransactionId(a.transaction_id), AccountId(a.account_id),
        Kind.BUY if block.side is Side.BUY else Kind.SELL, as_of,
        instrument_id=InstrumentId(block.instrument_id), quantity=a.quantity, price=a.price,
        fees=a.commission, currency=block.currency, memo=f"run {run_id} block {block.block_id}")
