"""The daily cycle: ingest → validate → corporate actions → value → targets → propose → check →
execute (and book) → reconcile, each stage's outcome stored and journaled (docs/cycle.md).

One cycle per (session, environment): running a finished date again does nothing new; a cycle
that failed or stopped resumes at the stage that did not finish. A stage that fails stops the
cycle with its error and how to fix it; no later stage runs, so nothing is ever traded after a
failed validation."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from ballast.audit.journal import Draft
from ballast.config.cycle import CycleConfig
from ballast.data import trading_calendar
from ballast.domain import BallastError, ConfigError, DataError
from ballast.engine.cycle_stages import STAGES, CycleContext, Stage, StageOutcome
from ballast.engine.kernel import Kernel, kernel_for
from ballast.store import Store
from ballast.store.cycles import CycleRecord, StageRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CycleReport:
    """The cycle as stored after this call, and whether this call did anything."""

    cycle: CycleRecord
    new: bool

    @property
    def status(self) -> str:
        return self.cycle.status


def run_cycle(store: Store, config: CycleConfig, session: date, *, kernel: Kernel | None = None,
              stages: tuple[tuple[str, Stage], ...] = STAGES) -> CycleReport:
    """Run (or resume) the cycle of ``session``; a completed one is returned untouched."""
    kernel = kernel or kernel_for(config)
    calendar = trading_calendar(config.schedule.calendar)
    if not calendar.is_session(session):
        raise ConfigError(f"{session} is not a trading day on {config.schedule.calendar}",
                          hint="Give a session date; the next one is "
                          f"{calendar.next_session(session)}.")
    env, version = kernel.environment.value, config.version()
    with store.transaction() as tx:
        existing = tx.cycle_on(session, env)
        if existing is not None and existing.status == "completed":
            return CycleReport(existing, new=False)
        now = kernel.clock.now()
        if existing is None:
            cycle_id = tx.start_cycle(session, env, version, now)
            done: dict[str, dict[str, Any]] = {}
        else:
            cycle_id = existing.id
            tx.reopen_cycle(cycle_id, now)
            done = {s.stage: s.outcome for s in existing.stages
                    if s.status in ("done", "skipped")}
        tx.append_audit([Draft("cycle.started", (f"cycle:{cycle_id}",),
                               f"{env} cycle of {session} "
                               + ("resumed" if existing else "started"),
                               {"session": session.isoformat(), "resumed": sorted(done)},
                               policy_version=version)], now)
    status = "completed"
    for position, (name, stage) in enumerate(stages):
        if name in done:
            continue
        started = kernel.clock.now()
        outcome = _run(stage, CycleContext(store, config, session, kernel, done), name)
        record = StageRecord(name, position, outcome.status, started, kernel.clock.now(),
                             outcome.summary, outcome.outcome)
        with store.transaction() as tx:
            tx.record_stage(cycle_id, record)
            tx.append_audit([Draft(f"cycle.{name}", (f"cycle:{cycle_id}",),
                                   f"{name} {outcome.status}: {outcome.summary}",
                                   outcome.outcome, policy_version=version)], record.finished_at)
        if outcome.status in ("failed", "stopped"):
            status = outcome.status
            break
        done[name] = outcome.outcome
    with store.transaction() as tx:
        tx.finish_cycle(cycle_id, status, kernel.clock.now())
        cycle = tx.cycle_on(session, env)
    assert cycle is not None
    return CycleReport(cycle, new=True)


def _run(stage: Stage, ctx: CycleContext, name: str) -> StageOutcome:
    """A stage's outcome; an error becomes a failed stage that says what went wrong and how
    to fix it (an unexpected one is logged with its traceback)."""
    try:
        return stage(ctx)
    except BallastError as exc:
        hint = f" — {exc.hint}" if getattr(exc, "hint", "") else ""
        return StageOutcome("failed", f"{exc}{hint}", {"error": type(exc).__name__})
    except Exception as exc:  # a bug must stop the cycle safely, not kill the scheduler
        log.exception("cycle stage %s of %s failed", name, ctx.session)
        return StageOutcome("failed", f"unexpected error {type(exc).__name__}: {exc}",
                            {"error": type(exc).__name__})


def latest_session(store: Store) -> date:
    """The latest priced day of the book (the default session of ``ballast cycle``)."""
    with store.transaction() as tx:
        last = tx.last_price_date()
    if last is None:
        raise DataError("the book has no prices", hint="Import prices, or pass --date.")
    return last


def cycles(store: Store, limit: int | None = 20) -> list[CycleRecord]:
    """Stored cycles, newest first."""
    with store.transaction() as tx:
        return tx.cycles(limit)


__all__ = ["CycleRecord", "CycleReport", "cycles", "latest_session", "run_cycle"]
