"""Price histories for the math: total-return closes of many instruments on common dates.

Point in time: only bars on or before the as-of date are read, and splits and dividends are
applied back from that date (``PriceTable.adjusted_closes``), so nothing later leaks in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from ballast.analytics import FloatArray
from ballast.data import PriceTable
from ballast.data.calendar import DayArray, calendar_for, to_date
from ballast.domain import DataError, Instrument, InstrumentId
from ballast.store import UnitOfWork

SLACK_SESSIONS = 10  # extra sessions read before a window, for exchanges with other holidays


@dataclass(frozen=True, slots=True, eq=False)
class History:
    """Adjusted closes ``prices`` [T, N] of ``instruments`` on ``dates`` [T] (every date any of
    them has a bar), NaN where an instrument has none."""

    dates: DayArray
    instruments: tuple[str, ...]
    prices: FloatArray

    def window(self, sessions: int) -> History:
        """The last ``sessions + 1`` dates (``sessions`` returns), every instrument priced on
        each; DataError naming each instrument and what it lacks otherwise."""
        if len(self.dates) < sessions + 1:
            span = (f"{len(self.dates)} dates up to {to_date(self.dates[-1])}"
                    if len(self.dates) else "no dates")
            raise DataError(f"prices cover {span}; a lookback of {sessions} sessions needs "
                            f"{sessions + 1}", hint="Import more price history, or shorten "
                            "the lookback.", field="lookback_days")
        dates, prices = self.dates[-sessions - 1:], self.prices[-sessions - 1:]
        start, end = to_date(dates[0]), to_date(dates[-1])
        problems = []
        for j, ident in enumerate(self.instruments):
            missing = np.isnan(prices[:, j])
            if not missing.any():
                continue
            if missing.all():
                problems.append(f"{ident}: no prices from {start} to {end}")
            elif missing[0]:
                first = to_date(dates[int(np.argmin(missing))])
                problems.append(f"{ident}: prices start {first}; the lookback of {sessions} "
                                f"sessions to {end} needs them from {start}")
            else:
                problems.append(f"{ident}: no close on {to_date(dates[int(np.argmax(missing))])}"
                                f" ({int(missing.sum())} of the {len(dates)} dates from "
                                f"{start} to {end} missing)")
        if problems:
            raise DataError("too little price history: " + "; ".join(problems),
                            hint="Import the missing prices, shorten the lookback or move the "
                            "as-of date.", field="prices")
        return History(dates, self.instruments, prices)


def window_start(instruments: Iterable[Instrument], as_of: date, sessions: int) -> date | None:
    """A date early enough for ``sessions`` sessions up to ``as_of`` on every instrument's
    exchange (None when a calendar does not reach back that far: read everything)."""
    try:
        return min(calendar_for(i).session_offset(as_of, -(sessions + SLACK_SESSIONS))
                   for i in instruments)
    except DataError:
        return None


def load_history(tx: UnitOfWork, instruments: Sequence[str], as_of: date,
                 start: date | None = None) -> History:
    """Adjusted closes of ``instruments`` from ``start`` (default: their first bar) to ``as_of``."""
    bars = tx.price_bars(list(dict.fromkeys(instruments)), start=start, end=as_of)
    table = PriceTable(bars)
    dates: DayArray = np.unique(np.array([b.date for b in bars], dtype="datetime64[D]"))
    prices = np.full((len(dates), len(instruments)), np.nan)
    for j, ident in enumerate(instruments):
        if InstrumentId(ident) in table.instruments:
            days, closes = table.adjusted_closes(ident, to_date(dates[0]), as_of)
            prices[np.searchsorted(dates, days), j] = closes
    return History(dates, tuple(instruments), prices)
