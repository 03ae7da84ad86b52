"""The reconciliation use case: the book against a broker's fill, position and cash reports,
and against a custodian's positions and cash per account.

The broker holds one (omnibus) account for the blocks it executed: its positions and cash are
compared with the sum of the allocations the ledger booked from its fills. A custodian reports
each client account: its positions and cash on the file's date are compared with the book's
on that date, account by account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ballast.data import trading_calendar
from ballast.data.custodian import CustodianStatement
from ballast.domain import ZERO, AccountId, DataError, round_to_minor
from ballast.engine.book_loader import ordered_events, replay
from ballast.engine.booking import scope_accounts
from ballast.engine.brokers import check_broker, fix_broker
from ballast.engine.execute_plan import fill_of, order_of
from ballast.engine.simulation import CLOSE, NEW_YORK, OPEN, simulated_broker
from ballast.execution import Broker, Fill, OrderState, SimulatedBroker, SimulatedClock
from ballast.execution.reconcile import (
    Break,
    BreakKind,
    Source,
    Tolerances,
    compare_cash,
    compare_fills,
    compare_positions,
)
from ballast.store import Store, UnitOfWork

Keyed = dict[tuple[str, str], Decimal]


@dataclass(frozen=True, slots=True)
class CustodianReport:
    """A custodian's positions (account, instrument) and cash (account, currency) for the
    accounts whose ``custodian`` is ``name``; ``market_values`` of positions where known and
    the ``file`` they came from."""

    name: str
    positions: Mapping[tuple[str, str], Decimal]
    cash: Mapping[tuple[str, str], Decimal]
    market_values: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)
    file: str = ""


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    """Every break found on ``as_of``, how much was compared (``accounts`` of the custodian,
    ``positions``), the custodian compared ('' when none) and the tolerances used."""

    as_of: date
    broker: str
    book_fills: int
    broker_fills: int
    positions: int
    breaks: tuple[Break, ...] = field(default=())
    custodian: str = ""
    accounts: int = 0
    tolerances: Tolerances = field(default_factory=Tolerances)

    def to_json(self) -> dict[str, Any]:
        """The report as plain JSON values (amounts as strings, exactly)."""
        out = asdict(self)
        out["as_of"] = self.as_of.isoformat()
        out["tolerances"] = {k: str(v) for k, v in asdict(self.tolerances).items()}
        out["breaks"] = [{k: None if v is None else str(v) for k, v in asdict(b).items()}
                         for b in self.breaks]
        return out


def reconcile(store: Store, broker: Broker, *, as_of: date,
              custodian: CustodianReport | None = None,
              tolerances: Tolerances | None = None) -> ReconciliationReport:
    """Compare the book with ``broker``'s reports (and ``custodian``'s, when given) as of the
    end of ``as_of``: fills by execution id, the broker's positions and cash with what the
    ledger booked from its fills, and each account's positions and cash on ``as_of`` with the
    custodian's."""
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
    accounts = 0
    if custodian is not None:
        with store.transaction() as tx:
            book = tx.accounts()
            mine = {a for a, x in book.items() if x.custodian == custodian.name}
            mine |= {AccountId(a) for a, _ in (*custodian.positions, *custodian.cash)
                     if a in book}
            book_positions, book_cash = _holdings(tx, mine, as_of)
        breaks += _valued(compare_positions(book_positions, custodian.positions, tol.quantity,
                                            Source.CUSTODIAN), custodian.market_values)
        breaks += compare_cash(book_cash, custodian.cash, tol.cash, Source.CUSTODIAN)
        compared += len(set(book_positions) | set(custodian.positions))
        accounts = len(mine | {a for a, _ in (*custodian.positions, *custodian.cash)})
    return ReconciliationReport(as_of, broker.name, len(fills), len(reported), compared,
                                tuple(breaks), custodian.name if custodian else "", accounts,
                                tol)


def _holdings(tx: UnitOfWork, accounts: set[AccountId], as_of: date) -> tuple[Keyed, Keyed]:
    """Positions by (account, instrument) and cash by (account, currency) of ``accounts`` at
    the end of ``as_of``: the stored state when nothing is booked later, else a replay."""
    last = max((d for d in (tx.last_transaction_date(),
                            *(ca.ex_date for ca in tx.corporate_actions())) if d is not None),
               default=None)
    if last is None or last <= as_of:
        return ({(str(a), str(i)): q for a, i, q, _ in tx.position_totals(accounts) if q},
                {(str(a), c): v for (a, c), v in tx.cash(accounts).items()})
    scope = scope_accounts(tx, sorted(accounts))
    events = ordered_events(tx.transactions([a.id for a in scope], until=as_of),
                            tx.corporate_actions(), as_of)
    book = replay(tx.instruments(), scope, events)
    positions: Keyed = {}
    cash: Keyed = {}
    for a in sorted(accounts):
        for lot in book.lots(a):
            key = (str(a), str(lot.instrument_id))
            positions[key] = positions.get(key, ZERO) + lot.quantity
        cash.update({(str(a), c): v for c, v in book.cash(a).items()})
    return {k: q for k, q in positions.items() if q}, cash


def _valued(breaks: list[Break], values: Mapping[tuple[str, str], Decimal]) -> list[Break]:
    """Position breaks with the custodian's market value of the position in their words."""
    out = []
    for b in breaks:
        value = values.get((b.account, b.item))
        if value is not None and b.kind is not BreakKind.MISSING_AT_BROKER:
            b = replace(b, words=f"{b.words}; market value {value} at the custodian")
        out.append(b)
    return out


def custodian_report(store: Store, statement: CustodianStatement,
                     name: str | None = None) -> CustodianReport:
    """The custodian's report from its file; ``name`` is the custodian (by default the one
    custodian of the book's accounts the file names)."""
    with store.transaction() as tx:
        accounts = tx.accounts()
    known = {AccountId(a) for a in statement.accounts if a in accounts}
    if name is None:
        names = sorted({accounts[a].custodian for a in known})
        if len(names) != 1:
            found = ", ".join(names) or "none of the book's accounts"
            raise DataError(f"{statement.file}: its accounts are at {found}; cannot tell "
                            "which custodian's accounts to compare",
                            hint="Name the custodian with --custodian-name.")
        name = names[0]
    return CustodianReport(name, statement.positions, statement.cash,
                           statement.market_values, statement.file)


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


def reconcile_with(store: Store, broker: str, as_of: date | None = None, *,
                   custodian: CustodianStatement | None = None,
                   custodian_name: str | None = None, broker_state: Path | None = None,
                   tolerances: Tolerances | None = None,
                   fix_config: Path | None = None) -> ReconciliationReport:
    """Reconcile with the named broker — the simulated broker's books in ``broker_state``, or
    replayed from the store without it; the FIX session of ``fix_config`` — and with a
    custodian's file, as of ``as_of`` (default: the file's date, else the latest run's)."""
    check_broker(broker)
    if custodian is not None and as_of is not None and as_of != custodian.as_of:
        raise DataError(f"{custodian.file} is as of {custodian.as_of}, not {as_of}",
                        hint="Leave out --as-of, or give the custodian file of that date.")
    with store.transaction() as tx:
        dates = [r.as_of for r in tx.rebalance_runs()]
    day = as_of or (custodian.as_of if custodian else max(dates, default=date.today()))
    chosen: Broker
    if broker == "fix":
        chosen = fix_broker(fix_config)
    elif broker_state is None:
        chosen = replayed_simulated_broker(store, day)
    else:
        chosen, _ = simulated_broker(store, day, state=broker_state)
    report = None if custodian is None else custodian_report(store, custodian, custodian_name)
    return reconcile(store, chosen, as_of=day, custodian=report, tolerances=tolerances)
