"""``ballast execute``: send a checked rebalance run's approved trades through a broker and
book the fills. Registered on the main app by :func:`register`."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ballast.engine.simulation import execute_run
from ballast.engine.workspace import open_store

console = Console()


def register(app: typer.Typer) -> None:
    """Add ``execute`` to ``app``."""
    app.command("execute")(execute_cmd)


def execute_cmd(
    run: Annotated[int | None, typer.Option("--run", help="Rebalance run id (default: the "
                                            "latest).")] = None,
    broker: Annotated[str, typer.Option(
        "--broker", help="Broker adapter: simulated or fix.")] = "simulated",
    broker_state: Annotated[Path | None, typer.Option(
        "--broker-state", help="File the simulated broker keeps its books in (paper "
        "trading across restarts; default: in memory).")] = None,
    fix_config: Annotated[Path | None, typer.Option(
        "--fix-config", help="FIX session settings YAML for --broker fix (docs/fix.md).")
    ] = None,
    db: Annotated[str | None, typer.Option(
        "--db", envvar="BALLAST_DATABASE_URL",
        help="Database URL (default sqlite:///./ballast.db).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Execute a run's approved trades (the latest compliance check decides): net them,
    aggregate them into blocks per custodian, send them, allocate the fills fairly and book
    them into each account's lots. Running it again sends and books nothing twice."""
    store = open_store(db, create=False)
    report = execute_run(store, run, broker, state=broker_state, fix_config=fix_config)
    if as_json:
        sys.stdout.write(json.dumps(asdict(report), indent=2) + "\n")
        return
    states = ", ".join(f"{n} {s}" for s, n in sorted(report.states.items())) or "no orders"
    console.print(
        f"[bold]run {report.run_id}[/]: {report.blocks} blocks, {report.orders} orders "
        f"({states}); sent {report.sent}, {report.fills} new fills, {report.booked} "
        f"transactions booked" + (f"; {report.unallocated} blocks not yet allocated"
                                  if report.unallocated else ""))
    for account, reason in report.unbooked.items():
        console.print(f"[bold red]{account}[/]: fills left unbooked — the ledger refused them "
                      f"({reason}). Correct the holdings, then run `ballast execute --run "
                      f"{report.run_id}` again: it books them, and nothing twice.")
    if report.unbooked:
        raise typer.Exit(1)
