"""File-level behaviour shared by every parser: header, row shape, encoding, row numbers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ballast.data import ImportContext, RowError, parse_households, parse_transactions

Write = Callable[[str, str], Path]


def test_row_error_reads_as_one_line() -> None:
    err = RowError("transactions.csv", 7, "price", "must be positive", "-3")
    assert str(err) == "transactions.csv row 7, field price: must be positive (got -3)"
    assert str(RowError("a.csv", 0, "", "file is empty")) == "a.csv header: file is empty"
    assert str(RowError("a.csv", 2, "", "row has 3 cells")) == "a.csv row 2: row has 3 cells"


def test_unknown_column_is_named(write: Write, ctx: ImportContext) -> None:
    path = write("households.csv", "household_id,name,colour\nH2,Jones,red\n")
    result = parse_households(path, ctx)
    assert result.records == []
    assert len(result.errors) == 1
    err = result.errors[0]
    assert (err.row, err.field) == (0, "")
    assert err.reason.startswith("unknown column(s) 'colour'; allowed: household_id, name")


def test_missing_required_columns_are_named(write: Write, ctx: ImportContext) -> None:
    path = write("transactions.csv", "id,date,symbol\nT1,2021-01-04,AAPL\n")
    result = parse_transactions(path, ctx)
    assert [e.reason for e in result.errors] == ["missing required column(s): account_id, kind"]
    assert result.records == []


def test_column_given_twice(write: Write, ctx: ImportContext) -> None:
    result = parse_households(write("h.csv", "household_id,name,name\nH2,a,b\n"), ctx)
    assert [e.reason for e in result.errors] == ["column(s) given twice: name"]


def test_empty_file(write: Write, ctx: ImportContext) -> None:
    result = parse_households(write("h.csv", ""), ctx)
    assert result.errors[0].reason.startswith("file is empty or has no header row")


def test_wrong_column_count_names_the_row(write: Write, ctx: ImportContext) -> None:
    text = "household_id,name\nH2,Jones\nH3,Lee,extra\n\nH4,Kim\n"
    result = parse_households(write("households.csv", text), ctx)
    assert [r.id for r in result.records] == ["H2", "H4"]
    assert result.record_rows == [1, 4]  # the blank line is row 3, skipped
    assert result.rows == 3
    assert [str(e) for e in result.errors] == [
        "households.csv row 2: row has 3 cells but the header has 2 (got H3,Lee,extra)"]
    assert result.bad_rows == {2: ["H3", "Lee", "extra"]}


def test_non_utf8_bytes_reject_the_file(tmp_path: Path, ctx: ImportContext) -> None:
    path = tmp_path / "households.csv"
    path.write_bytes(b"household_id,name\nH2,Jones\nH3,M\xfcller\n")
    result = parse_households(path, ctx)
    assert result.records == []
    assert len(result.errors) == 1
    err = result.errors[0]
    assert err.row == 2
    assert "not valid UTF-8" in err.reason and "whole file is rejected" in err.reason


def test_byte_order_mark_and_column_order_are_accepted(tmp_path: Path, ctx: ImportContext) -> None:
    path = tmp_path / "households.csv"
    path.write_text("\ufeffname,household_id\nJones family,H2\n", encoding="utf-8")
    result = parse_households(path, ctx)
    assert result.ok
    assert [(h.id, h.name) for h in result.records] == [("H2", "Jones family")]


def test_quoted_cells_with_commas(write: Write, ctx: ImportContext) -> None:
    result = parse_households(write("h.csv", 'household_id,name\nH2,"Jones, Ann & Bob"\n'), ctx)
    assert result.records[0].name == "Jones, Ann & Bob"


def test_existing_households_are_duplicates(write: Write, ctx: ImportContext) -> None:
    result = parse_households(write("h.csv", "household_id,name\nH1,Smith\nH2,Jones\nH2,J\n"), ctx)
    assert result.duplicates == ["H1"]
    assert [h.id for h in result.new_records()] == ["H2"]
    assert [str(e) for e in result.errors] == [
        "h.csv row 3, field household_id: duplicate household_id (first at row 2) (got H2)"]


def test_unclosed_quote_rejects_the_file_naming_the_row(write: Write, ctx: ImportContext) -> None:
    result = parse_households(write("h.csv", 'household_id,name\nH1,ok\nH2,"Jones\nH3,x\n'), ctx)
    assert result.records == []
    assert [str(e) for e in result.errors] == [
        "h.csv row 2: malformed CSV: unexpected end of data; the whole file is rejected"]
