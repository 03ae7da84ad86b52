"""The ``ballast`` command line: thin, every command calls the engine."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ballast.cli.approve_cmds import register as register_approve
from ballast.cli.audit_cmds import register as register_audit
from ballast.cli.backtest_cmds import register as register_backtest
from ballast.cli.check_cmds import register as register_check
from ballast.cli.construct_cmds import register as register_construct
from ballast.cli.cycle_cmds import register as register_cycle
from ballast.cli.dates import parse_day
from ballast.cli.demo_cmds import register as register_demo
from ballast.cli.execute_cmds import register as register_execute
from ballast.cli.kill_cmds import register as register_kill
from ballast.cli.monitor_cmds import register as register_monitor
from ballast.cli.onboard_cmds import register as register_onboard
from ballast.cli.performance_cmds import register as register_performance
from ballast.cli.reconcile_cmds import register as register_reconcile
from ballast.cli.render import (
    accounts_table,
    gains_table,
    import_report_panel,
    lots_table,
    positions_table,
    rejection_table,
)
from ballast.cli.render_rebalance import models_table, rebalance_review
from ballast.cli.report_cmds import register as register_report
from ballast.cli.serve_cmds import register as register_serve
from ballast.cli.shadow_cmds import register as register_shadow
from ballast.cli.user_cmds import register as register_users
from ballast.config import ValidationPolicy
from ballast.domain import BallastError
from ballast.engine import imports, queries, rebalance
from ballast.engine.errors import ImportRejected
from ballast.engine.imports import ImportKind
from ballast.engine.workspace import open_store

app = typer.Typer(
    name="ballast",
    help="ballast — portfolio automation engine: a tax-lot book of record you can trust.\n\n"
    "Start with `ballast demo`, or `ballast init` then `ballast import <kind> <file>`.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", envvar="BALLAST_DATABASE_URL",
                 help="Database URL (default sqlite:///./ballast.db)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
AccountOption = Annotated[str | None, typer.Option("--account", "-a", help="One account id.")]


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    """Options for every command (``--debug`` is read by :func:`main` from the arguments)."""


@app.command()
def init(db: DbOption = None) -> None:
    """Create (or upgrade) the book's database."""
    store = open_store(db)
    console.print(f"[green]Book ready[/] at {store.url}")


@app.command("import")
def import_(
    kind: Annotated[ImportKind, typer.Argument(help="What the file holds.")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True,
                                         help="CSV file (see docs/formats.md).")],
    quarantine: Annotated[bool, typer.Option(
        "--quarantine", help="Write the good rows and keep the bad ones with their reasons, "
        "instead of rejecting the whole file.")] = False,
    max_daily_move: Annotated[float, typer.Option(
        help="Largest close-to-close price move accepted without a corporate action "
        "(0.25 = 25%).", min=0.0)] = 0.25,
    max_stale_sessions: Annotated[int, typer.Option(
        help="Sessions an instrument's last price may lag the file's last date.", min=0)] = 5,
    corporate_actions: Annotated[bool, typer.Option(
        "--corporate-actions", help="prices only: also book the split factors and dividends "
        "the file records as corporate actions.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import a CSV file. All or nothing unless --quarantine; importing twice changes nothing."""
    store = open_store(db)
    try:
        policy = ValidationPolicy(max_daily_move=max_daily_move,
                                  max_stale_sessions=max_stale_sessions)
        report = imports.import_file(store, kind, file, quarantine=quarantine, policy=policy,
                                     derive_actions=corporate_actions, progress=not as_json)
    except ImportRejected as exc:
        if as_json:
            _print_json({"status": "rejected", "errors": [asdict(e) for e in exc.errors]})
        else:
            err_console.print(rejection_table(exc))
        raise typer.Exit(1) from None
    if as_json:
        _print_json(report.as_dict())
    else:
        console.print(import_report_panel(report))


@app.command()
def accounts(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List households and accounts with their value."""
    rows = queries.account_rows(open_store(db, create=False))
    if as_json:
        _print_json([r.as_dict() for r in rows])
    else:
        console.print(accounts_table(rows))


@app.command()
def positions(
    account: AccountOption = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date YYYY-MM-DD.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Positions with price, value and unrealized gain, as of a date (default: latest price)."""
    rows = queries.position_rows(open_store(db, create=False), account=account,
                                 as_of=parse_day(as_of))
    if as_json:
        _print_json([r.as_dict() for r in rows])
    else:
        console.print(positions_table(rows))


@app.command()
def lots(
    account: AccountOption = None,
    symbol: Annotated[str | None, typer.Option("--symbol", "-s")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Open tax lots: quantity, basis, acquisition date, wash-sale adjustment."""
    rows = queries.lot_rows(open_store(db, create=False), account=account, symbol=symbol)
    if as_json:
        _print_json([r.as_dict() for r in rows])
    else:
        console.print(lots_table(rows))


@app.command()
def gains(
    year: Annotated[int | None, typer.Option("--year", "-y", help="Tax year.", min=1900,
                                             max=2999)] = None,
    account: AccountOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Realized gains, short and long term, with wash-sale disallowed losses."""
    rows = queries.gain_rows(open_store(db, create=False), year=year, account=account)
    if as_json:
        _print_json([r.as_dict() for r in rows])
    else:
        console.print(gains_table(rows, year))


models_app = typer.Typer(help="Model portfolios: versioned YAML (see docs/models.md).",
                         no_args_is_help=True)
app.add_typer(models_app, name="models")


@models_app.command("import")
def models_import(
    files: Annotated[list[Path], typer.Argument(exists=True, readable=True,
                                                help="Model YAML files or folders.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Validate model files and store their versions (unchanged models keep theirs)."""
    rows = rebalance.import_models(open_store(db), files)
    if as_json:
        _print_json([{"model": n, "version": v, "new": new} for n, v, new in rows])
    else:
        console.print(models_table(rows, f"{len(rows)} models"))


@models_app.command("list")
def models_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The models in the book with their current versions."""
    rows = rebalance.current_models(open_store(db, create=False))
    if as_json:
        _print_json([{"model": n, "version": v} for n, v, _ in rows])
    else:
        console.print(models_table(rows, f"{len(rows)} models"))


@app.command("rebalance")
def rebalance_(
    account: AccountOption = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date YYYY-MM-DD.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Propose without storing.")] = False,
    policy_file: Annotated[Path | None, typer.Option(
        "--policy", exists=True, dir_okay=False, help="Rebalancing policy YAML.")] = None,
    out: Annotated[Path, typer.Option(
        help="Folder for the trades CSV, the run JSON and any currency conversions' CSV.")
    ] = Path("proposals"),
    max_stale_sessions: Annotated[int, typer.Option(
        help="Sessions without a close after which a price is stale (not traded on).",
        min=0)] = 5,
    workers: Annotated[int, typer.Option(
        help="Processes a large book's tax pass is split over, by household (books under "
             "20,000 trades use one).", min=1)
    ] = os.cpu_count() or 1,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Propose explained trades that bring accounts back to their models."""
    policy = rebalance.load_policy(policy_file)
    result = rebalance.rebalance(open_store(db, create=False), as_of=parse_day(as_of),
                                 account=account, policy=policy, dry_run=dry_run,
                                 max_stale_sessions=max_stale_sessions, workers=workers)
    files = rebalance.write_proposals(result, out)
    if as_json:
        _print_json(result.as_dict())
    else:
        console.print(rebalance_review(result, files))


register_construct(app)
register_check(app)
register_audit(app)
register_execute(app)
register_kill(app)
register_backtest(app)
register_reconcile(app)
register_report(app)
register_performance(app)
register_cycle(app)
register_demo(app)
register_monitor(app)
register_approve(app)
register_users(app)
register_serve(app)
register_onboard(app)
register_shadow(app)


def main() -> None:
    """Entry point: one clear line and a hint on errors; tracebacks only with --debug."""
    debug = "--debug" in sys.argv[1:]
    try:
        app()
    except BallastError as exc:
        if debug:
            raise
        err_console.print(f"[bold red]error:[/] {exc}")
        if exc.hint:
            err_console.print(f"[dim]hint:[/] {exc.hint}")
        sys.exit(1)
    except Exception as exc:  # a bug: say so briefly, details with --debug
        if debug:
            raise
        err_console.print(f"[bold red]internal error:[/] {type(exc).__name__}: {exc}")
        err_console.print("[dim]hint:[/] run again with --debug for the traceback and report it.")
        sys.exit(2)
