"""``ballast monitor``: the holdings against the rules between rebalances — breaches, the
adjustment that cures them, the accounts to rebalance. Registered by :func:`register`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ballast.cli.dates import parse_day
from ballast.engine.monitor import MonitorResult, monitor
from ballast.engine.workspace import open_store

console = Console()


def register(app: typer.Typer) -> None:
    """Add ``monitor`` to ``app``."""
    app.command("monitor")(monitor_cmd)


def monitor_cmd(
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Day to check (YYYY-MM-DD; default: the latest priced day).")] = None,
    rules: Annotated[list[Path] | None, typer.Option(
        "--rules", help="Rule-set YAML (repeatable; default: the stored rule sets).")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Show the adjustment without storing it or raising alerts.")] = False,
    db: Annotated[str | None, typer.Option(
        "--db", envvar="BALLAST_DATABASE_URL",
        help="Database URL (default sqlite:///./ballast.db).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Check every account's holdings against the rules now, between rebalances: each breach
    is an alert, and what selling cures becomes an adjustment run sized to get back within the
    limits (then `ballast check --run N` and `ballast execute --run N`, like any run)."""
    found = monitor(open_store(db, create=False), as_of=parse_day(as_of or None),
                    rules_paths=rules or (), dry_run=dry_run)
    if as_json:
        sys.stdout.write(json.dumps(_as_dict(found), indent=2, default=str) + "\n")
    else:
        _print(found)


def _print(found: MonitorResult) -> None:
    if not found.breaches:
        console.print(f"[green]{found.accounts} accounts within every limit on {found.as_of}.[/]")
        return
    table = Table(title=f"Limit breaches on {found.as_of}", title_justify="left")
    for column in ("account", "rule", "action", "what"):
        table.add_column(column)
    for b in found.breaches:
        table.add_row(b.account, b.rule_id, b.action.value, b.explanation)
    console.print(table)
    if found.trades:
        trades = Table(title="Adjustment" + (f" (run {found.run_id})" if found.run_id else
                                             " (dry run, not stored)"), title_justify="left")
        for column in ("account", "trade", "value", "why"):
            trades.add_column(column)
        for t in found.trades:
            trades.add_row(t.account_id, f"{t.side} {t.quantity:f} {t.instrument_id}",
                           f"{t.est_value:,.2f}", t.rationale)
        console.print(trades)
    for account, why in sorted(found.rebalance.items()):
        console.print(f"{account}: rebalance — {why}")
    if found.run_id is not None:
        console.print(f"Next: `ballast check --run {found.run_id}`, then "
                      f"`ballast execute --run {found.run_id}`.")


def _as_dict(found: MonitorResult) -> dict[str, object]:
    return {"as_of": found.as_of, "accounts": found.accounts, "run_id": found.run_id,
            "breaches": [{"account": b.account, "rule": b.rule_id, "kind": b.kind,
                          "action": b.action.value, "measured": b.measured, "limit": b.limit,
                          "explanation": b.explanation} for b in found.breaches],
            "trades": [{"account": t.account_id, "instrument": t.instrument_id,
                        "side": t.side, "quantity": str(t.quantity),
                        "est_value": str(t.est_value), "lots": t.lots,
                        "rationale": t.rationale} for t in found.trades],
            "rebalance": found.rebalance}
