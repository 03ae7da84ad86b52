"""``ballast report statement | firm`` as a user runs them on the demo book."""

from __future__ import annotations

import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from typer.testing import CliRunner

from ballast.cli import app, main
from ballast.engine.period import PeriodError
from ballast.store import Store


def run(store: Store, *args: str) -> tuple[int, str]:
    out = CliRunner().invoke(app, list(args), env={"BALLAST_DATABASE_URL": store.url,
                                                   "BALLAST_FIRM_NAME": "Harbor & Pine",
                                                   "COLUMNS": "200"})
    return out.exit_code, out.output


def test_statement_for_an_account_and_a_household(demo_store: Store, tmp_path: Path) -> None:
    code, out = run(demo_store, "report", "statement", "--account", "HH001-TAX",
                    "--period", "2020Q1", "--out", str(tmp_path))
    assert code == 0, out
    pdf, html = tmp_path / "statement-HH001-TAX-2020Q1.pdf", tmp_path / \
        "statement-HH001-TAX-2020Q1.html"
    assert f"wrote {pdf}" in out and f"wrote {html}" in out
    text = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert "HARBOR & PINE" in text and "Account HH001-TAX" in text
    code, out = run(demo_store, "report", "statement", "--household", "HH002", "--period",
                    "2020-03", "--out", str(tmp_path), "--format", "html")
    assert code == 0, out
    assert list(tmp_path.glob("statement-HH002-*")) == [tmp_path / "statement-HH002-2020-03.html"]


def test_clear_errors_and_an_empty_period(demo_store: Store, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", [  # through main(), as a user sees it: no traceback
        "ballast", "report", "statement", "--account", "NOPE", "--period", "2020Q1", "--out",
        str(tmp_path), "--db", demo_store.url])
    with pytest.raises(SystemExit) as done:
        main()
    err = " ".join(capsys.readouterr().err.split())
    assert done.value.code == 1 and "Traceback" not in err
    assert "error: no account NOPE in the book (known: HH001-IRA, HH001-IRA2," in err
    assert "hint: `ballast accounts` lists accounts, households and their models." in err
    bad = CliRunner().invoke(app, ["report", "statement", "--account", "HH001-TAX", "--period",
                                   "2020Q5", "--out", str(tmp_path), "--db", demo_store.url])
    assert isinstance(bad.exception, PeriodError) and "2020Q5" in str(bad.exception)
    code, out = run(demo_store, "report", "statement", "--account", "HH001-TAX", "--period",
                    "2031Q1", "--out", str(tmp_path), "--format", "pdf")
    assert code == 0 and "There is nothing to report for 2031Q1" in " ".join(out.split())
    assert list(tmp_path.iterdir()) == [tmp_path / "statement-HH001-TAX-2031Q1.pdf"]


def test_firm_report(demo_store: Store, tmp_path: Path) -> None:
    code, out = run(demo_store, "report", "firm", "--period", "2020Q1", "--out", str(tmp_path),
                    "--format", "pdf")
    assert code == 0, out
    text = pdfium.PdfDocument(tmp_path / "firm-report-2020Q1.pdf")[0].get_textpage() \
        .get_text_range()
    assert "Firm report · 2020Q1" in text


def test_every_account_in_parallel(demo_store: Store, tmp_path: Path) -> None:
    code, out = run(demo_store, "report", "statement", "--all", "--period", "2020Q1",
                    "--out", str(tmp_path), "--format", "pdf")
    assert code == 0, out
    with demo_store.transaction() as tx:
        accounts = sorted(tx.accounts())
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"statement-{a}-2020Q1.pdf" for a in accounts]
    for a in accounts:  # each file is its own account's
        text = pdfium.PdfDocument(tmp_path / f"statement-{a}-2020Q1.pdf")[0].get_textpage() \
            .get_text_range()
        assert f"Account {a} " in text
