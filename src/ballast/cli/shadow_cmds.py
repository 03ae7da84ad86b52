"""``ballast shadow list | start | run | compare``: shadow (paper) books beside the live one
(docs/shadow.md). Registered on the main app by :func:`register`."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

from ballast.cli.cycle_cmds import Db, Json, print_shadow
from ballast.cli.dates import parse_day
from ballast.config.cycle import load_cycle_config
from ballast.engine.cycle import latest_session
from ballast.engine.shadow import run_shadow, shadow_status, start_shadow
from ballast.engine.shadow_compare import ShadowComparison, compare_shadow
from ballast.engine.workspace import open_store

console = Console()
shadow_app = typer.Typer(help="Shadow (paper) books run beside the live book: start one, run "
                         "its cycles, compare it with the live book (docs/shadow.md).",
                         no_args_is_help=True)
Name = Annotated[str, typer.Option("--name", help="The shadow's name (`shadows:` in the cycle "
                                   "configuration).")]
Required = Annotated[Path, typer.Option(
    "--config", "-c", help="Cycle configuration YAML declaring the shadow under `shadows:`.")]


def register(app: typer.Typer) -> None:
    """Add ``shadow`` to ``app``."""
    app.add_typer(shadow_app, name="shadow")


@shadow_app.command("list")
def list_cmd(config: Required) -> None:
    """The configured shadows: what each asks, where its book is, when it started and its
    newest cycle."""
    table = Table(title="Shadows", title_justify="left")
    for column in ("name", "question", "book", "started at the close of", "newest cycle"):
        table.add_column(column)
    for s in shadow_status(load_cycle_config(config)):
        newest = s.newest
        table.add_row(s.config.name, s.config.description,
                      make_url(s.config.store).render_as_string(hide_password=True),
                      str(s.info.start) if s.info else "not started",
                      f"{newest.as_of} {newest.status}" if newest else "none")
    console.print(table)


@shadow_app.command("start")
def start_cmd(
    name: Name,
    day: Annotated[str, typer.Option("--from", help="The session at whose close the live book "
                                     "is copied (YYYY-MM-DD).")],
    config: Required, db: Db = None,
) -> None:
    """Create the shadow's book as a copy of the live book at the close of --from: its lots,
    cash and realized gains, models, rules and market data. Its cycles start the next
    session."""
    store = open_store(db, create=False)
    session = parse_day(day, "--from")
    assert session is not None
    info = start_shadow(store, load_cycle_config(config), name, session)
    console.print(f"shadow [bold]{info.name}[/] started as a copy of the live book at the "
                  f"close of {info.start}. `ballast shadow run --name {name}` runs its cycles "
                  "up to today; `ballast cycle` runs them after each live cycle.")


@shadow_app.command("run")
def run_cmd(
    name: Name, config: Required,
    until: Annotated[str | None, typer.Option(
        "--until", help="The last session to run (default: the latest priced day).")] = None,
    db: Db = None,
) -> None:
    """Run the shadow's cycles for every session since its last one, through --until, on the
    same market data as the live book and on its own simulated broker."""
    store = open_store(db, create=False)
    end = parse_day(until, "--until") or latest_session(store)
    ran = run_shadow(store, load_cycle_config(config), name, end)
    if not ran:
        console.print(f"shadow {name}: nothing to run through {end}.")
    for cycle in ran:
        print_shadow(cycle)
    if ran and ran[-1].status != "completed":
        raise typer.Exit(1)


@shadow_app.command("compare")
def compare_cmd(
    name: Name, config: Required,
    until: Annotated[str | None, typer.Option(
        "--until", help="Compare through this session (default: the shadow's newest).")] = None,
    csv_path: Annotated[Path | None, typer.Option(
        "--csv", help="Write the day-by-day comparison to this CSV file.")] = None,
    trades_csv: Annotated[Path | None, typer.Option(
        "--trades-csv", help="Write every trade the two books did not both make to this "
        "CSV file.")] = None,
    account: Annotated[str | None, typer.Option(
        "--account", help="Compare one account (default: every account).")] = None,
    db: Db = None, as_json: Json = False,
) -> None:
    """The live book against the shadow at each close since the shadow's start: NAV and
    after-tax value of both and their difference, value traded, gains realized and losses
    harvested; then the trades one book made and the other did not."""
    store = open_store(db, create=False)
    found = compare_shadow(store, load_cycle_config(config), name,
                           parse_day(until, "--until"), account=account)
    if csv_path is not None:
        write_days(found, csv_path)
    if trades_csv is not None:
        write_trades(found, trades_csv)
    if as_json:
        sys.stdout.write(json.dumps(as_dict(found), indent=2, default=str) + "\n")
        return
    console.print(comparison_table(found))
    last = found.days[-1]
    console.print(
        f"since {found.start}: shadow − live {last.difference:+,.2f} {found.currency} "
        f"(after tax {last.after_tax_difference:+,.2f}); tracking error "
        f"{found.tracking_error:.2%} a year; one-way turnover live "
        f"{found.turnover('live'):.2%}, shadow {found.turnover('shadow'):.2%}; "
        f"{len(found.trades)} trades differ, {len(found.shadow_only)} made only by the "
        "shadow")
    if found.trades:
        console.print(trades_table(found))


def comparison_table(found: ShadowComparison) -> Table:
    """One row per session: both books' figures and the difference."""
    table = Table(title=f"shadow {found.name} against the live book ({found.currency})",
                  title_justify="left")
    for column in ("date", "live NAV", "shadow NAV", "shadow − live", "live after tax",
                   "shadow after tax", "live traded", "shadow traded", "live realized",
                   "shadow realized", "live harvested", "shadow harvested"):
        table.add_column(column, justify="left" if column == "date" else "right")
    for d in found.days:
        table.add_row(str(d.day), *(f"{x:,.0f}" for x in (
            d.live.nav, d.shadow.nav)), f"{d.difference:+,.2f}",
            *(f"{x:,.0f}" for x in (d.live.after_tax, d.shadow.after_tax, d.live.traded,
                                   d.shadow.traded, d.live.realized, d.shadow.realized,
                                   d.live.harvested, d.shadow.harvested)))
    return table


def trades_table(found: ShadowComparison, limit: int = 30) -> Table:
    """The trades the books did not both make (units each traded)."""
    table = Table(title=f"trades that differ ({len(found.trades)}"
                  + (f", first {limit}" if len(found.trades) > limit else "") + ")",
                  title_justify="left")
    for column in ("date", "account", "instrument", "side", "live", "shadow"):
        table.add_column(column, justify="right" if column in ("live", "shadow") else "left")
    for t in found.trades[:limit]:
        table.add_row(str(t.day), t.account, t.instrument, t.side, f"{t.live:,f}",
                      f"{t.shadow:,f}")
    return table


_DAY_COLUMNS = ("date", "live_nav", "shadow_nav", "difference", "live_after_tax",
                "shadow_after_tax", "live_traded", "shadow_traded", "live_realized",
                "shadow_realized", "live_harvested", "shadow_harvested")


def _day_row(d: Any) -> list[Any]:
    return [d.day.isoformat(), *(round(x, 2) for x in (
        d.live.nav, d.shadow.nav, d.difference, d.live.after_tax, d.shadow.after_tax,
        d.live.traded, d.shadow.traded, d.live.realized, d.shadow.realized, d.live.harvested,
        d.shadow.harvested))]


def write_days(found: ShadowComparison, path: Path) -> None:
    """The day-by-day comparison as CSV (money in the comparison's currency)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(_DAY_COLUMNS)
        out.writerows(_day_row(d) for d in found.days)


def write_trades(found: ShadowComparison, path: Path) -> None:
    """The trades that differ as CSV (units each book traded)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(("date", "account", "instrument", "side", "live", "shadow"))
        out.writerows((t.day.isoformat(), t.account, t.instrument, t.side, t.live, t.shadow)
                      for t in found.trades)


def as_dict(found: ShadowComparison) -> dict[str, Any]:
    """JSON-ready form of a comparison."""
    return {"name": found.name, "start": found.start, "currency": found.currency,
            "tracking_error": found.tracking_error,
            "turnover": {"live": found.turnover("live"), "shadow": found.turnover("shadow")},
            "days": [dict(zip(_DAY_COLUMNS, _day_row(d), strict=True)) for d in found.days],
            "trades": [{"date": t.day, "account": t.account, "instrument": t.instrument,
                        "side": t.side, "live": str(t.live), "shadow": str(t.shadow)}
                       for t in found.trades]}
