"""``ballast approve`` / ``ballast reject`` (one proposal, several, or every pending one of a
run) and ``ballast approvals status | policy``. Registered on the main app by
:func:`register`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ballast.domain import ConfigError
from ballast.engine import approvals
from ballast.engine.workspace import open_store

console = Console()
approvals_app = typer.Typer(help="Approval of proposals: policy and status (see "
                            "docs/security.md).", no_args_is_help=True)

Db = Annotated[str | None, typer.Option(
    "--db", envvar="BALLAST_DATABASE_URL", help="Database URL (default sqlite:///./ballast.db).")]
User = Annotated[str | None, typer.Option(
    "--user", envvar="BALLAST_USER", help="Who decides (an approver; default $BALLAST_USER).")]
Reason = Annotated[str, typer.Option("--reason", help="Why (kept in the audit journal).")]
Accounts = Annotated[list[str] | None, typer.Option(
    "--account", "-a", help="Only this account's proposal (repeat; default: every pending).")]


def register(app: typer.Typer) -> None:
    """Add ``approve``, ``reject`` and ``approvals`` to ``app``."""
    app.command("approve")(approve_cmd)
    app.command("reject")(reject_cmd)
    app.add_typer(approvals_app, name="approvals")


def _decide(decision: str, run: int, reason: str, user: str | None, accounts: list[str] | None,
            db: str | None) -> None:
    if not user:
        raise ConfigError("say who decides with --user NAME (or $BALLAST_USER)", field="user")
    done = approvals.decide(open_store(db, create=False), run, decision, user=user,
                            reason=reason, accounts=accounts or None)
    console.print(f"run {run}: {len(done)} proposal(s) {decision} by {user}")


def approve_cmd(run: Annotated[int, typer.Argument(help="Rebalance run id.")], reason: Reason,
                user: User = None, account: Accounts = None, db: Db = None) -> None:
    """Approve a run's proposals (maker-checker: not the user who proposed the run)."""
    _decide(approvals.APPROVED, run, reason, user, account, db)


def reject_cmd(run: Annotated[int, typer.Argument(help="Rebalance run id.")], reason: Reason,
               user: User = None, account: Accounts = None, db: Db = None) -> None:
    """Reject a run's proposals."""
    _decide(approvals.REJECTED, run, reason, user, account, db)



@approvals_app.command("status")
def status_cmd(run: Annotated[int, typer.Argument(help="Rebalance run id.")], db: Db = None,
               as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Each trading proposal of a run: compliance, value, route and decision."""
    rows = [s for s in approvals.proposal_states(open_store(db, create=False), run) if s.trades]
    if as_json:
        sys.stdout.write(json.dumps([{
            "account": s.account_id, "compliance": s.compliance, "trades": s.trades,
            "trade_value": str(s.trade_value), "route": s.route, "decision": s.decision,
            "basis": s.basis, "user": s.user, "reason": s.reason} for s in rows],
            indent=2) + "\n")
        return
    table = Table("account", "compliance", "trades", "value", "route", "decision", "by",
                  "reason", title=f"run {run}: {len(rows)} proposals with trades")
    for s in rows:
        table.add_row(s.account_id, s.compliance, str(s.trades), f"{s.trade_value:,.2f}",
                      s.route, s.decision, s.user, s.reason)
    console.print(table)


@approvals_app.command("policy")
def policy_cmd(file: Annotated[Path | None, typer.Argument(
        exists=True, dir_okay=False, help="Policy YAML to store (omit to show the current).")
        ] = None, user: User = None, reason: Reason = "", db: Db = None) -> None:
    """Show the approval policy, or store a new one (compliance role, with a reason)."""
    store = open_store(db, create=file is not None)
    if file is None:
        policy = approvals.load_policy(store)
    else:
        if not user:
            raise ConfigError("say who sets the policy with --user NAME", field="user")
        policy = approvals.set_policy(store, file.read_text(encoding="utf-8"), actor=user,
                                      reason=reason)
    console.print(f"approval policy {policy.version}:\n{policy.to_yaml()}")
