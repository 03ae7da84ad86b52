"""Daily market history for a backtest: raw closes, cash dividends and splits by ex-date.

Columns are instruments, rows sessions (the dates the file has, increasing). A close is NaN
where the instrument has none (not yet listed): an account that holds or would buy it is
skipped by the rebalancer that day. The simulation reads row t on day t and nothing after it.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

import numpy as np

from ballast.domain import DataError
from ballast.ledger.snapshot import FloatArray

_COLUMNS = ("date", "symbol", "close", "dividend", "split_factor")


@dataclass(frozen=True)
class PriceHistory:
    """``close``, ``dividend`` (cash per unit, ex-date) and ``split`` (new units per old unit on
    the ex-date, 1 otherwise), each [T sessions, M instruments]."""

    dates: tuple[date, ...]
    symbols: tuple[str, ...]
    close: FloatArray
    dividend: FloatArray
    split: FloatArray

    def __post_init__(self) -> None:
        shape = (len(self.dates), len(self.symbols))
        for name in ("close", "dividend", "split"):
            if getattr(self, name).shape != shape:
                raise DataError(f"prices: {name} has shape {getattr(self, name).shape}, "
                                f"expected {shape}", field=name)
        if any(b <= a for a, b in zip(self.dates, self.dates[1:], strict=False)):
            raise DataError("prices: dates are not strictly increasing", field="date")

    def window(self, start: date | None, end: date | None,
               symbols: Sequence[str] | None = None) -> PriceHistory:
        """The sessions from ``start`` to ``end`` (inclusive) of ``symbols`` (default: all)."""
        days = np.array(self.dates, dtype="datetime64[D]")
        lo = 0 if start is None else int(np.searchsorted(days, np.datetime64(start, "D")))
        hi = len(days) if end is None else int(
            np.searchsorted(days, np.datetime64(end, "D"), side="right"))
        if hi - lo < 2:
            raise DataError(f"prices: fewer than two sessions between {start} and {end}",
                            field="date", hint="Widen the spec's start and end dates.")
        cols = list(range(len(self.symbols)))
        if symbols is not None:
            missing = sorted(set(symbols) - set(self.symbols))
            if missing:
                raise DataError(f"prices: no history for {', '.join(missing)}", field="symbol",
                                hint="Use instruments the price file has.")
            cols = [self.symbols.index(s) for s in symbols]
        return PriceHistory(self.dates[lo:hi], tuple(self.symbols[c] for c in cols),
                            self.close[lo:hi][:, cols], self.dividend[lo:hi][:, cols],
                            self.split[lo:hi][:, cols])

    def total_return(self) -> FloatArray:
        """[T, M] daily total returns (dividends reinvested, splits neutral); row 0 is 0."""
        c = self.close
        r = np.zeros_like(c)
        with np.errstate(invalid="ignore", divide="ignore"):
            r[1:] = self.split[1:] * (c[1:] + self.dividend[1:]) / c[:-1] - 1.0
        return np.nan_to_num(r)


Row = tuple[str, str, float, float, float]  # date, symbol, close, dividend, split


def _history(rows: list[Row], where: str) -> PriceHistory:
    """Long rows to the [T, M] arrays (a missing close is NaN; no event is 0 and 1)."""
    dates = sorted({r[0] for r in rows})
    symbols = sorted({r[1] for r in rows})
    t_of = {d: k for k, d in enumerate(dates)}
    m_of = {s: k for k, s in enumerate(symbols)}
    shape = (len(dates), len(symbols))
    close, dividend, split = np.full(shape, np.nan), np.zeros(shape), np.ones(shape)
    seen = np.zeros(shape, dtype=bool)
    for d, s, c, dv, sp in rows:
        t, m = t_of[d], m_of[s]
        if seen[t, m]:
            raise DataError(f"{where}: {s} on {d} appears twice", field="date")
        if not c > 0 or not sp > 0 or not dv >= 0:
            raise DataError(f"{where}: {s} on {d}: close and split must be positive and a "
                            "dividend not negative", field="close")
        seen[t, m] = True
        close[t, m], dividend[t, m], split[t, m] = c, dv, sp
    try:
        days = tuple(date.fromisoformat(d) for d in dates)
    except ValueError as exc:
        raise DataError(f"{where}: {exc}", field="date") from None
    return PriceHistory(days, tuple(symbols), close, dividend, split)


def _rows(reader: csv.DictReader[str], names: tuple[str, str, str, str, str], symbol: str | None,
          where: str) -> list[Row]:
    missing = [c for c in names if c and c not in (reader.fieldnames or ())]
    if missing:
        raise DataError(f"{where}: missing columns {', '.join(missing)}", field="prices",
                        hint="Columns: " + ",".join(_COLUMNS))
    d, s, c, dv, sp = names
    try:
        return [(r[d], symbol or r[s], float(r[c]), float(r[dv] or 0), float(r[sp] or 1))
                for r in reader]
    except ValueError as exc:
        raise DataError(f"{where}: {exc}", field="prices") from None


def load_prices(path: Path) -> PriceHistory:
    """A price file of columns ``date,symbol,close,dividend,split_factor`` (gzip or plain)."""
    try:
        with (gzip.open(path, "rt", newline="") if path.suffix == ".gz"
              else path.open(newline="")) as f:
            return _history(_rows(csv.DictReader(f), _COLUMNS, None, str(path)), str(path))
    except OSError as exc:
        raise DataError(f"{path}: cannot read prices: {exc}", field="prices") from None


def sample_prices() -> PriceHistory:
    """The shipped demo prices (see ballast/sample/SOURCE.md)."""
    with resources.as_file(resources.files("ballast.sample") / "prices.csv.gz") as p:
        return load_prices(p)


def load_daily_adjusted(folder: Path, symbols: Sequence[str]) -> PriceHistory:
    """``<SYMBOL>.csv`` files with ``timestamp,close,dividend_amount,split_coefficient``
    (raw closes, events on the ex-date; the Pooksoft S&P 500 daily data set's columns)."""
    rows: list[Row] = []
    for s in symbols:
        f = folder / f"{s}.csv"
        if not f.exists():
            raise DataError(f"{f}: no such price file", field="symbol")
        with f.open(newline="") as fh:
            rows += _rows(csv.DictReader(fh), ("timestamp", "", "close", "dividend_amount",
                                               "split_coefficient"), s, str(f))
    return _history(rows, str(folder))
