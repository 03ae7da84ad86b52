"""``ballast reconcile``: the book against a broker's fills, positions and cash. Registered on
the main app by :func:`register`."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ballast.engine.reconcile import reconcile_with
from ballast.engine.workspace import open_store

console = Console()


def register(app: typer.Typer) -> None:
    """Add ``reconcile`` to ``app``."""
    app.command("reconcile")(reconcile_cmd)


def reconcile_cmd(
    broker: Annotated[str, typer.Option("--broker", help="Broker adapter.")] = "simulated",
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date (default: the latest "
                                              "run's).")] = None,
    db: Annotated[str | None, typer.Option(
        "--db", envvar="BALLAST_DATABASE_URL",
        help="Database URL (default sqlite:///./ballast.db).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Compare the book's fills, and the positions and cash booked from them, with the
    broker's reports; list every break. Exits 1 when there is a break."""
    day = date.fromisoformat(as_of) if as_of else None
    report = reconcile_with(open_store(db, create=False), broker, day)
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
    else:
        console.print(f"[bold]{report.broker}[/] as of {report.as_of}: {report.book_fills} "
                      f"fills in the book, {report.broker_fills} at the broker, "
                      f"{report.positions} positions compared; {len(report.breaks)} "
                      + ("break" if len(report.breaks) == 1 else "breaks"))
        if report.breaks:
            table = Table("kind", "account", "item", "book", "broker", "difference", "words")
            for b in report.breaks:
                table.add_row(b.kind.value, b.account, b.item, str(b.book), str(b.broker),
                              str(b.difference), b.words)
            console.print(table)
    if report.breaks:
        raise typer.Exit(1)
