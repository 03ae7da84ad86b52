"""The scheduler on a simulated clock: a cycle at the configured time of each trading day,
none on a holiday or weekend, and a restart that catches up today without repeating."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from ballast.config.cycle import CycleConfig, Environment, Schedule
from ballast.engine.cycle import CycleReport, cycles
from ballast.engine.demo import load_demo
from ballast.engine.kernel import kernel_for
from ballast.engine.scheduler import due_times, run_schedule
from ballast.engine.workspace import open_store
from ballast.execution.broker import SimulatedClock

NY = ZoneInfo("America/New_York")


def test_due_times_skip_weekends_and_holidays() -> None:
    schedule = Schedule(times=(time(9, 0), time(16, 30)))
    it = due_times(schedule, datetime(2021, 4, 1, 12, 0, tzinfo=NY))  # Good Friday follows
    got = [next(it) for _ in range(3)]
    assert got == [(date(2021, 4, 1), datetime(2021, 4, 1, 16, 30, tzinfo=NY)),
                   (date(2021, 4, 5), datetime(2021, 4, 5, 9, 0, tzinfo=NY)),
                   (date(2021, 4, 5), datetime(2021, 4, 5, 16, 30, tzinfo=NY))]


def test_cycles_run_on_schedule_and_a_restart_repeats_nothing(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'demo.db'}")
    load_demo(store, households=2)
    rules = tmp_path / "rules.yaml"
    rules.write_text("name: light\nrules:\n  - {id: no-shorts, kind: no_shorts}\n")
    cfg = CycleConfig(environment=Environment.BACKTEST, rules=(rules,), execute=False,
                      schedule=Schedule(times=(time(16, 30),)))
    seen: list[CycleReport] = []

    def run_until(start: datetime, end: datetime) -> int:
        clock = SimulatedClock(start)
        return run_schedule(store, cfg, kernel_for(cfg, clock=clock),
                            stop=lambda: clock.now() >= end, on_cycle=seen.append)

    assert run_until(datetime(2021, 3, 26, 12, tzinfo=NY),
                     datetime(2021, 3, 30, 12, tzinfo=NY)) == 2
    assert [r.cycle.as_of for r in seen] == [date(2021, 3, 26), date(2021, 3, 29)]
    # restarted after today's time had passed: today is caught up once, then the schedule goes on
    assert run_until(datetime(2021, 3, 29, 18, tzinfo=NY),
                     datetime(2021, 3, 31, 12, tzinfo=NY)) == 1
    assert [(r.cycle.as_of, r.new) for r in seen[2:]] == [(date(2021, 3, 29), False),
                                                         (date(2021, 3, 30), True)]
    assert [c.as_of for c in cycles(store)] == [date(2021, 3, 30), date(2021, 3, 29),
                                               date(2021, 3, 26)]
    assert all(c.status == "completed" for c in cycles(store))
    store.close()
