"""Shadow books on the demo book: a shadow with the live policy and no live overrides tracks
the live book exactly; one that harvests losses where the live book does not diverges in that
direction; a manual trade in the live book (an override) is not mirrored, a deposit is; the
shadow's cycles are journaled apart and its orders go only to its own simulated broker."""

from __future__ import annotations

import csv
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from typer.testing import CliRunner

from ballast.cli import app
from ballast.config.cycle import CycleConfig, Environment, Schedule, load_cycle_config
from ballast.domain import ConfigError
from ballast.engine.audit import journal, verify_journal
from ballast.engine.cycle import cycles, run_cycle
from ballast.engine.demo import load_demo
from ballast.engine.imports import ImportKind, import_file
from ballast.engine.kernel import kernel_for
from ballast.engine.scheduler import run_schedule
from ballast.engine.shadow import ShadowCycle, after_cycle, run_shadows, start_shadow
from ballast.engine.shadow_compare import compare_shadow
from ballast.engine.workspace import open_store
from ballast.execution.broker import SimulatedClock
from ballast.store import Store

from .conftest import write

START = date(2021, 2, 26)  # the shadows copy the live book at this close
SESSIONS = [date(2021, 3, 1), date(2021, 3, 2), date(2021, 3, 3), date(2021, 3, 4)]
RULES = "name: light\nrules:\n  - {id: no-shorts, kind: no_shorts}\n"
NY = ZoneInfo("America/New_York")


@pytest.fixture
def live(tmp_path: Path) -> Store:
    store = open_store(f"sqlite:///{tmp_path / 'live.db'}")
    load_demo(store, households=3)
    return store


def config_file(tmp_path: Path, shadows: list[dict[str, object]], **extra: object) -> Path:
    """A cycle configuration whose live policy does not harvest losses."""
    data = {"rules": [str(write(tmp_path, "rules.yaml", RULES))],
            "rebalance": {"harvest_max_per_account": 0}, "shadows": shadows, **extra}
    return write(tmp_path, "cycle.yaml", yaml.safe_dump(data))


def shadow(tmp_path: Path, name: str, **fields: object) -> dict[str, object]:
    return {"name": name, "store": f"sqlite:///{tmp_path / f'{name}.db'}", **fields}


def cycle(live: Store, path: Path, day: date) -> str:
    result = CliRunner().invoke(app, ["cycle", "--date", day.isoformat(), "--config",
                                      str(path), "--db", live.url], terminal_width=250)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_same_policy_tracks_live_exactly_and_harvesting_diverges_as_expected(
        live: Store, tmp_path: Path) -> None:
    path = config_file(tmp_path, [
        shadow(tmp_path, "same"),
        shadow(tmp_path, "harvest", description="bands with harvesting",
               rebalance={"harvest_max_per_account": 2})])
    runner = CliRunner()
    started = runner.invoke(app, ["shadow", "start", "--name", "same", "--from",
                                  START.isoformat(), "--config", str(path), "--db", live.url])
    assert started.exit_code == 0, started.output
    outputs = [cycle(live, path, day) for day in SESSIONS]  # "harvest" starts with the first
    assert "shadow same 2021-03-01: completed" in outputs[0]
    assert "shadow harvest 2021-03-01: completed" in outputs[0]
    cfg = load_cycle_config(path)

    same = compare_shadow(live, cfg, "same")
    assert [d.day for d in same.days] == [START, *SESSIONS]
    assert all(d.difference == 0.0 and d.after_tax_difference == 0.0 for d in same.days)
    assert same.trades == () and same.tracking_error == 0.0
    assert same.days[-1].live.traded > 0  # both books traded, and traded alike

    harvest = compare_shadow(live, cfg, "harvest")
    assert harvest.days[0].difference == 0.0  # equal at the start
    end = harvest.days[-1]
    assert end.live.harvested == 0.0 and end.shadow.harvested > 1000
    # the harvest sales are the only gains the books realized differently
    assert end.live.realized - end.shadow.realized == pytest.approx(end.shadow.harvested,
                                                                   abs=0.01)
    assert harvest.turnover("shadow") > harvest.turnover("live")
    sold = [t for t in harvest.shadow_only if t.side == "sell"]
    assert sold and harvest.tracking_error > 0

    table = tmp_path / "harvest.csv"
    shown = runner.invoke(app, ["shadow", "compare", "--name", "harvest", "--config",
                                str(path), "--db", live.url, "--csv", str(table)],
                          terminal_width=250)
    assert shown.exit_code == 0, shown.output
    assert "shadow harvest against the live book" in shown.output
    assert "trades that differ" in shown.output
    with table.open() as f:
        rows = list(csv.DictReader(f))
    assert [r["date"] for r in rows] == [d.isoformat() for d in [START, *SESSIONS]]
    assert float(rows[-1]["shadow_harvested"]) == round(end.shadow.harvested, 2)

    # the live journal names every shadow cycle; the shadow's cycles are its own
    entries = journal(live, subject="shadow:harvest")
    assert [e.kind for e in entries] == ["shadow.started"] + ["shadow.cycle"] * 4
    assert "bands with harvesting" in entries[0].rationale
    assert all(c.environment == "paper" for c in cycles(live))
    book = open_store(cfg.shadow("harvest").store)
    assert {c.environment for c in cycles(book)} == {"shadow"}
    assert journal(book, subject="shadow:harvest")[0].kind == "shadow.started"
    assert any(e.rationale.startswith("shadow cycle of 2021-03-01")
               for e in journal(book) if e.kind == "cycle.started")
    assert verify_journal(book).intact and verify_journal(live).intact
    book.close()
    again = cycle(live, path, SESSIONS[-1])  # a date run twice does nothing new, shadows too
    assert "already completed" in again and "shadow.cycle" not in again
    assert len(journal(live, subject="shadow:harvest")) == 5


def test_a_live_override_is_not_mirrored_and_a_deposit_is(live: Store, tmp_path: Path
                                                          ) -> None:
    path = config_file(tmp_path, [shadow(tmp_path, "model")])
    cfg = load_cycle_config(path)
    start_shadow(live, cfg, "model", START)
    cycle(live, path, SESSIONS[0])
    with live.transaction() as tx:
        account, instrument, units, _ = max(tx.position_totals(), key=lambda p: p[2])
        cash = tx.cash([account])[(account, "USD")]
    sold = units // 2
    # the withdrawal spends half the sale's proceeds: the live book can pay it, the shadow —
    # which did not sell — cannot
    out = cash + 25000 + sold * 50
    override = write(tmp_path, "manual.csv", (
        "id,account_id,date,kind,symbol,quantity,price,amount,fees\n"
        f"DEP-1,{account},2021-03-02,deposit,,,,25000.00,\n"
        f"MAN-1,{account},2021-03-02,sell,{instrument},{sold},100.00,,\n"
        f"WD-1,{account},2021-03-02,withdrawal,,,,{out:.2f},\n"))
    import_file(live, ImportKind.TRANSACTIONS, override, today=SESSIONS[1])
    for day in SESSIONS[1:3]:
        cycle(live, path, day)

    found = compare_shadow(live, cfg, "model")
    by_day = {d.day: d for d in found.days}
    assert by_day[SESSIONS[0]].difference == 0.0
    assert by_day[SESSIONS[1]].difference != 0.0  # the manual sale was not the model's
    live_only = [t for t in found.trades if t.shadow == 0]
    assert (SESSIONS[1], account, str(instrument), "sell") in {
        (t.day, t.account, t.instrument, t.side) for t in live_only}
    book = open_store(cfg.shadow("model").store)
    with book.transaction() as tx:
        mirrored = tx.transactions_by_id(["DEP-1", "MAN-1", "WD-1"])
    refused = [e for e in journal(book) if e.kind == "shadow.mirror_refused"]
    book.close()
    assert list(mirrored) == ["DEP-1"]
    assert len(refused) == 1 and "WD-1" in refused[0].rationale  # once, then skipped
    assert f"account:{account}" in refused[0].subject


def test_the_shadows_orders_never_reach_the_live_broker(live: Store, tmp_path: Path) -> None:
    pytest.importorskip("quickfix")
    # tests/ is on the path: the QuickFIX acceptor of tests/execution plays the live broker
    from execution.fix_counterparty import Counterparty, Rules, adapter_settings

    day = date(2021, 3, 31)
    with live.transaction() as tx:
        closes = {str(b.instrument_id): b.close for b in tx.closes_as_of(day)}
    rules = write(tmp_path, "rules.yaml", RULES)
    broker_rules = Rules(prices=closes, trade_time=datetime(2021, 3, 31, 15, tzinfo=NY))
    with Counterparty(tmp_path / "broker", broker_rules) as cp:
        settings = write(tmp_path, "fix.yaml", yaml.safe_dump(
            adapter_settings(cp, tmp_path / "session").model_dump(mode="json")))
        cfg = CycleConfig.model_validate({
            "environment": "live", "broker": "fix", "fix": settings, "rules": [rules],
            "shadows": [shadow(tmp_path, "paper")]})
        kernel = kernel_for(cfg)
        report = run_cycle(live, cfg, day, kernel=kernel)
        ran = after_cycle(live, cfg, report, kernel)
        assert report.status == "completed" and [s.status for s in ran] == ["completed"]
        with live.transaction() as tx:
            sent = [o for r in tx.rebalance_runs() for o in tx.orders(r.id)]
        assert sent and {o.broker for o in sent} == {"fix"}
        assert cp.received == {o.client_order_id: 1 for o in sent}  # the live orders, once
    book = open_store(cfg.shadow("paper").store)
    with book.transaction() as tx:
        shadowed = [o for r in tx.rebalance_runs() for o in tx.orders(r.id)]
    book.close()
    assert shadowed and {o.broker for o in shadowed} == {"simulated"}


def test_the_scheduler_runs_the_shadows_after_each_cycle(live: Store, tmp_path: Path) -> None:
    cfg = CycleConfig(environment=Environment.BACKTEST, rules=(write(tmp_path, "r.yaml",
                                                                      RULES),),
                      schedule=Schedule(times=(time(16, 30),)),
                      shadows=(load_cycle_config(config_file(
                          tmp_path, [shadow(tmp_path, "same")])).shadows))
    seen: list[ShadowCycle] = []
    clock = SimulatedClock(datetime(2021, 3, 1, 12, tzinfo=NY))
    ran = run_schedule(live, cfg, kernel_for(cfg, clock=clock),
                       stop=lambda: clock.now() >= datetime(2021, 3, 3, 12, tzinfo=NY),
                       on_shadow=seen.append)
    assert ran == 2
    assert [(s.name, s.session, s.status) for s in seen] == [
        ("same", date(2021, 3, 1), "completed"), ("same", date(2021, 3, 2), "completed")]
    assert compare_shadow(live, cfg, "same").days[-1].difference == 0.0


def test_configuration_mistakes_are_refused(live: Store, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="same name: a"):
        load_cycle_config(config_file(tmp_path, [shadow(tmp_path, "a"), shadow(tmp_path, "a")]))
    with pytest.raises(ConfigError, match="environment shadow is not configured"):
        load_cycle_config(config_file(tmp_path, [], environment="shadow"))
    cfg = load_cycle_config(config_file(tmp_path, [
        shadow(tmp_path, "self", store=live.url), shadow(tmp_path, "twice")]))
    with pytest.raises(ConfigError, match="its store is the live book's own"):
        start_shadow(live, cfg, "self", START)
    with pytest.raises(ConfigError, match=r"no shadow 'nope'.*configured: self, twice"):
        start_shadow(live, cfg, "nope", START)
    start_shadow(live, cfg, "twice", START)
    with pytest.raises(ConfigError, match="already holds a book"):
        start_shadow(live, cfg, "twice", START)
    # a shadow that cannot run is reported; it does not raise into the live cycle
    reports = run_shadows(live, cfg, SESSIONS[0])
    assert [(r.name, r.status) for r in reports] == [("self", "failed"), ("twice", "completed")]
    assert "live book's own" in reports[0].error


def test_a_shadow_started_in_the_past_is_caught_up_session_by_session(
        live: Store, tmp_path: Path) -> None:
    plain = config_file(tmp_path, [])
    for day in SESSIONS[:2]:  # the live book runs without a shadow first
        cycle(live, plain, day)
    path = config_file(tmp_path, [shadow(tmp_path, "late")])
    db = ["--config", str(path), "--db", live.url]
    runner = CliRunner()
    assert runner.invoke(app, ["shadow", "start", "--name", "late", "--from",
                               START.isoformat(), *db]).exit_code == 0
    ran = runner.invoke(app, ["shadow", "run", "--name", "late", "--until", "2021-03-02", *db],
                        terminal_width=250)
    assert ran.exit_code == 0, ran.output
    assert "shadow late 2021-03-01: completed" in ran.output
    assert "shadow late 2021-03-02: completed" in ran.output
    found = compare_shadow(live, load_cycle_config(path), "late")
    assert [d.day for d in found.days] == [START, *SESSIONS[:2]]
    assert all(d.difference == 0.0 for d in found.days) and found.trades == ()
    as_json = runner.invoke(app, ["shadow", "compare", "--name", "late", "--json", *db])
    assert '"tracking_error": 0.0' in as_json.output


def test_a_shadow_book_on_either_backend_tracks_live(live: Store, tmp_path: Path,
                                                     store_url: str) -> None:
    path = config_file(tmp_path, [{"name": "elsewhere", "store": store_url}])
    cycle(live, path, SESSIONS[0])  # started by the cycle at the close of the session before
    found = compare_shadow(live, load_cycle_config(path), "elsewhere")
    assert found.start == START and len(found.days) == 2
    assert found.days[-1].shadow.traded > 0 and found.days[-1].difference == 0.0
