"""The daily cycle on the demo book: every stage stored and journaled, a date run twice does
nothing new, a failed validation stops before anything is proposed, the kill switch stops a
cycle (also one already running), and drawdown ladders de-risk the targets it trades to."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ballast.cli import app
from ballast.config.compliance import KillSwitchPolicy
from ballast.config.cycle import CycleConfig, Environment, load_cycle_config
from ballast.domain import ConfigError
from ballast.engine import kill_switch
from ballast.engine.approvals import decide, set_policy
from ballast.engine.audit import journal, verify_journal
from ballast.engine.cycle import run_cycle
from ballast.engine.demo import load_demo
from ballast.engine.kernel import kernel_for
from ballast.engine.reconcile_reports import stored_report
from ballast.engine.report_schedule import Frequency, run_due
from ballast.engine.simulation import simulated_broker
from ballast.engine.users import add_user
from ballast.engine.workspace import open_store
from ballast.execution import BrokerReport, Clock, Order, SimulatedBroker, SimulationConfig
from ballast.store import Store

from .conftest import write

LAST = date(2021, 3, 31)  # the sample's last session
PASSWORD = "correct horse battery staple"
RULES = """name: light
rules:
  - {id: no-shorts, kind: no_shorts}
"""
LADDER = """name: ladder
rules:
  - {id: no-shorts, kind: no_shorts}
drawdown:
  - id: growth-dd
    model: growth
    risky: [technology, consumer_discretionary]
    ladder:
      - {drawdown: 0.10, scale: 0.7}
      - {drawdown: 0.20, scale: 0.4}
    release_above: 0.05
"""


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Store]:
    """The demo book whose approval policy approves automatically (compliance set it)."""
    store = open_store(f"sqlite:///{tmp_path / 'demo.db'}")
    load_demo(store, households=3)
    add_user(store, "carol", PASSWORD, ["compliance"], actor="setup", reason="test")
    add_user(store, "tom", PASSWORD, ["trader"], actor="setup", reason="test")
    set_policy(store, "mode: automatic\n", actor="carol", reason="paper trading")
    yield store
    store.close()


def config(tmp_path: Path, text: str = RULES, **kw: object) -> CycleConfig:
    return CycleConfig(rules=(write(tmp_path, "rules.yaml", text),), **kw)  # type: ignore[arg-type]


def orders(store: Store) -> int:
    with store.transaction() as tx:
        return sum(len(tx.orders(r.id)) for r in tx.rebalance_runs())


def test_a_cycle_runs_every_stage_once_and_a_rerun_does_nothing_new(
        demo: Store, tmp_path: Path) -> None:
    paper = config(tmp_path, broker_state=tmp_path / "broker.sqlite")  # kept across restarts
    report = run_cycle(demo, paper, LAST)
    stages = {s.stage: s for s in report.cycle.stages}
    assert report.new and report.status == "completed"
    assert list(stages) == ["ingest", "validate", "corporate_actions", "value", "targets",
                            "monitor", "propose", "check", "approve", "execute", "reconcile",
                            "measure", "report"]
    assert stages["measure"].summary.startswith("firm ") and "month to date" in \
        stages["measure"].summary
    assert stages["report"].status == "skipped"
    assert stages["monitor"].outcome["breaches"] == 0
    assert stages["ingest"].status == "skipped" and stages["targets"].status == "skipped"
    assert stages["execute"].outcome["orders"] > 0
    assert stages["execute"].outcome["booked"] > 0
    assert stages["reconcile"].outcome["breaks"] == 0
    found = stored_report(demo, stages["reconcile"].outcome["report_id"])
    assert found.report.status == "clean" and found.breaks == []
    assert (tmp_path / "broker.sqlite").is_file()
    sent = orders(demo)
    again = run_cycle(demo, paper, LAST)
    assert not again.new and again.cycle == report.cycle and orders(demo) == sent
    entries = journal(demo, subject=f"cycle:{report.cycle.id}")
    assert [e.kind for e in entries][:2] == ["cycle.started", "cycle.ingest"]
    assert len(entries) == 1 + len(stages) and verify_journal(demo).intact


def test_no_prices_for_the_session_fails_validation_before_anything_is_proposed(
        demo: Store, tmp_path: Path) -> None:
    report = run_cycle(demo, config(tmp_path), date(2021, 4, 1))
    last = report.cycle.stages[-1]
    assert report.status == "failed" and last.stage == "validate"
    assert "no prices for 2021-04-01" in last.summary and "2021-03-31" in last.summary
    with demo.transaction() as tx:
        assert tx.rebalance_runs() == []


def test_a_day_that_is_not_a_session_is_refused(demo: Store, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="2021-03-27 is not a trading day") as refused:
        run_cycle(demo, config(tmp_path), date(2021, 3, 27))
    assert "2021-03-29" in refused.value.hint


def test_a_bad_inbox_file_fails_the_cycle_and_writes_nothing(demo: Store, tmp_path: Path
                                                             ) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write(inbox, "prices-0401.csv", "date,symbol,close\n2021-04-01,AAPL,abc\n")
    report = run_cycle(demo, config(tmp_path, inbox=inbox), date(2021, 4, 1))
    (stage,) = report.cycle.stages
    assert report.status == "failed" and stage.stage == "ingest"
    assert "prices-0401.csv" in stage.summary and "close" in stage.summary
    with demo.transaction() as tx:
        assert tx.last_price_date() == LAST


def test_the_kill_switch_stops_the_cycle_and_a_rerun_resumes_after_disengaging(
        demo: Store, tmp_path: Path) -> None:
    kill_switch.engage(demo, reason="broker outage", user="carol")
    report = run_cycle(demo, config(tmp_path), LAST)
    assert report.status == "stopped" and report.cycle.stages[-1].stage == "execute"
    assert "broker outage" in report.cycle.stages[-1].summary
    with demo.transaction() as tx:
        assert {o.state for r in tx.rebalance_runs() for o in tx.orders(r.id)} <= {"new"}
    kill_switch.disengage(demo, reason="restored", user="carol")
    resumed = run_cycle(demo, config(tmp_path), LAST)
    assert resumed.status == "completed"
    assert [s.stage for s in resumed.cycle.stages].count("propose") == 1
    with demo.transaction() as tx:
        assert len(tx.rebalance_runs()) == 1  # the stored run was executed, not a new one


def test_a_proposal_waiting_for_a_person_stops_the_cycle_until_approved(
        demo: Store, tmp_path: Path) -> None:
    set_policy(demo, "mode: maker_checker\n", actor="carol", reason="live trading")
    report = run_cycle(demo, config(tmp_path), LAST)
    stage = report.cycle.stages[-1]
    assert report.status == "stopped" and stage.stage == "approve"
    assert "wait for a person's approval" in stage.summary and orders(demo) == 0
    run = {s.stage: s.outcome for s in report.cycle.stages}["propose"]["run_id"]
    decide(demo, run, "approved", user="tom", reason="reviewed the trades")
    resumed = run_cycle(demo, config(tmp_path), LAST)
    assert resumed.status == "completed" and orders(demo) > 0


CONCENTRATION = RULES + """  - {id: single-stock-15, kind: max_weight, by: issuer, kinds: [equity],
     limit: 0.15}
"""


def test_limit_breaches_are_adjusted_in_their_own_run_and_held_from_rebalancing(
        demo: Store, tmp_path: Path) -> None:
    report = run_cycle(demo, config(tmp_path, CONCENTRATION), LAST)
    stages = {s.stage: s.outcome for s in report.cycle.stages}
    assert report.status == "completed" and stages["monitor"]["breaches"] > 0
    adjustment, rebalance = stages["monitor"]["run_id"], stages["propose"]["run_id"]
    with demo.transaction() as tx:
        held = {p.account_id: p for p in tx.proposals(rebalance)}
        sells = tx.proposed_trades(adjustment)
        states = {o.state for o in tx.orders(adjustment)}
    for account in stages["monitor"]["adjusted"]:
        assert held[account].status == "no_action"
        assert held[account].reasons == f"held: limit adjustment in run {adjustment}"
    assert sells and {t.side for t in sells} == {"sell"} and states == {"filled"}
    after = run_cycle(demo, config(tmp_path, CONCENTRATION), LAST)
    assert not after.new


class EngagingBroker(SimulatedBroker):
    """Engages the global kill switch (as compliance would, from elsewhere) after its first
    order, in the middle of a running cycle."""

    def __init__(self, broker: SimulatedBroker, store: Store) -> None:
        self.__dict__.update(broker.__dict__)
        self.store = store
        self.received = 0

    def submit(self, order: Order) -> BrokerReport:
        self.received += 1
        report = super().submit(order)
        if self.received == 1:
            kill_switch.engage(self.store, reason="intraday loss", user="carol")
        return report


def test_a_switch_engaged_while_a_cycle_runs_stops_every_later_order(
        demo: Store, tmp_path: Path) -> None:
    brokers: list[EngagingBroker] = []

    def factory(store: Store, session: date) -> tuple[SimulatedBroker, Clock]:
        sim, clock = simulated_broker(store, session)
        brokers.append(EngagingBroker(sim, store))
        return brokers[-1], clock

    cfg = config(tmp_path)
    kernel = kernel_for(cfg.model_copy(update={"environment": Environment.LIVE}), broker=factory)
    report = run_cycle(demo, cfg, LAST, kernel=kernel)
    assert report.status == "stopped" and "intraday loss" in report.cycle.stages[-1].summary
    assert brokers[0].received == 1 and orders(demo) > 1


def test_drawdown_ladders_derisk_the_targets_of_the_cycle(demo: Store, tmp_path: Path) -> None:
    session = date(2020, 3, 23)  # the bottom of the 2020 crash in the sample's real closes
    report = run_cycle(demo, config(tmp_path, LADDER, execute=False), session)
    stages = {s.stage: s for s in report.cycle.stages}
    derisked = stages["targets"].outcome["adjusted"]
    assert derisked and set(derisked.values()) <= {0.4, 0.7}
    with demo.transaction() as tx:
        (run,) = tx.rebalance_runs()
        proposals = {p.account_id: p for p in tx.proposals(run.id)}
    for account in derisked:
        assert "drawdown" in proposals[account].reasons


def test_the_environment_is_chosen_in_configuration(tmp_path: Path) -> None:
    path = write(tmp_path, "cycle.yaml", "environment: live\n")
    cfg = load_cycle_config(path)
    with pytest.raises(ConfigError, match="live environment needs a real broker"):
        kernel_for(cfg)
    bad = write(tmp_path, "bad.yaml", "environment: paper\nexecute: maybe\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml.*execute"):
        load_cycle_config(bad)
    assert kernel_for(CycleConfig(environment=Environment.BACKTEST)).clock.now().year == 1970


def test_cli_cycle_and_history(demo: Store, tmp_path: Path) -> None:
    runner = CliRunner()
    cfg = write(tmp_path, "cycle.yaml", f"rules: [{write(tmp_path, 'r.yaml', RULES)}]\n")
    db = ["--db", demo.url]
    result = runner.invoke(app, ["cycle", "--date", "2021-03-31", "--config", str(cfg), *db])
    assert result.exit_code == 0, result.output
    assert "completed" in result.output and "transactions booked" in result.output
    result = runner.invoke(app, ["cycle", "--date", "2021-03-31", "--config", str(cfg), *db])
    assert "already completed, nothing new done" in result.output
    result = runner.invoke(app, ["cycles", *db])
    assert "2021-03-31" in result.output and "completed" in result.output
    result = runner.invoke(app, ["cycle", "--date", "2021-04-01", "--config", str(cfg), *db])
    assert result.exit_code == 1 and "failed" in result.output




def test_a_day_losing_beyond_the_limit_engages_the_kill_switch_before_proposing(
        demo: Store, tmp_path: Path) -> None:
    crash = date(2020, 3, 16)  # S&P 500 −12% in the sample's real closes
    cfg = config(tmp_path, kill_switch=KillSwitchPolicy(max_intraday_loss=0.05))
    report = run_cycle(demo, cfg, crash)
    stage = report.cycle.stages[-1]
    assert report.status == "stopped" and stage.stage == "value"
    assert stage.outcome["day_return"] < -0.05 and "intraday loss of" in stage.summary
    assert [s.scope for s in kill_switch.status(demo)] == ["global"]


def test_a_reject_rate_above_the_limit_engages_the_kill_switch(demo: Store, tmp_path: Path
                                                               ) -> None:
    def rejecting(store: Store, session: date) -> tuple[SimulatedBroker, Clock]:
        return simulated_broker(store, session, SimulationConfig(reject_probability=1.0))

    cfg = config(tmp_path, kill_switch=KillSwitchPolicy(max_reject_rate=0.2,
                                                        min_orders_for_reject_rate=2))
    kernel = kernel_for(cfg.model_copy(update={"environment": Environment.LIVE}),
                        broker=rejecting)
    report = run_cycle(demo, cfg, LAST, kernel=kernel)
    stage = report.cycle.stages[-1]
    assert report.status == "stopped" and stage.stage == "execute"
    assert stage.outcome["states"] == {"rejected": stage.outcome["orders"]}
    assert "orders rejected (100%), above the 20% limit" in stage.summary
    assert kill_switch.status(demo)


def test_statements_of_closed_periods_are_written_once_by_the_cycle(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'small.db'}")
    load_demo(store, households=1)
    out = tmp_path / "statements"
    cfg = config(tmp_path, execute=False, reports=out)
    report = run_cycle(store, cfg, LAST)  # March and Q1 2021 close on the 31st
    stage = report.cycle.stages[-1]
    assert report.status == "completed" and stage.stage == "report"
    with store.transaction() as tx:
        accounts = len(tx.accounts())
    assert stage.outcome["statements"] == [f"2021-03 ({accounts} accounts)",
                                           f"2021Q1 ({accounts} accounts)"]
    assert len(list((out / "2021-03").glob("*.pdf"))) == accounts
    assert len(list((out / "2021Q1").glob("*.html"))) == accounts
    # a later run for the same day (a cron job, another environment) finds nothing due
    assert run_due(store, Frequency.QUARTERLY, out, as_of=LAST) == []
    store.close()


def test_alerts_need_their_signing_secret(demo: Store, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BALLAST_WEBHOOK_SECRET", raising=False)
    cfg = config(tmp_path, execute=False, alerts_webhook="http://127.0.0.1:9/alerts")
    report = run_cycle(demo, cfg, LAST)
    stage = report.cycle.stages[-1]
    assert report.status == "failed" and stage.stage == "report"
    assert "BALLAST_WEBHOOK_SECRET is not" in stage.summary
