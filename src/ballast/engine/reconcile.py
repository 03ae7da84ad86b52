"""The reconciliation use case: the book against a broker's fill, position and cash reports,
and against a custodian's positions and cash per account.

The broker holds one (omnibus) account for the blocks it executed: its positions and cash are
compared with the sum of the allocations the ledger booked from its fills. A custodian reports
each client account: its positions and cash are compared with the book's, account by account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ballast.data import trading_calendar
from ballast.domain import ZERO, ConfigError, round_to_minor
from ballast.engine.execute_plan import fill_of, order_of
from ballast.engine.simulation import CLOSE, NEW_YORK, OPEN
from ballast.execution import Broker, Fill, OrderState, SimulatedBroker, SimulatedClock
from ballast.execution.reconcile import (
    Break,
    Tolerances,
    compare_cash,
    compare_fills,
    compare_positions,
)
from ballast.store import Store

Keyed = dict[tuple[str, str], Decimal]


@dataclass(frozen=True, slots=True)
class CustodianReport:
    """A custodian's positions (account, instrument) and cash (account, currency) for the
    accounts whose ``custodian`` is ``name``."""

    name: str
    positions: Mapping[tuple[str, str], Decimal]
    cash: Mapping[tuple[str, str], Decimal]


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    """Every break found on ``as_of``, and how much was compared."""

    as_of: date
    broker: str
    book_fills: int
    broker_fills: int
    positions: int
    breaks: tuple[Break, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """The report as plain JSON values (amounts as strings, exactly)."""
        out = asdict(self)
        out["as_of"] = self.as_of.isoformat()
        out["breaks"] = [{k: None if v is None else str(v) for k, v in asdict(b).items()}
                         for b in self.breaks]
        return out


def reconcile(store: Store, broker: Broker, *, as_of: date,
              custodian: CustodianReport | None = None,
              tolerances: Tolerances | None = None) -> ReconciliationReport:
    """Compare the book with ``broker``'s reports (and ``custodian``'s, when given) as of the
    end of ``as_of``: fills by execution id, the broker's positions and cash with what the
    ledger booked from its fills, and each account's positions and cash with the custodian's."""
    tol = tolerances or Tolerances()
    fills, positions, cash = _booked_through(store, broker.name, as_of)
    broker.connect()
    try:
        reported = [f for f in broker.fills() if f.at.date() <= as_of]
        held = {(broker.name, i): q for i, q in broker.positions().items()}
        balances = {(broker.name, c): a for c, a in broker.cash().items()}
    finally:
        broker.disconnect()
    breaks = [*compare_fills(broker.name, fills, reported),
              *compare_positions(positions, held, tol.quantity),
              *compare_cash(cash, balances, tol.cash)]
    compared = len(set(positions) | set(held))
    if custodian is not None:
        with store.transaction() as tx:
            mine = {a for a, x in tx.accounts().items() if x.custodian == custodian.name}
            book_positions = {(str(a), str(i)): q for a, i, q, _ in tx.position_totals(mine)
                              if q}
            book_cash = {(str(a), c): v for (a, c), v in tx.cash(mine).items()}
        breaks += compare_positions(book_positions, custodian.positions, tol.quantity)
        breaks += compare_cash(book_cash, custodian.cash, tol.cash)
        compared += len(set(book_positions) | set(custodian.positions))
    return ReconciliationReport(as_of, broker.name, len(fills), len(reported), compared,
                                tuple(breaks))


def _booked_through(store: Store, broker: str, as_of: date) -> tuple[list[Fill], Keyed, Keyed]:
    """The fills the book stored from ``broker`` for runs up to ``as_of``, and the positions
    and cash the ledger booked from them (the allocations, signed)."""
    fills: list[Fill] = []
    positions: Keyed = {}
    cash: Keyed = {}
    with store.transaction() as tx:
        for run in tx.rebalance_runs():
            if run.as_of > as_of:
                continue
            orders = [o for o in tx.orders(run.id) if o.broker == broker]
            ours = {o.client_order_id for o in orders}
            fills += [fill_of(f) for f in tx.fills(run.id) if f.client_order_id in ours]
            blocks = {b.id: b for b in tx.blocks(run.id)}
            sent = {o.block_id for o in orders}
            for a in tx.allocations(run.id):
                if a.block_id not in sent:
                    continue
                b = blocks[a.block_id]
                sign = 1 if b.side == "buy" else -1
                key = (broker, b.instrument_id)
                positions[key] = positions.get(key, ZERO) + sign * a.quantity
                value = round_to_minor(a.quantity * a.price, b.currency)
                ckey = (broker, b.currency)
                cash[ckey] = cash.get(ckey, ZERO) - sign * value - a.commission
    return fills, {k: q for k, q in positions.items() if q}, cash


def replayed_simulated_broker(store: Store, as_of: date) -> SimulatedBroker:
    """A simulated broker holding what the stored runs up to ``as_of`` sent it: it keeps no
    state between processes, so every order that was sent is sent again, from the open of its
    run's session at that day's closes, and worked to the close. The simulation is
    deterministic, so it reports the fills the execution received."""
    calendar = trading_calendar("XNYS")

    def is_open(at: datetime) -> bool:
        local = at.astimezone(NEW_YORK)
        return calendar.is_session(local.date()) and OPEN <= local.time() < CLOSE

    closes: dict[str, Decimal] = {}
    with store.transaction() as tx:
        currencies = {str(i): x.currency for i, x in tx.instruments().items()}
        days: dict[date, list[int]] = {}
        for run in tx.rebalance_runs():
            if run.as_of <= as_of:
                days.setdefault(calendar.session_on_or_before(run.as_of), []).append(run.id)
        clock = SimulatedClock(datetime.combine(min(days, default=as_of), OPEN, NEW_YORK))
        broker = SimulatedBroker(closes.get, clock, is_open=is_open, currencies=currencies)
        broker.connect()
        for day in sorted(days):
            closes.clear()
            closes.update({str(b.instrument_id): b.close for b in tx.closes_as_of(day)})
            clock.sleep((datetime.combine(day, OPEN, NEW_YORK) - clock.now()).total_seconds())
            for run_id in sorted(days[day]):
                for r in tx.orders(run_id):
                    if r.broker == broker.name and r.state != OrderState.NEW:
                        broker.submit(order_of(r))
            clock.sleep((datetime.combine(day, CLOSE, NEW_YORK) + timedelta(seconds=1)
                         - clock.now()).total_seconds())
            broker.fills()  # works every order up to the close
        broker.disconnect()
    return broker


def reconcile_with(store: Store, broker: str, as_of: date | None = None
                   ) -> ReconciliationReport:
    """Reconcile with the named broker as of ``as_of`` (default: the latest run's date)."""
    if broker != "simulated":
        raise ConfigError(f"unknown broker {broker!r}", hint="Use --broker simulated.")
    with store.transaction() as tx:
        dates = [r.as_of for r in tx.rebalance_runs()]
    day = as_of or max(dates, default=date.today())
    return reconcile(store, replayed_simulated_broker(store, day), as_of=day)
