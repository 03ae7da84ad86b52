"""``ballast demo``: the demo book built from the shipped sample, then the tour — a full daily
cycle, statements and a backtest — with where to look next. Registered by :func:`register`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.panel import Panel

from ballast.cli.backtest_cmds import comparison_table
from ballast.cli.cycle_cmds import cycle_table
from ballast.cli.render import summary_panel
from ballast.engine.demo import run_demo
from ballast.engine.demo_tour import Tour, run_tour
from ballast.engine.progress import Steps
from ballast.engine.workspace import open_store

console = Console()


def register(app: typer.Typer) -> None:
    """Add ``demo`` to ``app``."""
    app.command("demo")(demo_cmd)


def demo_cmd(
    path: Annotated[Path, typer.Option("--path", help="Where to build the demo book.")] = Path(
        "ballast-demo.db"),
    out: Annotated[Path, typer.Option(
        "--out", help="Where the tour writes statements, the paper broker's books and the "
        "backtest.")] = Path("ballast-demo"),
    households: Annotated[int, typer.Option(help="Households to generate.")] = 60,
    book_only: Annotated[bool, typer.Option(
        "--book-only", help="Build and summarize the book; skip the tour.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Build a fresh demo book from real market data shipped with ballast, then tour it: one
    daily cycle on the paper broker (proposals, compliance, approvals, execution, bookings,
    reconciliation), the quarter's statements and firm report, and a backtest of four
    rebalancing policies side by side."""
    summary = run_demo(path, households=households, progress=not as_json)
    if not as_json:
        console.print(summary_panel(summary))
    if book_only:
        if as_json:
            sys.stdout.write(json.dumps(summary.as_dict(), indent=2, default=str) + "\n")
        return
    store = open_store(f"sqlite:///{path}", create=False)
    with Steps(not as_json) as steps:
        tour = run_tour(store, out, steps=steps)
    store.close()
    if as_json:
        sys.stdout.write(json.dumps({"book": summary.as_dict(), "tour": _as_dict(tour)},
                                    indent=2, default=str) + "\n")
        return
    console.print(cycle_table(tour.cycle))
    console.print(comparison_table(tour.backtest))
    console.print(_next(tour, path))


def _next(tour: Tour, db: Path) -> Panel:
    run = {s.stage: s.outcome for s in tour.cycle.cycle.stages}.get("propose", {}).get("run_id")
    pdfs = sorted(p for p in tour.statements if p.suffix == ".pdf")
    lines = [
        f"[bold]Statements[/] ({tour.period}): {len(pdfs)} households' PDF and HTML in "
        f"{tour.folder / 'statements'}, e.g. {pdfs[0].name if pdfs else '—'}; the firm report "
        "beside them.",
        f"[bold]Backtest[/]: series and per-account figures in {tour.folder / 'backtest'}.",
        "",
        "Where to look next (the book is " + str(db) + "; export BALLAST_DATABASE_URL="
        f"sqlite:///{db}):",
        "  ballast cycles                      the day's cycle, stage by stage",
        f"  ballast check --run {run or 'N'}               what compliance caught, and why"
        if run else "  ballast check                       what compliance caught, and why",
        "  ballast explain account:HH001-TAX   the chain of decisions behind an account",
        "  ballast audit verify                the hash-chained journal is intact",
        "  ballast serve                       the dashboard and API (create a user first: "
        "docs/dashboard.md)",
    ]
    return Panel("\n".join(lines), title="the demo's tour is done", expand=False)


def _as_dict(tour: Tour) -> dict[str, Any]:
    c = tour.cycle.cycle
    return {"folder": tour.folder, "period": tour.period,
            "cycle": {"date": c.as_of, "status": c.status,
                      "stages": {s.stage: s.status for s in c.stages}},
            "statements": [str(p) for p in tour.statements],
            "firm_report": [str(p) for p in tour.firm_report],
            "backtest": [s.policy for s in tour.backtest.summaries]}
