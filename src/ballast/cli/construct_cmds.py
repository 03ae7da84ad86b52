"""``ballast model build`` and ``ballast risk``: models from construction specs, and the risk of
an account, a household or a model. Registered on the main app by :func:`register`."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ballast.cli.render_construct import build_review, risk_review
from ballast.domain import ConfigError
from ballast.engine.construct import build_model
from ballast.engine.risk import read_durations, risk_report
from ballast.engine.workspace import open_store

console = Console()
model_app = typer.Typer(
    help="Build models from construction specs: estimators and an optimizer turn price history "
    "into a new model version (see docs/model_building.md).", no_args_is_help=True)

Db = Annotated[str | None, typer.Option(
    "--db", envvar="BALLAST_DATABASE_URL", help="Database URL (default sqlite:///./ballast.db).")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
BuildAsOf = Annotated[datetime | None, typer.Option(
    "--as-of", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="Use only prices up to this "
    "date (default: the spec's as_of, else the latest price).")]
RiskAsOf = Annotated[datetime | None, typer.Option(
    "--as-of", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="Holdings and prices as of "
    "this date (default: the latest price).")]


def register(app: typer.Typer) -> None:
    """Add ``model build`` and ``risk`` to ``app``."""
    app.add_typer(model_app, name="model")
    app.command("risk")(risk)


def _print(data: object) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


@model_app.command("build")
def build(
    spec: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True,
                                         help="Construction spec YAML.")],
    as_of: BuildAsOf = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Build and report without storing the model version.")] = False,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Build the model a spec describes and store it as a new version of that model.

    Reads the closes of the spec's universe up to the as-of date (nothing later), estimates
    expected returns and covariance, runs the spec's optimizer under its constraints, rounds
    the weights to 0.0001 and stores the model through the same path as `ballast models
    import`. Prints the inputs, the weights with their risk contributions, the expected return
    and volatility, and the version written. An infeasible spec names the constraints that
    conflict.
    """
    report = build_model(open_store(db, create=False), spec,
                         as_of=as_of.date() if as_of else None, dry_run=dry_run)
    if as_json:
        _print(report.as_dict())
    else:
        console.print(build_review(report))


def risk(
    account: Annotated[str | None, typer.Option("--account", "-a", help="An account id.")] = None,
    household: Annotated[str | None, typer.Option("--household", help="A household id.")] = None,
    model: Annotated[str | None, typer.Option("--model", "-m", help="A model name.")] = None,
    as_of: RiskAsOf = None,
    lookback: Annotated[int, typer.Option(
        help="Daily returns in the estimation window (756 ≈ three years).", min=2)] = 756,
    benchmark: Annotated[str | None, typer.Option(
        help="Instrument for beta and tracking error, and the proxy of instruments without "
        "prices in a stress window (default: SPY when the book has it).")] = None,
    duration: Annotated[list[str] | None, typer.Option(
        metavar="SYMBOL=YEARS", help="Modified duration of a holding for the rates shock "
        "(repeatable; bond-like holdings without one are taken at 6).")] = None,
    durations: Annotated[Path | None, typer.Option(
        exists=True, dir_okay=False, readable=True, help="Modified durations from a file: CSV "
        "with columns symbol,duration, or a YAML mapping SYMBOL: YEARS (--duration wins).")
        ] = None,
    factors: Annotated[Path | None, typer.Option(
        exists=True, dir_okay=False, readable=True, help="Factor returns (a Kenneth French "
        "CSV, or date,<factor>,... in decimals) to regress the portfolio's returns on: adds "
        "betas, alpha and r² (every column but RF).")] = None,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Risk of an account, a household or a model: volatility, beta, tracking error, VaR and
    CVaR at 95% and 99% (historical, Gaussian, Cornish-Fisher, Monte Carlo), risk
    contributions, maximum drawdown, and a stress table (historical replays over the windows
    the prices cover, equities -20%, rates +100 bp, the largest holding -50%).

    Accounts and households are measured on their holdings as of the date; a model on its
    targets (a sleeve's target on its first instrument). With --factors, the portfolio's
    factor betas too.
    """
    given = read_durations(durations) if durations is not None else {}
    report = risk_report(open_store(db, create=False), account=account, household=household,
                         model=model, as_of=as_of.date() if as_of else None,
                         lookback_days=lookback, benchmark=benchmark,
                         durations=given | _durations(duration or []), factors=factors)
    if as_json:
        _print(report.as_dict())
    else:
        console.print(risk_review(report))


def _durations(items: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items:
        symbol, _, years = item.partition("=")
        try:
            out[symbol.strip()] = float(years)
        except ValueError:
            raise ConfigError(f"--duration {item!r} is not SYMBOL=YEARS",
                              hint="For example --duration IEF=7.5.") from None
    return out
