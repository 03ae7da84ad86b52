"""Stored reconciliation reports on SQLite and PostgreSQL, against the simulated broker's
books file and a custodian position file: zero breaks after a clean run, the exact breaks
after injected ones, adjustments booked only with a reason, journaled, and then clean."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ballast.cli import app
from ballast.domain import DataError
from ballast.engine.audit import journal, verify_journal
from ballast.engine.execute import execute
from ballast.engine.reconcile_reports import (
    AdjustmentRefused,
    adjust,
    reconcile_and_store,
    stored_report,
    stored_reports,
)
from ballast.engine.simulation import simulated_broker
from ballast.execution.simulated_state import BooksFile
from ballast.store import Store

from .conftest import write
from .test_execute import AS_OF, positions, stored_run

D = Decimal
HEADER_LINE = "as_of,account_id,type,symbol,quantity,market_value,currency\n"
DOC = Path(__file__).resolve().parents[2] / "docs" / "formats.md"


def documented_example() -> str:
    """The custodian file of docs/formats.md: Schwab's accounts after the run of
    ``stored_run`` was executed."""
    (text,) = re.findall(r"<!-- custodian example -->\s*```csv\n(.*?)```",
                         DOC.read_text(encoding="utf-8"), re.S)
    return str(text)


def executed(store: Store, files: dict[str, Path], state: Path) -> None:
    """The tests' run executed through the simulated broker keeping its books in ``state``."""
    run = stored_run(store, files)
    broker, clock = simulated_broker(store, AS_OF, state=state)
    execute(store, run, broker, as_of=AS_OF, clock=clock)


def injected(example: str) -> str:
    """The documented Schwab file with four breaks: H1-TAX holds 5 more AAPL, H1-IRA's VTI
    line is missing, H1-IRA holds 10 SPY the book does not know, H1-TAX has 100.00 more
    cash."""
    lines = [line for line in example.splitlines() if ",H1-IRA,position,VTI," not in line]
    lines = [line.replace(",AAPL,130,", ",AAPL,135,").replace(",80849.40,", ",80949.40,")
             for line in lines]
    return "\n".join([*lines, "2021-01-05,H1-IRA,position,SPY,10,3700.00,USD"]) + "\n"


def test_a_clean_run_stores_a_clean_report(store: Store, book_files: dict[str, Path],
                                           tmp_path: Path) -> None:
    state = tmp_path / "broker.db"
    executed(store, book_files, state)
    custodian = write(tmp_path, "schwab.csv", documented_example())
    report_id, report = reconcile_and_store(store, "simulated", custodian=custodian,
                                            broker_state=state)
    assert report.breaks == () and (report.custodian, report.accounts) == ("Schwab", 2)
    assert report.book_fills == report.broker_fills == 4 and report.as_of == AS_OF
    shown = stored_report(store, report_id)
    assert (shown.report.status, shown.report.breaks, shown.breaks) == ("clean", 0, [])
    assert (shown.report.quantity_tolerance, shown.report.cash_tolerance) == (D(0), D("1.00"))
    assert [r.id for r in stored_reports(store)] == [report_id]


def test_injected_breaks_are_exact_and_adjusted_only_with_a_reason(
        store: Store, book_files: dict[str, Path], tmp_path: Path) -> None:
    state = tmp_path / "broker.db"
    executed(store, book_files, state)
    custodian = write(tmp_path, "schwab.csv", injected(documented_example()))
    report_id, report = reconcile_and_store(store, "simulated", custodian=custodian,
                                            broker_state=state)
    breaks = stored_report(store, report_id).breaks
    assert [(b.seq, b.source, b.kind, b.account_id, b.item, b.book_value, b.external_value,
             b.difference) for b in breaks] == [
        (1, "custodian", "missing_in_book", "H1-IRA", "SPY", None, D(10), D(10)),
        (2, "custodian", "missing_at_broker", "H1-IRA", "VTI", D(50), None, D(-50)),
        (3, "custodian", "quantity_differs", "H1-TAX", "AAPL", D(130), D(135), D(5)),
        (4, "custodian", "cash_differs", "H1-TAX", "USD", D("80849.40"), D("80949.40"),
         D("100.00"))]
    assert breaks[2].explanation == "H1-TAX: AAPL 130 in the book, 135 at the custodian " \
        "(+5); market value 17031.30 at the custodian"
    assert len(report.breaks) == 4 and stored_report(store, report_id).report.status == "breaks"
    _, tolerant = reconcile_and_store(store, "simulated", custodian=custodian,
                                      broker_state=state, cash_tolerance=D(100))
    assert [b.item for b in tolerant.breaks] == ["SPY", "VTI", "AAPL"]
    assert tolerant.tolerances.cash == D(100)

    with store.transaction() as tx:
        before = tx.transaction_count()
    for reason in ("", "   "):
        with pytest.raises(AdjustmentRefused, match="needs a reason"):
            adjust(store, report_id, 3, reason=reason, user="ops")
    with pytest.raises(AdjustmentRefused, match="instrument SPY is not in the book"):
        adjust(store, report_id, 1, reason="custodian delivered SPY", user="ops")
    with pytest.raises(DataError, match="has no break 9"):
        adjust(store, report_id, 9, reason="typo", user="ops")
    with store.transaction() as tx:
        assert tx.transaction_count() == before and tx.reconciliation_adjustments(report_id) == []

    moved = adjust(store, report_id, 3, reason="5 AAPL delivered in from an outside broker",
                   user="ops")
    out = adjust(store, report_id, 2, reason="VTI moved to another custodian", user="ops")
    cash = adjust(store, report_id, 4, reason="interest credited by Schwab", user="ana")
    assert (moved.kind.value, moved.lots[0].quantity, moved.lots[0].cost_basis) == (
        "transfer_in", D(5), D("655.05"))  # at the close of AS_OF, 131.01
    assert (out.kind.value, out.quantity, cash.kind.value, cash.amount) == (
        "transfer_out", D(50), "deposit", D("100.00"))
    with pytest.raises(AdjustmentRefused, match="adjusted already by transaction REC"):
        adjust(store, report_id, 3, reason="again", user="ops")
    assert positions(store)[("H1-TAX", "AAPL")] == 135
    assert ("H1-IRA", "VTI") not in positions(store)
    with store.transaction() as tx:
        assert tx.transaction_count() == before + 3
        assert tx.cash()[("H1-TAX", "USD")] == D("80949.40")
    entries = [e for e in journal(store) if e.kind == "reconciliation.adjusted"]
    assert [(e.actor, e.rationale) for e in entries] == [
        ("ops", "5 AAPL delivered in from an outside broker"),
        ("ops", "VTI moved to another custodian"), ("ana", "interest credited by Schwab")]
    assert f"reconciliation:{report_id}" in entries[0].subject
    assert verify_journal(store).intact

    # only the unknown instrument is left
    _, again = reconcile_and_store(store, "simulated", custodian=custodian, broker_state=state)
    assert [(b.kind.value, b.item) for b in again.breaks] == [("missing_in_book", "SPY")]


def test_a_broker_break_is_not_adjusted_in_a_client_account(
        store: Store, book_files: dict[str, Path], tmp_path: Path) -> None:
    state = tmp_path / "broker.db"
    executed(store, book_files, state)
    books = BooksFile(state).load()
    books.positions["AAPL"] = D(49)  # the broker lost a share
    BooksFile(state).save(books, ())
    report_id, report = reconcile_and_store(store, "simulated", broker_state=state)
    assert [(b.source.value, b.kind.value, b.account, b.item, b.difference)
            for b in report.breaks] == [("broker", "quantity_differs", "simulated", "AAPL",
                                         D(-1))]
    with pytest.raises(AdjustmentRefused, match="found in the broker's report"):
        adjust(store, report_id, 1, reason="lost share", user="ops")


def test_cli_reconcile_stores_shows_and_adjusts(store: Store, book_files: dict[str, Path],
                                                tmp_path: Path) -> None:
    state = tmp_path / "broker.db"
    executed(store, book_files, state)
    env = {"BALLAST_DATABASE_URL": store.url, "COLUMNS": "250"}
    runner = CliRunner()
    clean = write(tmp_path, "clean.csv", documented_example())
    ok = runner.invoke(app, ["reconcile", "--broker-state", str(state), "--custodian",
                             str(clean)], env=env)
    assert ok.exit_code == 0, ok.output
    assert "reconciliation 1" in ok.output and "simulated and Schwab" in ok.output
    broken = write(tmp_path, "broken.csv", injected(documented_example()))
    bad = runner.invoke(app, ["reconcile", "--broker-state", str(state), "--custodian",
                              str(broken), "--json"], env=env)
    assert bad.exit_code == 1 and json.loads(bad.output)["id"] == 2
    listed = json.loads(runner.invoke(app, ["reconcile", "--list", "--json"], env=env).output)
    assert [(r["id"], r["status"], r["breaks"]) for r in listed] == [
        (2, "breaks", 4), (1, "clean", 0)]

    refused = runner.invoke(app, ["reconcile", "adjust", "2", "4"], env=env)
    assert refused.exit_code != 0 and "needs a reason" in str(refused.exception)
    done = runner.invoke(app, ["reconcile", "adjust", "2", "4", "--reason", "interest",
                               "--user", "ops"], env=env)
    assert done.exit_code == 0, done.output
    assert "booked deposit 100.00 USD into H1-TAX as transaction REC2-4" in done.output
    shown = json.loads(runner.invoke(app, ["reconcile", "--show", "2", "--json"],
                                     env=env).output)
    assert shown["breaks"][3]["adjustment"] == {"transaction": "REC2-4", "reason": "interest",
                                                "user": "ops"}
    assert shown["tolerances"] == {"quantity": "0", "cash": "1.00"}
    text = runner.invoke(app, ["reconcile", "--show", "2"], env=env)
    assert text.exit_code == 0 and "REC2-4 (ops: interest)" in text.output
    wrong = runner.invoke(app, ["reconcile", "--custodian", str(broken), "--as-of",
                                "2021-01-04"], env=env)
    assert isinstance(wrong.exception, DataError) and "is as of 2021-01-05" in str(
        wrong.exception)


def test_cli_paper_trading_keeps_the_broker_books_across_commands(
        store: Store, book_files: dict[str, Path], tmp_path: Path) -> None:
    stored_run(store, book_files)
    state = tmp_path / "paper" / "broker.db"
    env = {"BALLAST_DATABASE_URL": store.url, "COLUMNS": "250"}
    runner = CliRunner()
    first = runner.invoke(app, ["execute", "--broker-state", str(state), "--json"], env=env)
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["booked"] == 6
    again = runner.invoke(app, ["execute", "--broker-state", str(state)], env=env)
    assert again.exit_code == 0 and "sent 0" in again.output
    books = BooksFile(state).load()
    assert len(books.orders) == 4 and set(books.submits.values()) == {1}
    assert books.positions == {"AAPL": D(50), "VTI": D(35), "XOM": D(-40)}
    clean = runner.invoke(app, ["reconcile", "--broker-state", str(state)], env=env)
    assert clean.exit_code == 0 and "0 breaks" in clean.output


def test_a_custodian_file_is_compared_with_the_book_on_its_own_date(
        store: Store, book_files: dict[str, Path], tmp_path: Path) -> None:
    """Schwab's file of the day before the run: the book then (replayed, since the run's
    trades are booked after it) held the imported positions only."""
    executed(store, book_files, tmp_path / "broker.db")
    day_before = write(tmp_path, "schwab-0104.csv", HEADER_LINE + "\n".join([
        "2021-01-04,H1-TAX,position,AAPL,100,12941.00,USD",
        "2021-01-04,H1-TAX,position,XOM,100,4150.00,USD",
        # 100,000 deposited, 7,501 and 12,001 paid for AAPL and XOM, 4,499 from half the XOM
        "2021-01-04,H1-TAX,cash,,,84997.00,USD",
        "2021-01-04,H1-IRA,cash,,,20000.00,USD"]) + "\n")
    _, report = reconcile_and_store(store, "simulated", custodian=day_before)
    assert str(report.as_of) == "2021-01-04"
    assert report.breaks == () and report.book_fills == 0
    assert positions(store)[("H1-TAX", "AAPL")] == 130  # the book now, after the run
