"""``ballast audit verify | log`` and ``ballast explain``: the hash-chained audit journal and
the decisions behind a trade, an order, an account or a run. Registered by :func:`register`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from ballast.engine.audit import Entry, explain_decision, journal, verify_journal
from ballast.engine.workspace import open_store

audit_app = typer.Typer(help="The audit journal (see docs/audit.md).", no_args_is_help=True)

Db = Annotated[str | None, typer.Option(
    "--db", envvar="BALLAST_DATABASE_URL", help="Database URL (default sqlite:///./ballast.db).")]


def register(app: typer.Typer) -> None:
    """Add ``audit`` and ``explain`` to ``app``."""
    app.add_typer(audit_app, name="audit")
    app.command("explain")(explain_cmd)


@audit_app.command("verify")
def verify_cmd(db: Db = None) -> None:
    """Recompute every entry's hash and link; exit 1 and list every break when the journal
    was altered, reordered or had entries removed."""
    result = verify_journal(open_store(db, create=False))
    if result.intact:
        typer.echo(f"journal intact: {result.entries} entries, head {result.head or '(empty)'}")
        return
    typer.echo(f"journal BROKEN: {len(result.breaks)} problem(s) in {result.entries} entries",
               err=True)
    for b in result.breaks:
        typer.echo(f"  {b.describe()}", err=True)
    raise typer.Exit(1)


@audit_app.command("log")
def log_cmd(
    subject: Annotated[str | None, typer.Option(
        "--subject", help="Only entries naming this token (run:3, account:A1, order:…).")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="The newest N entries.")] = 50,
    db: Db = None,
) -> None:
    """The newest journal entries, oldest first."""
    _timeline(journal(open_store(db, create=False), subject, limit))


def explain_cmd(
    target: Annotated[str, typer.Argument(help=(
        "trade:RUN:ACCOUNT:SEQ, order:CLIENT_ORDER_ID, account:ID or run:ID"))],
    db: Db = None,
) -> None:
    """The chain of decisions behind a trade, an order, an account or a run: trigger and
    proposal with rationale, compliance decision, orders, bookings."""
    entries = explain_decision(open_store(db, create=False), target)
    if not entries:
        typer.echo(f"the journal records nothing about {target}", err=True)
        raise typer.Exit(1)
    typer.echo(f"decisions behind {target}:")
    _timeline(entries)


def _timeline(entries: Sequence[Entry]) -> None:
    for e in entries:
        typer.echo(_describe(e))


def _describe(e: Entry) -> str:
    lines = [f"#{e.seq} {e.at:%Y-%m-%d %H:%M:%S}Z {e.kind} (by {e.actor})",
             f"    about: {' '.join(e.subject)}",
             f"    why:   {e.rationale}"]
    if e.payload.get("trigger"):
        lines.append(f"    trigger: {e.payload['trigger']}")
    basis = [f"{name} {value}" for name, value in (
        ("policy", e.policy_version), ("snapshot", e.snapshot_id)) if value]
    if basis:
        lines.append(f"    on:    {', '.join(basis)}")
    return "\n".join(lines)
