"""The Kenneth French factor parser (ballast.data.factors) on the real files and on broken
ones, and a regression of SPY on the market factor."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ballast.analytics import factor_exposures, returns_from_prices
from ballast.data.factors import parse_french_factors
from ballast.domain import DataError

from .shared import lean_closes, shared_file


def test_daily_research_factors() -> None:
    table = parse_french_factors(shared_file("famafrench_daily",
                                             "F-F_Research_Data_Factors_daily.CSV"))
    assert len(table.dates) == table.values.shape[0] == 25_817
    assert table.names == ("Mkt-RF", "SMB", "HML", "RF")
    assert table.dates[0] == np.datetime64("1926-07-01")
    assert table.dates[-1] == np.datetime64("2024-08-30")
    np.testing.assert_allclose(table.values[0], [0.0010, -0.0025, -0.0027, 0.00009])
    np.testing.assert_allclose(table.column("RF")[-1], 0.00022)
    assert (np.diff(table.dates) > np.timedelta64(0, "D")).all()
    with pytest.raises(KeyError, match="no factor 'MOM'"):
        table.column("MOM")


def test_monthly_factors_stop_before_the_annual_block() -> None:
    table = parse_french_factors(shared_file("famafrench_daily", "F-F_Research_Data_Factors.CSV"))
    assert table.dates[0] == np.datetime64("1926-07-31")
    assert table.dates[-1] == np.datetime64("2024-08-31")
    assert np.datetime64("1927-02-28") in table.dates  # month end, not the first of the month
    assert len(table.dates) == (2024 - 1926) * 12 + 2  # 1926-07 .. 2024-08, no annual rows
    np.testing.assert_allclose(table.column("Mkt-RF")[:2], [0.0296, 0.0264])


HEADER = "Some text header\nmore text\n\n,A,B\n"


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "factors.CSV"
    path.write_text(HEADER + body + "\n Copyright text\n", encoding="ascii")
    return path


def test_missing_value_markers_become_nan(tmp_path: Path) -> None:
    table = parse_french_factors(_write(tmp_path, "20200102, 1.00, -99.99\n"
                                                  "20200103, -999, 0.50\n"))
    np.testing.assert_array_equal(np.isnan(table.values), [[False, True], [True, False]])
    assert table.values[1, 1] == 0.005


@pytest.mark.parametrize(("body", "message"), [
    ("20200102, 1.0\n", "factors.CSV line 5: expected a yyyymm or yyyymmdd date and 2 values"),
    ("20200102, 1.0, x\n", "factors.CSV line 5: a value is not a number"),
    ("20200102, 1.0, 2.0\n20200102, 1.0, 2.0\n", "line 6: date 20200102 is not after"),
    ("20200230, 1.0, 2.0\n", "line 5: invalid date 20200230"),
    ("202013, 1.0, 2.0\n", "line 5: invalid date 202013"),
    ("20200102, 1.0, 2.0\n202002, 1.0, 2.0\n", "line 6: date 202002 is not yyyymmdd"),
    ("no rows at all\n", "factors.CSV: no data rows"),
])
def test_broken_files_name_file_and_line(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(DataError) as err:
        parse_french_factors(_write(tmp_path, body))
    assert message in str(err.value)


def test_data_row_without_a_header_line(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("text only\n19260701, 0.1\n", encoding="ascii")
    with pytest.raises(DataError, match=r"f\.csv line 2: no column header"):
        parse_french_factors(path)


def test_spy_on_the_market_factor_2010_2020() -> None:
    splits = pd.read_csv(shared_file("lean_equity_fx", "factor_files", "spy.csv"), header=None)
    assert (splits[2] == 1).all()  # SPY never split: raw closes are comparable day to day
    days, closes = lean_closes("spy")
    keep = (days >= np.datetime64("2009-12-31")) & (days <= np.datetime64("2020-12-31"))
    days, closes = days[keep], closes[keep]
    spy = returns_from_prices(closes[:, None])[:, 0]
    ff = parse_french_factors(shared_file("famafrench_daily",
                                          "F-F_Research_Data_Factors_daily.CSV"))
    in_ff = np.isin(ff.dates, days[1:])
    assert np.array_equal(ff.dates[in_ff], days[1:])  # the same sessions, one for one
    excess = spy - ff.column("RF")[in_ff]
    fit = factor_exposures(excess[:, None], ff.column("Mkt-RF")[in_ff][:, None])
    assert 0.95 <= fit.betas[0, 0] <= 1.05
    assert fit.r_squared[0] > 0.95
