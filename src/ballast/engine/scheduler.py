"""The scheduler behind ``ballast run``: a cycle at each configured time on every trading day
of the exchange calendar. The first time of a session runs its cycle, a later time resumes a
cycle that failed or stopped; a cycle already completed is never run again, so a restarted
scheduler (or two runs of the same date) does nothing new."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from itertools import takewhile
from zoneinfo import ZoneInfo

from ballast.config.cycle import CycleConfig, Schedule
from ballast.data import trading_calendar
from ballast.engine.cycle import CycleReport, run_cycle
from ballast.engine.kernel import Kernel
from ballast.engine.shadow import ShadowCycle, after_cycle
from ballast.store import Store

MAX_SLEEP = 300.0  # seconds: wake at least this often, so a stop request is seen


def due_times(schedule: Schedule, after: datetime) -> Iterator[tuple[date, datetime]]:
    """Every (session, moment) of ``schedule`` strictly after ``after``, in order."""
    calendar = trading_calendar(schedule.calendar)
    zone = ZoneInfo(schedule.timezone)
    day = after.astimezone(zone).date()
    while True:
        if calendar.is_session(day):
            for t in sorted(schedule.times):
                moment = datetime.combine(day, t, zone)
                if moment > after:
                    yield day, moment
        day += timedelta(days=1)


def run_schedule(store: Store, config: CycleConfig, kernel: Kernel, *,
                 stop: Callable[[], bool] = lambda: False,
                 on_cycle: Callable[[CycleReport], None] = lambda _: None,
                 on_shadow: Callable[[ShadowCycle], None] = lambda _: None) -> int:
    """Run cycles on ``kernel``'s clock until ``stop()`` is true; returns how many cycles did
    something. On start, today's session is caught up when one of its times has passed. After
    each cycle the configured shadow books run theirs (docs/shadow.md)."""
    clock = kernel.clock
    ran = 0
    start = clock.now()
    today = start.astimezone(ZoneInfo(config.schedule.timezone)).date()
    passed = takewhile(lambda due: due[1] <= start,
                       due_times(config.schedule, start - timedelta(days=1)))
    if any(day == today for day, _ in passed):
        ran += _cycle(store, config, kernel, today, on_cycle, on_shadow)
    for session, moment in due_times(config.schedule, start):
        while (wait := (moment - clock.now()).total_seconds()) > 0:
            if stop():
                return ran
            clock.sleep(min(wait, MAX_SLEEP))
        if stop():
            return ran
        ran += _cycle(store, config, kernel, session, on_cycle, on_shadow)
    return ran  # pragma: no cover - due_times never ends


def _cycle(store: Store, config: CycleConfig, kernel: Kernel, session: date,
           on_cycle: Callable[[CycleReport], None],
           on_shadow: Callable[[ShadowCycle], None]) -> int:
    report = run_cycle(store, config, session, kernel=kernel)
    on_cycle(report)
    for shadow in after_cycle(store, config, report, kernel):
        on_shadow(shadow)
    return int(report.new)


__all__ = ["due_times", "run_schedule"]
