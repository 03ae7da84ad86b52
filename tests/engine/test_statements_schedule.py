"""Monthly and quarterly statement runs: the latest closed period agrees with the period
parser, a run writes every account's statements once, and a second run writes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ballast.cli import app
from ballast.engine.demo import load_demo
from ballast.engine.period import parse_period
from ballast.engine.report_schedule import Frequency, due_periods, last_closed, run_due
from ballast.engine.workspace import open_store


@pytest.mark.parametrize("day", [date(2020, 2, 29), date(2020, 3, 1), date(2020, 12, 31),
                                 date(2021, 1, 1), date(2021, 3, 30), date(2021, 3, 31)])
def test_last_closed_period(day: date) -> None:
    month = last_closed(Frequency.MONTHLY, day)
    quarter = last_closed(Frequency.QUARTERLY, day)
    assert month == parse_period(month.label, today=day)
    assert quarter == parse_period(quarter.label, today=day)
    assert month.end <= day < month.end + timedelta(days=32)
    assert quarter.end <= day < quarter.end + timedelta(days=93)
    assert (month.end == day) == ((day + timedelta(days=1)).day == 1)  # a month's last day


def test_a_due_run_writes_once(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'book.db'}")
    load_demo(store, households=1)
    with store.transaction() as tx:
        accounts = sorted(tx.accounts())
    out = tmp_path / "statements"
    [run] = run_due(store, Frequency.QUARTERLY, out, as_of=date(2020, 4, 15), workers=1)
    assert run.period.label == "2020Q1" and len(run.written) == len(accounts)
    assert sorted(p.name for p in (out / "2020Q1").iterdir()) == sorted(
        f"statement-{a}-2020Q1.{ext}" for a in accounts for ext in ("pdf", "html"))
    assert due_periods(store, Frequency.QUARTERLY, date(2020, 6, 29)) == []
    assert run_due(store, Frequency.QUARTERLY, out, as_of=date(2020, 5, 1)) == []
    cli = CliRunner().invoke(app, ["report", "due", "--frequency", "quarterly", "--as-of",
                                   "2020-07-02", "--out", str(out), "--format", "pdf",
                                   "--db", store.url])
    assert cli.exit_code == 0, (cli.output, cli.exception)
    assert f"2020Q2: {len(accounts)} accounts, {len(accounts)} files" in cli.output
    store.close()
