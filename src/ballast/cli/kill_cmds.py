"""``ballast kill engage | disengage | status``: the kill switch, global, per broker or per
account. Registered on the main app by :func:`register`."""

from __future__ import annotations

import getpass
import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ballast.engine import kill_switch
from ballast.engine.workspace import open_store

console = Console()
kill_app = typer.Typer(help="The kill switch: while engaged no order leaves (see "
                       "docs/compliance.md).", no_args_is_help=True)

Db = Annotated[str | None, typer.Option(
    "--db", envvar="BALLAST_DATABASE_URL", help="Database URL (default sqlite:///./ballast.db).")]
Account = Annotated[str | None, typer.Option("--account", help="Only this account.")]
Broker = Annotated[str | None, typer.Option("--broker", help="Only this broker.")]
Reason = Annotated[str, typer.Option("--reason", help="Why (kept in the history).")]


def register(app: typer.Typer) -> None:
    """Add ``kill`` to ``app``."""
    app.add_typer(kill_app, name="kill")


def _scope(account: str | None, broker: str | None) -> str:
    return f"account {account}" if account else f"broker {broker}" if broker else "global"


@kill_app.command("engage")
def engage_cmd(reason: Reason, account: Account = None, broker: Broker = None,
               user: Annotated[str | None, typer.Option(
                   "--user", help="Who engages it (default: the login name).")] = None,
               db: Db = None) -> None:
    """Engage the kill switch (global unless --account or --broker): no order leaves."""
    new = kill_switch.engage(open_store(db, create=False), reason=reason, account=account,
                             broker=broker, user=user or getpass.getuser())
    console.print(f"[red]{_scope(account, broker)} kill switch engaged[/]" if new
                  else f"{_scope(account, broker)} kill switch was already engaged")


@kill_app.command("disengage")
def disengage_cmd(reason: Reason,
                  user: Annotated[str, typer.Option("--user", help="Who disengages it.")],
                  account: Account = None, broker: Broker = None, db: Db = None) -> None:
    """Disengage a kill switch; a user and a reason are required."""
    done = kill_switch.disengage(open_store(db, create=False), reason=reason, user=user,
                                 account=account, broker=broker)
    console.print(f"[green]{_scope(account, broker)} kill switch disengaged[/]" if done
                  else f"{_scope(account, broker)} kill switch was not engaged")


@kill_app.command("status")
def status_cmd(db: Db = None,
               as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
               ) -> None:
    """The engaged switches: scope, who engaged each, when and why."""
    engaged = kill_switch.status(open_store(db, create=False))
    if as_json:
        sys.stdout.write(json.dumps([{"scope": s.scope, "engaged_by": s.engaged_by,
                                      "engaged_at": s.engaged_at.isoformat(),
                                      "reason": s.reason} for s in engaged], indent=2) + "\n")
        return
    if not engaged:
        console.print("[green]no kill switch engaged[/]: orders may leave")
        return
    table = Table("scope", "engaged by", "at (UTC)", "reason")
    for s in engaged:
        table.add_row(s.scope, s.engaged_by, f"{s.engaged_at:%Y-%m-%d %H:%M}", s.reason)
    console.print(table)
