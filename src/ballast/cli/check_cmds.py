"""``ballast rules import`` and ``ballast check``: compliance rule sets, and the review of a
rebalance run against them. Registered on the main app by :func:`register`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console, Group
from rich.table import Table

from ballast.engine.check import CheckResult, check, import_rules
from ballast.engine.workspace import open_store

console = Console()
rules_app = typer.Typer(help="Compliance rule sets (see docs/compliance.md).",
                        no_args_is_help=True)

Db = Annotated[str | None, typer.Option(
    "--db", envvar="BALLAST_DATABASE_URL", help="Database URL (default sqlite:///./ballast.db).")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def register(app: typer.Typer) -> None:
    """Add ``rules import`` and ``check`` to ``app``."""
    app.add_typer(rules_app, name="rules")
    app.command("check")(check_cmd)


@rules_app.command("import")
def import_cmd(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True,
                                                help="Rule-set YAML files.")],
    db: Db = None,
) -> None:
    """Validate rule-set files and store each as a version (its content hash)."""
    for name, version, new in import_rules(open_store(db, create=False), files):
        console.print(f"{name} {version} {'stored' if new else 'already stored'}")


def check_cmd(
    run: Annotated[int | None, typer.Option("--run", help="Rebalance run id (default: the "
                                            "latest).")] = None,
    rules: Annotated[list[Path] | None, typer.Option(
        "--rules", exists=True, dir_okay=False, readable=True,
        help="Rule-set file (repeatable; default: the latest stored rule sets).")] = None,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Check a rebalance run's proposals against the firm's, the models' and the accounts'
    rules: every rule on every post-trade portfolio. Prints the approved and denied counts and
    each denied proposal with its violations; stores the decisions with the run."""
    result = check(open_store(db, create=False), run_id=run, rules_paths=rules or [])
    if as_json:
        sys.stdout.write(json.dumps(result.as_dict(), indent=2, default=str) + "\n")
    else:
        console.print(review(result))


def review(result: CheckResult) -> Group:
    """The counts, then a table of the violations and fixes of every proposal that has any."""
    denied = len(result.denied)
    head = (f"[bold]check {result.check_id}[/] of run {result.run_id} ({result.as_of}) "
            f"against {', '.join(result.rule_sets)}: [green]{len(result.decisions) - denied} "
            f"approved[/], [red]{denied} denied[/]"
            + (f", {len(result.skipped)} skipped by the rebalancer" if result.skipped else ""))
    table = Table(show_lines=False)
    for column in ("account", "decision", "rule", "action", "explanation"):
        table.add_column(column, overflow="fold")
    for d in result.decisions:
        word = "[green]approved[/]" if d.approved else "[red]denied[/]"
        for v in d.violations:
            table.add_row(d.account, word, v.rule_id, v.action.value, v.explanation)
        for f in d.fixes:
            table.add_row(d.account, word, ",".join(f.rule_ids), "fixed",
                          f"{f.side} {f.instrument} {f.reason}")
    return Group(head, table) if table.row_count else Group(head)
