"""``ballast report statement | firm | send | alerts``: investor statements and the firm report
as PDF and HTML, statements by e-mail, alerts as webhooks (docs/reporting.md). Registered on
the main app by :func:`register`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ballast.cli.dates import parse_day
from ballast.domain import ConfigError, DataError
from ballast.engine.deliver import (
    DeliveryReport,
    Security,
    SmtpSettings,
    read_recipients,
    send_alerts,
    send_statements,
)
from ballast.engine.firm_report import build_firm_report, write_firm_report
from ballast.engine.report_schedule import Frequency, run_due
from ballast.engine.statement_batch import BatchItem, write_statements
from ballast.engine.statements import DEFAULT_FIRM, Format, period_of
from ballast.engine.workspace import open_store

console = Console()
err_console = Console(stderr=True)
report_app = typer.Typer(help="Investor statements, the firm report and their delivery "
                         "(see docs/reporting.md).", no_args_is_help=True)

Db = Annotated[str | None, typer.Option(
    "--db", envvar="BALLAST_DATABASE_URL", help="Database URL (default sqlite:///./ballast.db).")]
PeriodOpt = Annotated[str, typer.Option(
    "--period", "-p", help='"2020Q1", "2020-03", "2020", "YTD", "QTD", "MTD" or '
    '"2020-01-15..2020-02-20".')]
Out = Annotated[Path, typer.Option("--out", help="Folder for the files.", file_okay=False)]
Fmt = Annotated[Format, typer.Option("--format", help="pdf, html or both.")]
Firm = Annotated[str, typer.Option("--firm", envvar="BALLAST_FIRM_NAME",
                                   help="The firm's name on every page.")]


def register(app: typer.Typer) -> None:
    """Add ``report`` to ``app``."""
    app.add_typer(report_app, name="report")


@report_app.command("statement")
def statement_cmd(
    period: PeriodOpt,
    out: Out = Path("statements"),
    account: Annotated[str | None, typer.Option("--account", "-a", help="One account.")] = None,
    household: Annotated[str | None, typer.Option("--household", help="A household.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every account, in parallel.")] = False,
    fmt: Fmt = Format.BOTH,
    firm: Firm = DEFAULT_FIRM,
    db: Db = None,
) -> None:
    """Write the statement of an account, a household or every account (--all) for a period:
    performance against the benchmark, allocation against target, holdings, transactions,
    realized gains, fees and what the automation did and why."""
    if sum((account is not None, household is not None, every)) != 1:
        raise DataError("name one of --account, --household or --all",
                        hint="`ballast accounts` lists accounts and households.")
    store = open_store(db, create=False)
    span = period_of(store, period)
    if every:
        with store.transaction() as tx:
            items = [BatchItem(account=a) for a in sorted(tx.accounts())]
    else:
        items = [BatchItem(account=account, household=household)]
    written = write_statements(store.url, span, items, out, fmt=fmt, firm=firm,
                               workers=1 if len(items) == 1 else None)
    for w in written:
        for notice in w.notices:
            err_console.print(f"[yellow]{w.item.account or w.item.household}:[/] {notice}")
        for path in w.files:
            console.print(f"wrote {path}")


@report_app.command("due")
def due_cmd(
    frequency: Annotated[Frequency, typer.Option("--frequency", help="monthly or quarterly.")],
    out: Out = Path("statements"),
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Date YYYY-MM-DD (default: the latest price date).")] = None,
    fmt: Fmt = Format.BOTH,
    firm: Firm = DEFAULT_FIRM,
    db: Db = None,
) -> None:
    """Write every account's statements for the latest closed month or quarter unless a run
    already did (each run is journaled): safe to call daily from cron."""
    day = parse_day(as_of)
    runs = run_due(open_store(db), frequency, out, as_of=day, firm=firm, fmt=fmt)
    if not runs:
        console.print(f"no {frequency.value} statements due: the latest closed period is "
                      "already reported")
    for run in runs:
        files = sum(len(w.files) for w in run.written)
        console.print(f"{run.period.label}: {len(run.written)} accounts, {files} files in "
                      f"{out / run.period.label}")


@report_app.command("firm")
def firm_cmd(period: PeriodOpt, out: Out = Path("reports"), fmt: Fmt = Format.BOTH,
             currency: Annotated[str, typer.Option(help="Reporting currency.")] = "USD",
             firm: Firm = DEFAULT_FIRM, db: Db = None) -> None:
    """Write the firm report for a period: assets and flows, composites, drift distribution,
    trading, compliance breaches and harvesting."""
    store = open_store(db, create=False)
    report = build_firm_report(store, period_of(store, period), firm=firm, currency=currency)
    for notice in report.notices:
        err_console.print(f"[yellow]note:[/] {notice}")
    for path in write_firm_report(report, out, fmt):
        console.print(f"wrote {path}")


@report_app.command("send")
def send_cmd(
    period: PeriodOpt,
    recipients: Annotated[Path, typer.Option(
        "--recipients", exists=True, dir_okay=False,
        help="CSV household_id,email (one address per row).")],
    smtp_host: Annotated[str, typer.Option("--smtp-host", help="SMTP server.")],
    smtp_port: Annotated[int, typer.Option("--smtp-port", help="SMTP port.")] = 25,
    starttls: Annotated[bool, typer.Option("--starttls", help="Upgrade with STARTTLS.")] = False,
    tls: Annotated[bool, typer.Option("--tls", help="Implicit TLS (SMTPS, port 465).")] = False,
    sender: Annotated[str, typer.Option("--from", help="Sender address.")] = "reports@localhost",
    user: Annotated[str, typer.Option("--smtp-user", help="Login (the password is read from "
                                      "BALLAST_SMTP_PASSWORD).")] = "",
    household: Annotated[list[str] | None, typer.Option(
        "--household", help="Only these households (repeat the option).")] = None,
    firm: Firm = DEFAULT_FIRM,
    db: Db = None,
) -> None:
    """Mail each household's statement (PDF attached) to that household's own addresses;
    every send is recorded in the audit journal. Exit code 1 when any address failed."""
    if starttls and tls:
        raise ConfigError("choose --starttls or --tls, not both")
    security = Security.TLS if tls else Security.STARTTLS if starttls else Security.NONE
    password = os.environ.get("BALLAST_SMTP_PASSWORD", "")
    if user and not password:
        raise ConfigError("--smtp-user needs the password in BALLAST_SMTP_PASSWORD")
    store = open_store(db, create=False)
    report = send_statements(
        store, period_of(store, period),
        SmtpSettings(smtp_host, smtp_port, sender, security, user, password),
        read_recipients(recipients), firm=firm, households=household)
    _print(report, "sent")


@report_app.command("alerts")
def alerts_cmd(
    webhook: Annotated[str, typer.Option("--webhook", help="URL receiving the JSON POSTs.")],
    secret_env: Annotated[str, typer.Option(
        "--secret-env", help="Environment variable holding the signing secret.")
    ] = "BALLAST_WEBHOOK_SECRET",
    timeout: Annotated[float, typer.Option(help="Seconds per request.", min=0.1)] = 10.0,
    db: Db = None,
) -> None:
    """POST every alert of the audit journal not yet delivered (compliance breaches, kill
    switch engaged, failed trades, reconciliation breaks), signed with HMAC-SHA256."""
    secret = os.environ.get(secret_env, "")
    if not secret:
        raise ConfigError(f"no webhook secret in ${secret_env}",
                          hint="Export the shared secret the receiver verifies with.")
    _print(send_alerts(open_store(db, create=False), webhook, secret, timeout=timeout),
           "posted")


def _print(report: DeliveryReport, verb: str) -> None:
    for d in report.deliveries:
        if d.ok:
            console.print(f"{verb} {d.target} → {d.recipient} ({d.attempts} "
                          f"{'try' if d.attempts == 1 else 'tries'})")
        else:
            err_console.print(f"[red]failed[/] {d.target} → {d.recipient}: {d.error}")
    for what, why in report.skipped:
        console.print(f"[dim]skipped {what}: {why}[/]")
    if report.failed:
        raise typer.Exit(1)
