"""``ballast cycle``, ``ballast cycles`` and ``ballast run``: the daily cycle once, its
history, and the scheduler. Registered on the main app by :func:`register`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from ballast.cli.dates import parse_day
from ballast.config.cycle import load_cycle_config
from ballast.engine.cycle import CycleRecord, CycleReport, cycles, latest_session, run_cycle
from ballast.engine.kernel import kernel_for
from ballast.engine.scheduler import run_schedule
from ballast.engine.shadow import ShadowCycle, after_cycle
from ballast.engine.workspace import open_store

console = Console()

Db = Annotated[str | None, typer.Option(
    "--db", envvar="BALLAST_DATABASE_URL", help="Database URL (default sqlite:///./ballast.db).")]
ConfigFile = Annotated[Path | None, typer.Option(
    "--config", "-c", help="Cycle configuration YAML (see docs/cycle.md; default: paper "
    "trading on the simulated broker with the stored rules).")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
_STYLE = {"done": "green", "skipped": "dim", "stopped": "yellow", "failed": "bold red",
          "completed": "green", "running": "cyan"}


def register(app: typer.Typer) -> None:
    """Add ``cycle``, ``cycles`` and ``run`` to ``app``."""
    app.command("cycle")(cycle_cmd)
    app.command("cycles")(cycles_cmd)
    app.command("run")(run_cmd)


def cycle_cmd(
    day: Annotated[str | None, typer.Option(
        "--date", help="The session to run (YYYY-MM-DD; default: the latest priced day).")] = None,
    config: ConfigFile = None, db: Db = None, as_json: Json = False,
) -> None:
    """Run the daily cycle for one session: ingest, validate, value, propose, check, execute,
    book and reconcile. Running a completed date again does nothing new; a failed or stopped
    cycle resumes where it stopped."""
    store = open_store(db, create=False)
    session = parse_day(day, "--date") or latest_session(store)
    cfg = load_cycle_config(config)
    kernel = kernel_for(cfg)
    report = run_cycle(store, cfg, session, kernel=kernel)
    shadows = after_cycle(store, cfg, report, kernel)
    if as_json:
        found = _as_dict(report.cycle)
        if cfg.shadows:
            found["shadows"] = [{"name": s.name, "date": s.session, "status": s.status,
                                 "error": s.error} for s in shadows]
        sys.stdout.write(json.dumps(found, indent=2, default=str) + "\n")
    else:
        _print(report)
        for shadow in shadows:
            print_shadow(shadow)
    if report.status in ("failed", "stopped"):
        raise typer.Exit(1)


def cycles_cmd(limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20,
               db: Db = None, as_json: Json = False) -> None:
    """The stored cycles and the status of each."""
    found = cycles(open_store(db, create=False), limit)
    if as_json:
        sys.stdout.write(json.dumps([_as_dict(c) for c in found], indent=2, default=str) + "\n")
        return
    table = Table(title="Cycles", title_justify="left")
    for column in ("date", "environment", "status", "stages", "last stage"):
        table.add_column(column)
    for c in found:
        last = c.stages[-1] if c.stages else None
        table.add_row(str(c.as_of), c.environment, _styled(c.status), str(len(c.stages)),
                      f"{last.stage}: {last.summary}" if last else "")
    console.print(table if found else "No cycle has run yet: try `ballast cycle`.")


def run_cmd(config: ConfigFile = None, db: Db = None) -> None:
    """Keep running cycles at the configured times on trading days (Ctrl-C stops). A restart
    catches up today's cycle and never repeats a completed one."""
    store = open_store(db, create=False)
    cfg = load_cycle_config(config)
    times = ", ".join(t.strftime("%H:%M") for t in cfg.schedule.times)
    console.print(f"ballast run: {cfg.environment.value} cycles at {times} "
                  f"{cfg.schedule.timezone} on {cfg.schedule.calendar} sessions. Ctrl-C stops.")
    try:
        run_schedule(store, cfg, kernel_for(cfg), on_cycle=_print, on_shadow=print_shadow)
    except KeyboardInterrupt:
        console.print("stopped.")


def print_shadow(cycle: ShadowCycle) -> None:
    """A shadow's cycle in one line: its status and what it proposed and traded."""
    head = f"shadow [bold]{cycle.name}[/] {cycle.session}: {_styled(cycle.status)}"
    if cycle.report is None:
        console.print(f"{head} — {cycle.error}")
        return
    stages = {s.stage: s for s in cycle.report.cycle.stages}
    last = cycle.report.cycle.stages[-1] if cycle.report.cycle.stages else None
    words = [f"{s}: {stages[s].summary}" for s in ("propose", "execute") if s in stages]
    if cycle.status != "completed" and last is not None:
        words.append(f"{last.stage}: {last.summary}")
    if not cycle.report.new:
        words.append("already completed")
    console.print(f"{head} — " + "; ".join(words))


def cycle_table(report: CycleReport) -> Table:
    """The cycle's stages as a table: status and what happened."""
    c = report.cycle
    table = Table(title=f"Cycle {c.as_of} ({c.environment}): {_styled(c.status)}"
                  + ("" if report.new else " — already completed, nothing new done"),
                  title_justify="left")
    for column in ("stage", "status", "what happened"):
        table.add_column(column)
    for s in c.stages:
        table.add_row(s.stage, _styled(s.status), s.summary)
    return table


def _print(report: CycleReport) -> None:
    console.print(cycle_table(report))


def _styled(status: str) -> str:
    style = _STYLE.get(status, "")
    return f"[{style}]{status}[/]" if style else status


def _as_dict(c: CycleRecord) -> dict[str, Any]:
    return {"id": c.id, "date": c.as_of, "environment": c.environment, "status": c.status,
            "config_version": c.config_version, "started_at": c.started_at,
            "finished_at": c.finished_at,
            "stages": [{"stage": s.stage, "status": s.status, "summary": s.summary,
                        "outcome": s.outcome} for s in c.stages]}

