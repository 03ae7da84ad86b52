"""``ballast backtest SPEC.yaml``: run policies side by side over price history and print the
comparison. Registered on the main app by :func:`register`."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ballast.config.backtest import load_backtest
from ballast.engine.backtest import BacktestResult, run_backtest, write_results

console = Console()


def register(app: typer.Typer) -> None:
    """Add ``backtest`` to ``app``."""
    app.command("backtest")(backtest_cmd)


def _pct(x: float) -> str:
    return f"{x * 100:.2f}%"


def _money(x: float) -> str:
    return f"{x:,.0f}"


def comparison_table(result: BacktestResult) -> Table:
    """One column per policy, one row per figure."""
    table = Table(title=f"backtest {result.name}: {result.dates[0]} → {result.dates[-1]} "
                  f"({len(result.dates)} sessions)")
    table.add_column("")
    for s in result.summaries:
        table.add_column(s.policy, justify="right")
    rows: list[tuple[str, list[str]]] = [
        ("accounts", [str(s.accounts) for s in result.summaries]),
        ("end value", [_money(s.end_value) for s in result.summaries]),
        ("end value after tax", [_money(s.end_after_tax) for s in result.summaries]),
        ("annual return", [_pct(s.annualized_return) for s in result.summaries]),
        ("annual return after tax", [_pct(s.annualized_after_tax) for s in result.summaries]),
        ("volatility", [_pct(s.volatility) for s in result.summaries]),
        ("max drawdown", [_pct(s.max_drawdown) for s in result.summaries]),
        ("tracking error vs model", [_pct(s.tracking_error) for s in result.summaries]),
        ("turnover / year", [_pct(s.turnover) for s in result.summaries]),
        ("trades", [str(s.trades) for s in result.summaries]),
        ("realized short-term", [_money(s.realized_short_term) for s in result.summaries]),
        ("realized long-term", [_money(s.realized_long_term) for s in result.summaries]),
        ("losses harvested", [_money(s.harvested_losses) for s in result.summaries]),
        ("taxes paid", [_money(s.taxes_paid) for s in result.summaries]),
        ("costs", [_money(s.costs) for s in result.summaries]),
    ]
    if any(s.compliance_denied or s.compliance_fixed for s in result.summaries):
        rows += [("compliance: account-days denied",
                  [str(s.compliance_denied) for s in result.summaries]),
                 ("compliance: account-days fixed",
                  [str(s.compliance_fixed) for s in result.summaries])]
    names = sorted({w.name for s in result.summaries for w in s.stress})
    for name in names:
        rows.append((f"stress {name}", [
            next((_pct(-w.loss) for w in s.stress if w.name == name), "—")
            for s in result.summaries]))
    for label, cells in rows:
        table.add_row(label, *cells)
    return table


def backtest_cmd(
    spec: Annotated[Path, typer.Argument(help="Backtest spec (YAML; see docs/backtesting.md).",
                                         exists=True, dir_okay=False)],
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write nav.csv, after_tax.csv, accounts.csv and summary.json here.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Run the spec's policies side by side over price history — ballast's own rebalancer,
    harvester, tax pass and ledger, with fill costs — and compare them."""
    parsed = load_backtest(spec)
    err = Console(stderr=True)
    with Progress(TextColumn("simulating"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True,
                  disable=as_json or not err.is_terminal) as bar:
        task = bar.add_task("simulating", total=None)

        def tick(done: int, total: int) -> None:
            if done % 20 == 0 or done == total:
                bar.update(task, completed=done, total=total)

        result = run_backtest(parsed, spec.parent, progress=tick)
    if out is not None:
        write_results(result, out)
    if as_json:
        sys.stdout.write(json.dumps([asdict(s) for s in result.summaries], indent=2) + "\n")
        return
    console.print(comparison_table(result))
    if out is not None:
        console.print(f"series and per-account figures written to [bold]{out}[/]")
