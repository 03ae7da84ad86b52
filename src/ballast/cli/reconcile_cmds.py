"""``ballast reconcile``: the book against a broker's fills, positions and cash and a
custodian's position file; every report stored; ``--list`` and ``--show`` read them back;
``reconcile adjust`` books a correction with a reason. Registered on the main app by
:func:`register`."""

from __future__ import annotations

import getpass
import json
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ballast.domain import BallastError
from ballast.engine.reconcile_reports import (
    StoredReconciliation,
    StoredReport,
    adjust,
    reconcile_and_store,
    stored_report,
    stored_reports,
)
from ballast.engine.workspace import open_store

console = Console()
reconcile_app = typer.Typer(help="Compare the book with a broker and a custodian; stored "
                            "reports; adjustments (see docs/execution.md).")

Db = Annotated[str | None, typer.Option(
    "--db", envvar="BALLAST_DATABASE_URL", help="Database URL (default sqlite:///./ballast.db).")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def register(app: typer.Typer) -> None:
    """Add ``reconcile`` (and ``reconcile adjust``) to ``app``."""
    app.add_typer(reconcile_app, name="reconcile")


def _decimal(text: str | None, option: str) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BallastError(f"{option} {text!r} is not a number", hint="Use e.g. 0.50.") from None
    if not value.is_finite() or value < 0:
        raise BallastError(f"{option} {text!r} must be a number of zero or more")
    return value


@reconcile_app.callback(invoke_without_command=True)
def reconcile_cmd(
    ctx: typer.Context,
    broker: Annotated[str, typer.Option(
        "--broker", help="Broker adapter: simulated or fix.")] = "simulated",
    broker_state: Annotated[Path | None, typer.Option(
        "--broker-state", help="The simulated broker's books file (default: replay the "
        "orders the store sent).")] = None,
    fix_config: Annotated[Path | None, typer.Option(
        "--fix-config", help="FIX session settings YAML for --broker fix (docs/fix.md).")
    ] = None,
    custodian: Annotated[Path | None, typer.Option(
        "--custodian", help="A custodian position file (docs/formats.md).")] = None,
    custodian_name: Annotated[str | None, typer.Option(
        "--custodian-name", help="The custodian of that file (default: the custodian of its "
        "accounts).")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date (default: the custodian "
                                              "file's, else the latest run's).")] = None,
    quantity_tolerance: Annotated[str | None, typer.Option(
        "--quantity-tolerance", help="Units a position may differ by (default 0).")] = None,
    cash_tolerance: Annotated[str | None, typer.Option(
        "--cash-tolerance", help="Amount cash may differ by (default 1.00).")] = None,
    show: Annotated[int | None, typer.Option("--show", help="Print stored report N.")] = None,
    list_reports: Annotated[bool, typer.Option("--list", help="List the stored reports.")]
    = False,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Compare the book's fills, and the positions and cash booked from them, with the
    broker's reports, and each account's positions and cash with the custodian's file; store
    the report and list every break. Exits 1 when there is a break."""
    if ctx.invoked_subcommand is not None:
        return
    store = open_store(db, create=False)
    if show is not None:
        _print_stored(stored_report(store, show), as_json)
        return
    if list_reports:
        _print_list(stored_reports(store), as_json)
        return
    report_id, report = reconcile_and_store(
        store, broker, date.fromisoformat(as_of) if as_of else None, custodian=custodian,
        custodian_name=custodian_name, broker_state=broker_state, fix_config=fix_config,
        quantity_tolerance=_decimal(quantity_tolerance, "--quantity-tolerance"),
        cash_tolerance=_decimal(cash_tolerance, "--cash-tolerance"))
    if as_json:
        sys.stdout.write(json.dumps({"id": report_id, **report.to_json()}, indent=2) + "\n")
    else:
        against = report.broker + (f" and {report.custodian}" if report.custodian else "")
        console.print(f"[bold]reconciliation {report_id}[/]: {against} as of {report.as_of}: "
                      f"{report.book_fills} fills in the book, {report.broker_fills} at the "
                      f"broker, {report.positions} positions compared; {len(report.breaks)} "
                      + ("break" if len(report.breaks) == 1 else "breaks"))
        if report.breaks:
            table = Table("#", "source", "kind", "account", "item", "book", "reported",
                          "difference", "words")
            for n, b in enumerate(report.breaks, start=1):
                table.add_row(str(n), b.source.value, b.kind.value, b.account, b.item,
                              str(b.book), str(b.broker), str(b.difference), b.words)
            console.print(table)
    if report.breaks:
        raise typer.Exit(1)


@reconcile_app.command("adjust")
def adjust_cmd(
    report: Annotated[int, typer.Argument(help="The reconciliation report id.")],
    break_seq: Annotated[int, typer.Argument(metavar="BREAK", help="The break's number.")],
    reason: Annotated[str | None, typer.Option(
        "--reason", help="Why the book is corrected (required; journaled).")] = None,
    user: Annotated[str | None, typer.Option(
        "--user", help="Who books it (default: the login name).")] = None,
    price: Annotated[str | None, typer.Option(
        "--price", help="Cost per unit of units carried in (default: the close).")] = None,
    db: Db = None,
) -> None:
    """Book the transaction that settles a custodian break (deposit or withdrawal of cash,
    transfer in or out of units), recorded against the break and journaled with the reason."""
    txn = adjust(open_store(db, create=False), report, break_seq, reason=reason or "",
                 user=user or getpass.getuser(), price=_decimal(price, "--price"))
    what = (f"{txn.amount} {txn.currency}" if txn.amount
            else f"{txn.quantity or sum(s.quantity for s in txn.lots)} {txn.instrument_id}")
    console.print(f"booked {txn.kind.value} {what} into {txn.account_id} as transaction "
                  f"{txn.id} (reconciliation {report}, break {break_seq})")


def _print_list(reports: list[StoredReport], as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps([{
            "id": r.id, "as_of": r.as_of.isoformat(), "created_at": r.created_at.isoformat(),
            "broker": r.broker, "custodian": r.custodian, "status": r.status,
            "breaks": r.breaks} for r in reports], indent=2) + "\n")
        return
    table = Table("id", "as of", "created (UTC)", "broker", "custodian", "status", "breaks")
    for r in reports:
        table.add_row(str(r.id), str(r.as_of), f"{r.created_at:%Y-%m-%d %H:%M}", r.broker,
                      r.custodian or "-", r.status, str(r.breaks))
    console.print(table)


def _print_stored(stored: StoredReconciliation, as_json: bool) -> None:
    r = stored.report
    adjusted = {a.break_seq: a for a in stored.adjustments}
    if as_json:
        sys.stdout.write(json.dumps({
            "id": r.id, "as_of": r.as_of.isoformat(), "created_at": r.created_at.isoformat(),
            "broker": r.broker, "custodian": r.custodian, "status": r.status,
            "tolerances": {"quantity": str(r.quantity_tolerance),
                           "cash": str(r.cash_tolerance)},
            "accounts": r.accounts, "positions": r.positions,
            "breaks": [{
                "seq": b.seq, "source": b.source, "kind": b.kind, "account": b.account_id,
                "item": b.item, "book": None if b.book_value is None else str(b.book_value),
                "reported": None if b.external_value is None else str(b.external_value),
                "difference": str(b.difference), "words": b.explanation,
                "adjustment": None if b.seq not in adjusted else {
                    "transaction": adjusted[b.seq].transaction_id,
                    "reason": adjusted[b.seq].reason, "user": adjusted[b.seq].user}}
                for b in stored.breaks]}, indent=2) + "\n")
        return
    console.print(f"[bold]reconciliation {r.id}[/] as of {r.as_of} (stored "
                  f"{r.created_at:%Y-%m-%d %H:%M} UTC): {r.broker}"
                  + (f" and {r.custodian}" if r.custodian else "")
                  + f"; tolerances {r.quantity_tolerance} units, {r.cash_tolerance} cash; "
                  f"{r.positions} positions compared; {r.breaks} "
                  + ("break" if r.breaks == 1 else "breaks"))
    if stored.breaks:
        table = Table("#", "source", "kind", "account", "item", "book", "reported",
                      "difference", "words", "adjusted by")
        for b in stored.breaks:
            a = adjusted.get(b.seq)
            table.add_row(str(b.seq), b.source, b.kind, b.account_id, b.item,
                          str(b.book_value), str(b.external_value), str(b.difference),
                          b.explanation,
                          f"{a.transaction_id} ({a.user}: {a.reason})" if a else "")
        console.print(table)
