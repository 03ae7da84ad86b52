"""Factor returns from a file, aligned point in time with a window of daily returns.

Only the file's rows dated on or before the as-of date are read, and a factor row is matched to
the asset return of the same date (both run from the previous session's close to that day's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ballast.analytics import FloatArray
from ballast.data.calendar import DayArray, to_date
from ballast.data.factors import read_factor_file
from ballast.domain import DataError

MIN_COVERAGE = 0.95  # share of the window's return dates the factor file must have
RISK_FREE = "RF"  # a French file's risk-free rate: not a factor unless asked for


@dataclass(frozen=True, slots=True, eq=False)
class Factors:
    """Returns ``values`` [T', K] of the factors ``names`` on the window's return rows ``rows``
    [T'] (indices into its returns), from ``path``; ``missing`` says which return dates the
    file lacks (empty when it has them all)."""

    path: Path
    names: tuple[str, ...]
    rows: npt.NDArray[np.intp]
    values: FloatArray
    missing: str

    def described(self) -> str:
        """One line for a report: the factors, the file and the dates used."""
        said = (f"factors: {', '.join(self.names)} from {self.path.name}, "
                f"{len(self.rows)} dates")
        return said + (f" (the file lacks {self.missing})" if self.missing else "")


def load_factors(path: Path, dates: DayArray, as_of: date,
                 columns: Sequence[str] | None = None) -> Factors:
    """The factor returns of ``path`` on the return ``dates`` of a window ending ``as_of``:
    ``columns`` (default every column but RF). DataError names the file and the dates it
    lacks when it has fewer than 95% of them."""
    table = read_factor_file(path)
    names = tuple(columns) if columns is not None else tuple(
        n for n in table.names if n != RISK_FREE)
    unknown = [n for n in names if n not in table.names]
    if unknown or not names:
        raise DataError(f"{path}: no factor {', '.join(unknown) or 'besides RF'}; the file has "
                        f"{', '.join(table.names)}", field="factors.columns")
    keep = table.dates <= np.datetime64(as_of, "D")
    values = np.column_stack([table.column(n)[keep] for n in names])
    complete = ~np.isnan(values).any(axis=1)
    days, values = table.dates[keep][complete], values[complete]
    present = np.isin(dates, days)
    gaps = _runs(dates, ~present)
    if present.sum() < max(MIN_COVERAGE * len(dates), len(names) + 2):
        held = (f"its rows up to {as_of} run {to_date(days[0])}..{to_date(days[-1])}"
                if len(days) else f"it has no rows on or before {as_of}")
        raise DataError(f"{path}: no factor returns on {gaps} (the window's return dates "
                        f"run {to_date(dates[0])}..{to_date(dates[-1])}); {held}",
                        hint="Give a factor file that covers the window, or move the as-of "
                        "date or the lookback.", field="factors.file")
    rows = np.flatnonzero(present)
    return Factors(path, names, rows, values[np.searchsorted(days, dates[rows])],
                   gaps if (~present).any() else "")


def _runs(dates: DayArray, missing: npt.NDArray[np.bool_]) -> str:
    """``3 of the 756 return dates: 2021-01-04..2021-01-06`` (at most three runs listed)."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], missing.astype(np.int8), [0]))))
    runs = [(to_date(dates[a]), to_date(dates[b - 1])) for a, b in zip(
        edges[::2], edges[1::2], strict=True)]
    shown = [f"{a}" if a == b else f"{a}..{b}" for a, b in runs[:3]]
    more = f" and {len(runs) - 3} more runs" if len(runs) > 3 else ""
    return (f"{int(missing.sum())} of the {len(dates)} return dates: "
            f"{', '.join(shown)}{more}")
