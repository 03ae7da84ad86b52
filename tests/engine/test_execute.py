"""Execution on SQLite and PostgreSQL: a checked run's approved trades become blocks, orders,
fills and booked lots through the simulated broker; the positions end where the run meant
them to; running it again sends and books nothing."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ballast.cli import app
from ballast.domain import ConfigError, round_to_minor
from ballast.domain.errors import KillSwitchEngaged
from ballast.engine import kill_switch, rebalance
from ballast.engine.check import check
from ballast.engine.demo import load_demo
from ballast.engine.execute import ExecutionRefused, execute
from ballast.engine.execute_plan import ExecutionSettings, approved_trades
from ballast.engine.imports import ImportKind, import_file
from ballast.engine.simulation import execute_run, simulated_broker
from ballast.engine.workspace import open_store
from ballast.execution import (
    BrokerReport,
    Clock,
    Fill,
    Order,
    OrderState,
    SimulatedBroker,
    SimulationConfig,
)
from ballast.execution.broker import BrokerUnavailable
from ballast.store import AccountProposal, ProposedTrade, Store
from ballast.store.compliance import StoredDecision

from .conftest import TRANSACTIONS, write

AS_OF = date(2021, 1, 5)
D = Decimal
ZERO = D(0)
# (account, side, quantity, instrument): H2-TAX's AAPL buy is dropped by the check's fix.
TRADES = [("H1-IRA", "buy", 20, "AAPL"), ("H1-IRA", "buy", 50, "VTI"),
          ("H1-TAX", "buy", 30, "AAPL"), ("H1-TAX", "sell", 40, "XOM"),
          ("H1-TAX", "buy", 10, "VTI"), ("H2-TAX", "sell", 25, "VTI"),
          ("H2-TAX", "buy", 15, "AAPL")]
INTENDED = {("H1-IRA", "AAPL"): 20, ("H1-IRA", "VTI"): 50, ("H1-TAX", "AAPL"): 130,
            ("H1-TAX", "XOM"): 60, ("H1-TAX", "VTI"): 10, ("H2-TAX", "VTI"): 75}


def stored_run(store: Store, files: dict[str, Path], *, checked: bool = True) -> int:
    """The small book of tests/engine/conftest.py, a run with TRADES and a check approving
    every account, with a fix dropping H2-TAX's buy."""
    files["transactions"] = write(files["transactions"].parent, "txns.csv", TRANSACTIONS
                                  + "T7,H1-IRA,2020-01-02,deposit,,,,20000.00,\n")
    for kind in ("instruments", "households", "accounts", "prices", "transactions"):
        import_file(store, ImportKind(kind), files[kind], today=date(2021, 1, 6))
    accounts = sorted({a for a, *_ in TRADES})
    with store.transaction() as tx:
        run = tx.add_rebalance_run(AS_OF, "snap", "policy", [
            AccountProposal(a, "trade", "growth", "v1", "", ZERO, ZERO, ZERO, ZERO, ZERO,
                            ZERO, ZERO) for a in accounts], [
            ProposedTrade(a, i, side, D(q), ZERO, ZERO, ZERO, "equity", "", ZERO, ZERO,
                          "test", "USD", None, None) for a, side, q, i in TRADES])
        if checked:
            fix = json.dumps([{"trade": 2, "new_quantity": 0.0}])
            tx.add_check(run, ["test:1"], [StoredDecision(a, True, fix if a == "H2-TAX" else
                                                          "[]") for a in accounts], [])
    return run


def positions(store: Store) -> dict[tuple[str, str], Decimal]:
    with store.transaction() as tx:
        return {(a, i): q for a, i, q, _ in tx.position_totals() if q}


def test_a_run_is_executed_booked_and_idempotent(store: Store,
                                                  book_files: dict[str, Path]) -> None:
    run = stored_run(store, book_files)
    with store.transaction() as tx:
        cash_before = tx.cash()
    broker, clock = simulated_broker(store, AS_OF, SimulationConfig(fill_slices=3))
    report = execute(store, run, broker, as_of=AS_OF, clock=clock)
    assert (report.blocks, report.orders, report.sent, report.booked) == (4, 4, 4, 6)
    assert report.states == {"filled": 4} and report.unallocated == 0 and report.fills == 12
    assert positions(store) == INTENDED

    with store.transaction() as tx:
        blocks = {(b.custodian, b.instrument_id, b.side): b for b in tx.blocks(run)}
        orders = tx.orders(run)
        events = tx.order_events([o.client_order_id for o in orders])
        fills = tx.fills(run)
        allocations = tx.allocations(run)
        cash_after = tx.cash()
        booked = tx.transactions_by_id([a.transaction_id for a in allocations])
    aapl = blocks[("Schwab", "AAPL", "buy")]
    assert aapl.quantity == 50 and aapl.plan == (("H1-IRA", D(20)), ("H1-TAX", D(30)))
    assert set(blocks) == {("Schwab", "AAPL", "buy"), ("Schwab", "VTI", "buy"),
                           ("Schwab", "XOM", "sell"), ("Fidelity", "VTI", "sell")}
    for o in orders:
        states = [e.state for e in events if e.client_order_id == o.client_order_id]
        seqs = [e.seq for e in events if e.client_order_id == o.client_order_id]
        assert states[:2] == ["new", "submitted"] and states[-1] == "filled"
        assert seqs == list(range(len(seqs)))
    filled = Counter[str]()
    for a in allocations:
        filled[a.block_id] += int(a.quantity)
    assert filled == {b.id: int(b.quantity) for b in blocks.values()}
    assert sum(a.commission for a in allocations) == sum(f.commission for f in fills)
    ira = [booked[a.transaction_id] for a in allocations if a.account_id == "H1-IRA"]
    spent = sum(round_to_minor(t.quantity * (t.price or ZERO), "USD") + t.fees
                for t in ira)
    assert cash_after[("H1-IRA", "USD")] == cash_before[("H1-IRA", "USD")] - spent
    assert {t.trade_date for t in booked.values()} == {AS_OF}

    again, clock = simulated_broker(store, AS_OF)
    second = execute(store, run, again, as_of=AS_OF, clock=clock)
    assert (second.sent, second.fills, second.booked, again.submitted) == (0, 0, 0, 0)
    with store.transaction() as tx:
        assert tx.cash() == cash_after and tx.transaction_count() == 7 + 6
    assert positions(store) == INTENDED


def test_a_partial_fill_at_the_close_is_allocated_pro_rata(
        store: Store, book_files: dict[str, Path]) -> None:
    run = stored_run(store, book_files)
    broker, clock = simulated_broker(store, AS_OF, SimulationConfig(fill_slices=3))
    clock.sleep(timedelta(hours=6, minutes=29).total_seconds())  # 15:59 New York
    report = execute(store, run, broker, as_of=AS_OF, clock=clock)
    assert report.states == {"expired": 4} and report.unallocated == 0
    with store.transaction() as tx:
        got = {(a.account_id, a.block_id): a.quantity for a in tx.allocations(run)}
        aapl = next(b for b in tx.blocks(run) if b.instrument_id == "AAPL")
    # 34 of 50 filled (17 + 17): 20.4 and 13.6 exact; the larger remainder gets the lot.
    assert got[("H1-TAX", aapl.id)] == 20 and got[("H1-IRA", aapl.id)] == 14
    assert positions(store)[("H1-TAX", "AAPL")] == 120


def test_only_a_checked_run_is_executed(store: Store, book_files: dict[str, Path]) -> None:
    run = stored_run(store, book_files, checked=False)
    broker, clock = simulated_broker(store, AS_OF)
    with pytest.raises(ExecutionRefused, match="has not been checked"):
        execute(store, run, broker, as_of=AS_OF, clock=clock)
    with store.transaction() as tx:
        tx.add_check(run, ["test:1"], [StoredDecision("H1-IRA", True, "[]"),
                                       StoredDecision("H1-TAX", False, "[]")], [])
        assert {t.account_id for t in approved_trades(tx, run)} == {"H1-IRA"}


def test_cli_execute(store: Store, book_files: dict[str, Path]) -> None:
    stored_run(store, book_files)
    env = {"BALLAST_DATABASE_URL": store.url, "COLUMNS": "200"}
    out = CliRunner().invoke(app, ["execute", "--json"], env=env)
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["booked"] == 6
    again = CliRunner().invoke(app, ["execute", "--run", "1"], env=env)
    assert again.exit_code == 0 and "sent 0" in again.output and "0 transactions" in again.output
    wrong = CliRunner().invoke(app, ["execute", "--broker", "ib"], env=env)
    assert isinstance(wrong.exception, ConfigError) and "unknown broker" in str(wrong.exception)
    bare = CliRunner().invoke(app, ["execute", "--broker", "fix"], env=env)
    assert isinstance(bare.exception, ConfigError) and "--fix-config" in bare.exception.hint


def test_child_orders_by_volume_and_limits_from_the_arrival_price(
        store: Store, book_files: dict[str, Path]) -> None:
    run = stored_run(store, book_files)
    broker, clock = simulated_broker(store, AS_OF)
    settings = ExecutionSettings(limit_tolerance_bps=D(25), max_adv_share=D("0.1"))
    report = execute(store, run, broker, as_of=AS_OF, clock=clock, settings=settings,
                     adv=lambda _: D(200))  # at most 20 shares an order
    with store.transaction() as tx:
        orders = tx.orders(run)
    assert report.orders == 10 and report.states == {"filled": 10}
    aapl = sorted(o.quantity for o in orders if o.instrument_id == "AAPL")
    assert aapl == [16, 17, 17]
    assert {o.limit_price for o in orders if o.instrument_id == "AAPL"} == {D("131.33")}
    assert positions(store) == INTENDED


class FailingBroker(SimulatedBroker):
    """Loses the connection after ``sends`` orders went out."""

    def __init__(self, broker: SimulatedBroker, sends: int) -> None:
        self.__dict__.update(broker.__dict__)
        self.sends = sends

    def submit(self, order: Order) -> BrokerReport:
        if self.sends == 0:
            raise BrokerUnavailable("connection dropped")
        self.sends -= 1
        return super().submit(order)


def test_an_interrupted_batch_resumes_without_sending_twice(
        store: Store, book_files: dict[str, Path]) -> None:
    run = stored_run(store, book_files)
    sim, clock = simulated_broker(store, AS_OF)
    broker = FailingBroker(sim, sends=2)
    with pytest.raises(BrokerUnavailable):
        execute(store, run, broker, as_of=AS_OF, clock=clock)
    with store.transaction() as tx:  # persisted as submitted before anything was sent
        assert {o.state for o in tx.orders(run)} == {"submitted"}
    broker.sends = 99
    report = execute(store, run, broker, as_of=AS_OF, clock=clock)
    assert report.sent == 0 and report.states == {"filled": 4} and broker.submitted == 4
    assert positions(store) == INTENDED


def test_the_kill_switch_stops_every_order_of_an_engaged_account(
        store: Store, book_files: dict[str, Path]) -> None:
    run = stored_run(store, book_files)
    kill_switch.engage(store, reason="margin call", user="ops", account="H2-TAX")
    broker, clock = simulated_broker(store, AS_OF)
    with pytest.raises(KillSwitchEngaged, match="account H2-TAX"):
        execute(store, run, broker, as_of=AS_OF, clock=clock)
    assert broker.submitted == 0
    with store.transaction() as tx:
        assert {o.state for o in tx.orders(run)} == {"new"}
    kill_switch.disengage(store, reason="resolved", user="ops", account="H2-TAX")
    assert execute(store, run, broker, as_of=AS_OF, clock=clock).states == {"filled": 4}


def test_the_demo_book_ends_at_its_intended_positions(tmp_path: Path) -> None:
    demo = open_store(f"sqlite:///{tmp_path / 'demo.db'}")  # its own: the shared one is read-only
    load_demo(demo, households=3)
    run = rebalance.rebalance(demo).run_id
    assert run is not None
    rules = write(tmp_path, "fix.yaml", "name: fixing\nrules:\n  - {id: no-jnj, kind: "
                  "restricted, action: auto_fix, instruments: [JNJ]}\n")
    check(demo, rules_paths=[rules])
    intended = positions(demo)
    with demo.transaction() as tx:
        trades = approved_trades(tx, run)
    assert trades and all(t.instrument_id != "JNJ" or t.side == "sell" for t in trades)
    for t in trades:
        key = (t.account_id, t.instrument_id)
        intended[key] = intended.get(key, ZERO) + (t.quantity if t.side == "buy"
                                                   else -t.quantity)
    report = execute_run(demo)
    assert report.states == {"filled": report.orders} and report.booked == len(trades)
    assert positions(demo) == {k: q for k, q in intended.items() if q}
    assert execute_run(demo).booked == 0
    demo.close()


class SwitchOnFirstPoll(SimulatedBroker):
    """Compliance engages the global kill switch while the orders are working."""

    def __init__(self, broker: SimulatedBroker, store: Store) -> None:
        self.__dict__.update(broker.__dict__)
        self.store, self.polls, self.cancels = store, 0, 0

    def order_status(self, client_order_id: str) -> BrokerReport | None:
        self.polls += 1
        if self.polls == 1:
            kill_switch.engage(self.store, reason="flash crash", user="compliance")
        return super().order_status(client_order_id)

    def cancel(self, client_order_id: str) -> BrokerReport:
        self.cancels += 1
        return super().cancel(client_order_id)


def test_engaging_the_kill_switch_cancels_the_open_orders_at_once(
        store: Store, book_files: dict[str, Path]) -> None:
    run = stored_run(store, book_files)
    sim, clock = simulated_broker(store, AS_OF, SimulationConfig(fill_slices=4,
                                                                 slice_seconds=60))
    broker = SwitchOnFirstPoll(sim, store)
    start = clock.now()
    report = execute(store, run, broker, as_of=AS_OF, clock=clock,
                     settings=ExecutionSettings(poll_seconds=5, max_wait_seconds=3600))
    # each order had its first quarter filled when the switch engaged, the rest cancelled
    assert broker.cancels == report.orders == 4 and report.states == {"cancelled": 4}
    assert clock.now() - start < timedelta(seconds=60)  # not the hour's wait
    with store.transaction() as tx:
        filled = {o.client_order_id: o.filled_quantity for o in tx.orders(run)}
    assert all(q > 0 for q in filled.values())


class Timed(SimulatedBroker):
    """Notes the (simulated) time of every order it receives."""

    def __init__(self, broker: SimulatedBroker, clock: Clock) -> None:
        self.__dict__.update(broker.__dict__)
        self.at: list[datetime] = []
        self.watch = clock

    def submit(self, order: Order) -> BrokerReport:
        self.at.append(self.watch.now())
        return super().submit(order)


def test_orders_are_sent_within_the_brokers_rate_limit(
        store: Store, book_files: dict[str, Path]) -> None:
    run = stored_run(store, book_files)
    sim, clock = simulated_broker(store, AS_OF)
    broker = Timed(sim, clock)
    execute(store, run, broker, as_of=AS_OF, clock=clock,
            settings=ExecutionSettings(max_orders_per_second=2.0))
    gaps = [(b - a).total_seconds() for a, b in zip(broker.at, broker.at[1:], strict=False)]
    assert len(broker.at) == 4 and min(gaps) >= 0.5


def test_a_broker_is_named_and_fix_needs_its_session_settings(
        store: Store, book_files: dict[str, Path]) -> None:
    stored_run(store, book_files)
    with pytest.raises(ConfigError, match="unknown broker 'ib'"):
        execute_run(store, broker="ib")
    with pytest.raises(ConfigError, match="needs its session settings") as refused:
        execute_run(store, broker="fix")
    assert "--fix-config" in refused.value.hint


class BustingBroker(SimulatedBroker):
    """The broker takes back (busts) the first fill of the AAPL block once it is reported:
    its order stays partially filled from then on, and is cancelled at the end of the wait."""

    def __init__(self, broker: SimulatedBroker) -> None:
        self.__dict__.update(broker.__dict__)
        self.reversal: Fill | None = None
        self.target = ""

    def _busted(self, report: BrokerReport | None) -> BrokerReport | None:
        if report is None or report.client_order_id != self.target or self.reversal is None:
            return report
        filled = report.filled_quantity + self.reversal.quantity
        state = report.state if report.state is not OrderState.FILLED else \
            OrderState.PARTIALLY_FILLED
        return BrokerReport(report.client_order_id, report.broker_order_id, state, filled,
                            "trade bust" if state is OrderState.PARTIALLY_FILLED else "")

    def order_status(self, client_order_id: str) -> BrokerReport | None:
        mine = [f for f in super().fills() if f.client_order_id == client_order_id]
        if self.reversal is None and mine and mine[0].instrument_id == "AAPL":
            first = mine[0]
            self.target = client_order_id
            self.reversal = replace(first, fill_id=f"{first.fill_id}-bust",
                                    quantity=-first.quantity, commission=-first.commission)
        return self._busted(super().order_status(client_order_id))

    def cancel(self, client_order_id: str) -> BrokerReport:
        report = self._busted(super().cancel(client_order_id))
        assert report is not None
        if report.client_order_id == self.target:
            report = replace(report, state=OrderState.CANCELLED)
        return report

    def fills(self, since: datetime | None = None) -> list[Fill]:
        return super().fills(since) + ([self.reversal] if self.reversal else [])


def test_a_bust_while_the_order_works_is_booked_net(store: Store,
                                                    book_files: dict[str, Path]) -> None:
    run = stored_run(store, book_files)
    sim, clock = simulated_broker(store, AS_OF, SimulationConfig(fill_slices=2,
                                                                 slice_seconds=30))
    broker = BustingBroker(sim)
    report = execute(store, run, broker, as_of=AS_OF, clock=clock,
                     settings=ExecutionSettings(poll_seconds=10, max_wait_seconds=120))
    assert report.states == {"filled": 3, "cancelled": 1} and report.unallocated == 0
    with store.transaction() as tx:
        aapl = next(o for o in tx.orders(run) if o.instrument_id == "AAPL")
        fills = [f for f in tx.fills(run) if f.client_order_id == aapl.client_order_id]
        events = [e.reason for e in tx.order_events([aapl.client_order_id])]
    # the block of 50 filled in two slices of 25; the first 25 were busted: 25 stay filled,
    # allocated pro rata to H1-IRA's 20 and H1-TAX's 30 asked: 10 and 15
    assert aapl.filled_quantity == 25 and sorted(f.quantity for f in fills) == [-25, 25, 25]
    assert "trade bust" in events
    held = positions(store)
    assert held[("H1-IRA", "AAPL")] == 10 and held[("H1-TAX", "AAPL")] == 100 + 15


def test_with_the_switch_engaged_from_the_cli_no_order_reaches_the_broker(
        store: Store, book_files: dict[str, Path], tmp_path: Path) -> None:
    run = stored_run(store, book_files)
    runner, db = CliRunner(), ["--db", store.url]
    state = tmp_path / "paper-broker.sqlite"  # the paper broker's own books
    engaged = runner.invoke(app, ["kill", "engage", "--reason", "drill", "--user", "ops", *db])
    assert engaged.exit_code == 0
    refused = runner.invoke(app, ["execute", "--broker-state", str(state), *db])
    assert isinstance(refused.exception, KillSwitchEngaged)
    broker, _ = simulated_broker(store, AS_OF, state=state)
    broker.connect()
    with store.transaction() as tx:
        ids = [o.client_order_id for o in tx.orders(run)]
    assert ids and all(broker.order_status(i) is None for i in ids)
    assert broker.fills() == [] and broker.positions() == {}
