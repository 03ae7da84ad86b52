"""``ballast performance``: returns, statistics and attribution of an account, a household, a
model composite or the firm over a period. Registered on the main app by :func:`register`."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from ballast.domain import BallastError
from ballast.engine.nav import Scope, ScopeKind
from ballast.engine.performance import PerformanceReport, measure, today_or_last_price
from ballast.engine.period import parse_period
from ballast.engine.workspace import open_store

console = Console()


def register(app: typer.Typer) -> None:
    """Add ``performance`` to ``app``."""
    app.command("performance")(performance)


def _scope(account: str | None, household: str | None, model: str | None,
           firm: bool) -> Scope:
    given = [(ScopeKind.ACCOUNT, account), (ScopeKind.HOUSEHOLD, household),
             (ScopeKind.MODEL, model), (ScopeKind.FIRM, "" if firm else None)]
    chosen = [(k, v) for k, v in given if v is not None]
    if len(chosen) != 1:
        raise BallastError("give exactly one of --account, --household, --model or --firm",
                           hint="e.g. `ballast performance --account H1-TAX --period 2020Q1`.")
    return Scope(*chosen[0])


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:+.2%}"


def _num(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _returns_table(r: PerformanceReport) -> Table:
    ret = r.returns
    long = ret.years > 1.0027  # a period over 366 days is annualized
    table = Table("return", "period", *(["annualized"] if long else []),
                  title=f"{r.scope}, {r.period} ({r.start} – {r.end}), {r.currency}")
    rows = [("time-weighted, net of fees", ret.net, ret.net_annualized),
            ("time-weighted, gross of fees", ret.gross, ret.gross_annualized),
            ("Modified Dietz", ret.modified_dietz, None),
            ("money-weighted (XIRR)", ret.money_weighted, ret.money_weighted_annualized),
            (f"benchmark: {r.benchmark or 'none'}", ret.benchmark, ret.benchmark_annualized),
            ("excess (net − benchmark)", ret.excess, None)]
    for label, period, annual in rows:
        table.add_row(label, _pct(period), *([_pct(annual) if annual is not None else ""]
                                            if long else []))
    return table


def _values_table(r: PerformanceReport) -> Table:
    table = Table("value", "amount")
    for label, v in (("start", r.start_value), ("inflows", r.inflows),
                     ("outflows", r.outflows), ("fees", -r.fees), ("gain", r.gain),
                     ("end", r.end_value)):
        table.add_row(label, f"{v:,.2f}")
    return table


def _statistics_table(r: PerformanceReport) -> Table | None:
    s = r.statistics
    if s is None:
        return None
    table = Table("statistic (daily, annualized)", "value")
    rows = [("volatility", _pct(s.volatility)), ("Sharpe", _num(s.sharpe)),
            ("Sortino", _num(s.sortino)), ("max drawdown", _pct(-s.max_drawdown)),
            ("Calmar", _num(s.calmar)), ("beta", _num(s.beta)),
            ("tracking error", _pct(s.tracking_error)),
            ("information ratio", _num(s.information_ratio))]
    for name, text in rows:
        table.add_row(name, text)
    return table


def _attribution_tables(r: PerformanceReport) -> list[Table]:
    out = []
    for t in r.attribution:
        by = t.by.replace("_", " ")
        table = Table(by, "weight", "model", "alloc.", "select.", "interact.", "total",
                      title=f"attribution by {by}: portfolio {t.portfolio_return:+.2%}, "
                            f"model {t.benchmark_return:+.2%}")
        for line in sorted(t.lines, key=lambda x: -abs(x.total)):
            table.add_row(line.group, f"{line.portfolio_weight:.1%}",
                          f"{line.benchmark_weight:.1%}", _pct(line.allocation),
                          _pct(line.selection), _pct(line.interaction), _pct(line.total))
        out.append(table)
    return out


def _contribution_table(r: PerformanceReport, top: int = 10) -> Table:
    table = Table("holding", "name", "average weight", "contribution",
                  title=f"contribution by holding (top {top})")
    for c in r.contributions[:top]:
        table.add_row(c.instrument, c.name, f"{c.average_weight:.1%}", _pct(c.contribution))
    return table


def _json(r: PerformanceReport) -> dict[str, Any]:
    def plain(x: Any) -> Any:
        if isinstance(x, dict):
            return {k: plain(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [plain(v) for v in x]
        if isinstance(x, np.ndarray):
            return x.tolist()
        if hasattr(x, "isoformat"):
            return x.isoformat()
        return x

    out = plain(asdict(r))
    out.pop("series")
    return dict(out)


def performance(
    period: Annotated[str, typer.Option("--period", "-p", help='"2020Q1", "2020-03", "2020", '
                                        '"YTD", "QTD", "MTD" or "2020-01-15..2020-02-20".')],
    account: Annotated[str | None, typer.Option("--account", "-a", help="One account.")] = None,
    household: Annotated[str | None, typer.Option("--household", help="A household.")] = None,
    model: Annotated[str | None, typer.Option(
        "--model", help="The composite of every account assigned this model.")] = None,
    firm: Annotated[bool, typer.Option("--firm", help="Every account.")] = False,
    benchmark: Annotated[str | None, typer.Option(
        "--benchmark", help="An instrument as the benchmark (default: the model's blend).")
    ] = None,
    db: Annotated[str | None, typer.Option(
        "--db", envvar="BALLAST_DATABASE_URL",
        help="Database URL (default sqlite:///./ballast.db).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Time-weighted (gross and net of fees), Modified Dietz and money-weighted returns against
    the benchmark, risk statistics, attribution against the model and contribution by holding.
    YTD, QTD and MTD run to the latest price date."""
    scope = _scope(account, household, model, firm)
    store = open_store(db, create=False)
    report = measure(store, scope, parse_period(period, today=today_or_last_price(store)),
                     benchmark=benchmark)
    if as_json:
        sys.stdout.write(json.dumps(_json(report), indent=2) + "\n")
        return
    console.print(_returns_table(report))
    console.print(_values_table(report))
    stats = _statistics_table(report)
    if stats is not None:
        console.print(stats)
    for table in _attribution_tables(report):
        console.print(table)
    console.print(_contribution_table(report))
    for note in report.notes:
        console.print(f"[dim]note: {note}[/]")
