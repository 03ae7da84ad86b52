"""The custodian position file: the documented example parses to the statement it shows, and
every kind of bad row is named by row and field with how to correct it."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from ballast.data.custodian import LineType, parse_custodian, read_custodian
from ballast.domain import DataError

DOC = Path(__file__).resolve().parents[2] / "docs" / "formats.md"
EXAMPLE = re.compile(r"<!-- custodian example -->\s*```csv\n(.*?)```", re.S)
D = Decimal


def documented_example() -> str:
    (text,) = EXAMPLE.findall(DOC.read_text(encoding="utf-8"))
    return str(text)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "custodian.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_documented_example_parses(tmp_path: Path) -> None:
    path = write(tmp_path, documented_example())
    result = parse_custodian(path)
    assert result.errors == [] and len(result.records) == result.rows == 7
    assert [r.type for r in result.records].count(LineType.CASH) == 2
    statement = read_custodian(path)
    assert str(statement.as_of) == "2021-01-05" and statement.accounts == {"H1-IRA", "H1-TAX"}
    assert statement.positions == {
        ("H1-IRA", "AAPL"): D(20), ("H1-IRA", "VTI"): D(50), ("H1-TAX", "AAPL"): D(130),
        ("H1-TAX", "VTI"): D(10), ("H1-TAX", "XOM"): D(60)}
    assert statement.cash == {("H1-IRA", "USD"): D("7606.09"),
                              ("H1-TAX", "USD"): D("80849.40")}
    assert statement.market_values[("H1-TAX", "AAPL")] == D("17031.30")


def test_columns_in_any_order_and_optional_ones_left_out(tmp_path: Path) -> None:
    statement = read_custodian(write(tmp_path, "type,quantity,symbol,account_id,as_of\n"
                                     "position,-5,XOM,A1,2021-01-05\n"))
    assert statement.positions == {("A1", "XOM"): D(-5)} and statement.market_values == {}


def test_every_bad_row_is_named_with_how_to_correct_it(tmp_path: Path) -> None:
    path = write(tmp_path, documented_example().splitlines()[0] + "\n" + "\n".join([
        "2021-01-05,A1,position,AAPL,10,,USD",
        "2021-01-05,A1,position,AAPL,3,,USD",
        "2021-01-05,A1,position,,7,,",
        "2021-01-05,A1,cash,,100,,USD",
        "2021-01-05,A1,cash,,,12.5,",
        "2021-01-05,A1,bond,X,1,,",
        "2021-01-06,A2,position,VTI,ten,,",
        "2021-01-05,,position,VTI,1,,",
        "2021-01-05,A2,cash,,,5,XYZ",
    ]) + "\n")
    got = [(e.row, e.field, e.reason, e.raw) for e in parse_custodian(path).errors]
    assert got == [
        (2, "symbol", "A1 has AAPL twice (first at row 1); give one line with the total",
         "AAPL"),
        (3, "symbol", "a position needs the instrument's symbol", ""),
        (4, "quantity", "a cash line has no symbol or quantity: give the balance in "
         "market_value", "100"),
        (4, "market_value", "a cash line needs its balance", ""),
        (5, "currency", "a cash line needs its currency", ""),
        (6, "type", "must be one of position, cash", "bond"),
        (7, "quantity", "not a decimal number", "ten"),
        (7, "as_of", "differs from 2021-01-05 of row 1; a file holds one day: split it "
         "into one file per date", "2021-01-06"),
        (8, "account_id", "is required", ""),
        (9, "currency", "unknown currency; use an ISO 4217 code such as USD", "XYZ"),
    ]
    with pytest.raises(DataError, match=r"custodian\.csv: 10 problem\(s\): custodian\.csv "
                       r"row 2, field symbol: A1 has AAPL twice") as err:
        read_custodian(path)
    assert "nothing was compared" in err.value.hint


def test_a_bad_header_or_an_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="missing required column"):
        read_custodian(write(tmp_path, "as_of,account_id,symbol\n2021-01-05,A1,X\n"))
    with pytest.raises(DataError, match="no positions and no cash lines"):
        read_custodian(write(tmp_path, "as_of,account_id,type\n"))
