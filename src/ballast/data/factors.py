"""Kenneth R. French Data Library factor files (``F-F_Research_Data_Factors_daily.CSV`` and
friends): a text header, a column header line, data rows in percent, then footer text or an
annual block.

Only the first block of data rows is read: rows matching ``^\\s*\\d{6,8},``, dated ``yyyymmdd``
(daily) or ``yyyymm`` (monthly, dated at the month's end). Values are divided by 100; the
library's missing-value markers -99.99 and -999 become NaN. The first line that is not a data
row after the block has started ends it (the blank line before an annual block or the copyright).

:func:`read_factor_file` also reads plain CSVs: a ``date,<factor>,...`` header, ISO dates and
decimal returns.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ballast.domain import DataError

_ROW = re.compile(r"^\s*(\d{6,8}),")
_MISSING = (-99.99, -999.0)


@dataclass(frozen=True, slots=True)
class FactorTable:
    """Factor returns as decimal fractions: ``values[t, k]`` is factor ``names[k]`` on
    ``dates[t]`` (datetime64[D], increasing)."""

    dates: npt.NDArray[np.datetime64]
    names: tuple[str, ...]
    values: npt.NDArray[np.float64]

    def column(self, name: str) -> npt.NDArray[np.float64]:
        """The series of one factor (e.g. ``"Mkt-RF"``); raises KeyError for an unknown name."""
        if name not in self.names:
            raise KeyError(f"no factor {name!r}; the file has {list(self.names)}")
        return self.values[:, self.names.index(name)]


def _day(stamp: str, where: str) -> np.datetime64:
    year, month = int(stamp[:4]), int(stamp[4:6])
    try:
        if len(stamp) == 8:
            return np.datetime64(date(year, month, int(stamp[6:])), "D")
        start = np.datetime64(date(year, month, 1), "M")
    except ValueError:
        raise DataError(f"{where}: invalid date {stamp}", field="date") from None
    month_end: np.datetime64 = (start + 1).astype("datetime64[D]") - 1
    return month_end


def parse_french_factors(path: Path) -> FactorTable:
    """Read the first block of a French factor CSV; DataError names the file and line."""
    names: tuple[str, ...] = ()
    last_text = ""
    width = 0
    days: list[np.datetime64] = []
    rows: list[list[float]] = []
    for lineno, line in enumerate(path.read_text(encoding="latin-1").splitlines(), start=1):
        where = f"{path.name} line {lineno}"
        match = _ROW.match(line)
        if match is None:
            if rows:
                break
            last_text = line.strip() or last_text
            continue
        if not rows:
            if "," not in last_text:
                raise DataError(f"{where}: no column header before the first data row")
            names = tuple(cell.strip() for cell in last_text.split(",")[1:])
        stamp = match.group(1)
        cells = line.split(",")[1:]
        if len(stamp) == 7 or len(cells) != len(names):
            raise DataError(f"{where}: expected a yyyymm or yyyymmdd date and {len(names)} "
                            f"values, got {line.strip()!r}")
        width = width or len(stamp)
        if len(stamp) != width:
            raise DataError(f"{where}: date {stamp} is not yyyy{'mmdd' if width == 8 else 'mm'} "
                            "like the rows above", field="date")
        try:
            values = [float(cell) for cell in cells]
        except ValueError:
            raise DataError(f"{where}: a value is not a number: {line.strip()!r}") from None
        day = _day(stamp, where)
        if days and day <= days[-1]:
            raise DataError(f"{where}: date {stamp} is not after the row above", field="date")
        days.append(day)
        rows.append(values)
    if not rows:
        raise DataError(f"{path.name}: no data rows (lines starting with a yyyymm[dd] date)")
    table = np.array(rows, dtype=np.float64)
    table[np.isin(table, _MISSING)] = np.nan
    return FactorTable(np.array(days, dtype="datetime64[D]"), names, table / 100.0)


def read_factor_file(path: Path) -> FactorTable:
    """A plain factor CSV (first line ``date,<factor>,...``) or else a French one; DataError
    names the file and the line of any problem."""
    try:
        with path.open(encoding="latin-1", newline="") as f:
            rows = list(csv.reader(f))
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror}") from None
    if not rows or not rows[0] or rows[0][0].strip().lower() != "date":
        return parse_french_factors(path)
    names = tuple(cell.strip() for cell in rows[0][1:])
    days: list[np.datetime64] = []
    values: list[list[float]] = []
    for lineno, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"{path.name} line {lineno}"
        try:
            day = np.datetime64(date.fromisoformat(row[0].strip()), "D")
            cells = [float(c) if c.strip() else np.nan for c in row[1:]]
        except ValueError:
            raise DataError(f"{where}: expected a YYYY-MM-DD date and numbers, got "
                            f"{','.join(row)!r}") from None
        if len(cells) != len(names):
            raise DataError(f"{where}: {len(cells)} values for the {len(names)} factors")
        if days and day <= days[-1]:
            raise DataError(f"{where}: date {row[0].strip()} is not after the row above",
                            field="date")
        days.append(day)
        values.append(cells)
    if not values:
        raise DataError(f"{path.name}: no data rows below the header")
    return FactorTable(np.array(days, dtype="datetime64[D]"), names,
                       np.array(values, dtype=np.float64))
