"""Point-in-time market data: prices and FX rates as of a date, never after it.

:class:`PriceTable` keeps closes in numpy arrays sorted by (instrument, date) for fast math and
the exact Decimal closes of record beside them. :class:`FxTable` answers FX rates through the
stored pair, its inverse, or a cross through USD.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from ballast.data.calendar import DayArray, TradingCalendar, to_date, to_day
from ballast.domain import DataError, InstrumentId
from ballast.domain.market import FxRate, PriceBar

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
_NAT = np.datetime64("NaT", "D")
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


class PriceTable:
    """Daily closes of many instruments, sorted by instrument then date.

    Point in time: every lookup takes ``as_of`` and returns the latest bar on or before it.
    A later bar for the same instrument and date replaces an earlier one.
    """

    __slots__ = ("_close", "_codes", "_days", "_decimal", "_dividend", "_keys", "_split",
                 "_start", "instruments")

    def __init__(self, bars: Iterable[PriceBar]) -> None:
        items = list(bars)
        self.instruments: tuple[InstrumentId, ...] = tuple(sorted({b.instrument_id
                                                                   for b in items}))
        self._codes = {iid: i for i, iid in enumerate(self.instruments)}
        n = len(items)
        codes = np.fromiter((self._codes[b.instrument_id] for b in items), np.int64, n)
        ordinals = np.fromiter((b.date.toordinal() for b in items), np.int64, n)
        days = ordinals - _EPOCH_ORDINAL
        keys = (codes << 32) + days  # sorts by instrument, then day
        order = np.argsort(keys, kind="stable")
        # Of bars with the same instrument and date, the one given last wins.
        last = np.ones(n, dtype=bool)
        last[:-1] = keys[order][1:] != keys[order][:-1]
        order = order[last]
        self._keys = keys[order]
        self._days: DayArray = days[order].astype("datetime64[D]")
        self._close: FloatArray = np.fromiter((float(items[i].close) for i in order), np.float64)
        self._dividend: FloatArray = np.fromiter((float(items[i].dividend) for i in order),
                                                 np.float64)
        self._split: FloatArray = np.fromiter((float(items[i].split_factor) for i in order),
                                              np.float64)
        self._decimal: tuple[Decimal, ...] = tuple(items[i].close for i in order)
        self._start = np.searchsorted(codes[order], np.arange(len(self.instruments) + 1))
        for arr in (self._days, self._close, self._dividend, self._split, self._keys):
            arr.setflags(write=False)

    def __len__(self) -> int:
        return len(self._decimal)

    def _position(self, instrument_id: str, as_of: date) -> int:
        code = self._codes.get(InstrumentId(instrument_id))
        if code is None:
            return -1
        key = (code << 32) + int(to_day(as_of).astype(np.int64))
        i = int(np.searchsorted(self._keys, key, side="right")) - 1
        return i if i >= self._start[code] else -1

    def close(self, instrument_id: str, as_of: date) -> tuple[date, float] | None:
        """(date, close) of the latest bar on or before ``as_of``, or None."""
        i = self._position(instrument_id, as_of)
        return None if i < 0 else (to_date(self._days[i]), float(self._close[i]))

    def close_of_record(self, instrument_id: str, as_of: date) -> tuple[date, Decimal] | None:
        """(date, exact Decimal close) of the latest bar on or before ``as_of``, or None."""
        i = self._position(instrument_id, as_of)
        return None if i < 0 else (to_date(self._days[i]), self._decimal[i])

    def closes(self, instrument_ids: Sequence[str], as_of: date) -> tuple[FloatArray, DayArray]:
        """Latest closes on or before ``as_of`` for many instruments at once.

        Returns (closes, dates) aligned with ``instrument_ids``: NaN / NaT where there is none.
        """
        n = len(instrument_ids)
        codes = np.fromiter((self._codes.get(InstrumentId(i), -1) for i in instrument_ids),
                            np.int64, n)
        known = codes >= 0
        safe = np.where(known, codes, 0)
        keys = (safe << 32) + int(to_day(as_of).astype(np.int64))
        pos = np.searchsorted(self._keys, keys, side="right") - 1
        found = known & (pos >= self._start[safe]) if len(self) else np.zeros(n, dtype=bool)
        values = np.full(n, np.nan)
        dates = np.full(n, _NAT)
        values[found] = self._close[pos[found]]
        dates[found] = self._days[pos[found]]
        return values, dates

    def stale(self, instrument_ids: Sequence[str], as_of: date, max_sessions: int,
              calendar: TradingCalendar) -> BoolArray:
        """True where the latest close on or before ``as_of`` is missing or more than
        ``max_sessions`` sessions of ``calendar`` older than ``as_of``."""
        _, dates = self.closes(instrument_ids, as_of)
        present = ~np.isnat(dates)
        lag = np.full(len(dates), np.iinfo(np.int64).max)
        now = calendar.count_through(np.array([to_day(as_of)]))[0]
        lag[present] = now - calendar.count_through(dates[present])
        return lag > max_sessions

    def adjusted_closes(self, instrument_id: str, start: date,
                        end: date) -> tuple[DayArray, FloatArray]:
        """Total-return closes from ``start`` to ``end``, back-adjusted to ``end``'s units.

        Each split and dividend in (day, end] scales earlier closes so that the series' daily
        ratios equal the total return (dividends reinvested at the ex-date close). Only bars up to
        ``end`` are used, so the series never looks ahead of ``end``.
        """
        code = self._codes.get(InstrumentId(instrument_id))
        if code is None:
            raise DataError(f"no prices for {instrument_id}")
        lo, hi = int(self._start[code]), int(self._start[code + 1])
        days = self._days[lo:hi]
        a = lo + int(np.searchsorted(days, to_day(start), side="left"))
        b = lo + int(np.searchsorted(days, to_day(end), side="right"))
        close = self._close[a:b]
        # factor[t] = close_t / ((close_t + dividend_t) * split_t) applies to every day before t.
        factor = close / ((close + self._dividend[a:b]) * self._split[a:b])
        later = np.ones_like(close)
        if len(close) > 1:
            later[:-1] = np.cumprod(factor[::-1])[::-1][1:]
        return self._days[a:b].copy(), close * later


class FxTable:
    """FX rates by (base, quote): 1 base = rate quote, as of a date, never after it."""

    __slots__ = ("_pairs",)

    def __init__(self, rates: Iterable[FxRate]) -> None:
        grouped: dict[tuple[str, str], dict[date, Decimal]] = {}
        for r in rates:
            grouped.setdefault((r.base, r.quote), {})[r.date] = r.rate
        self._pairs: dict[tuple[str, str], tuple[DayArray, tuple[Decimal, ...]]] = {}
        for pair, by_day in grouped.items():
            days = sorted(by_day)
            self._pairs[pair] = (np.array(days, dtype="datetime64[D]"),
                                 tuple(by_day[d] for d in days))

    def _direct(self, base: str, quote: str, day: np.datetime64) -> Decimal | None:
        found = self._pairs.get((base, quote))
        if found is not None:
            i = int(np.searchsorted(found[0], day, side="right")) - 1
            if i >= 0:
                return found[1][i]
        found = self._pairs.get((quote, base))
        if found is not None:
            i = int(np.searchsorted(found[0], day, side="right")) - 1
            if i >= 0:
                return 1 / found[1][i]
        return None

    def rate(self, base: str, quote: str, as_of: date) -> Decimal:
        """Units of ``quote`` per unit of ``base`` from the latest rates on or before ``as_of``.

        Uses the stored pair, else its inverse, else a cross through USD; 1 for the same
        currency. Raises DataError naming the pair and date when none of these exists.
        """
        if base == quote:
            return Decimal(1)
        day = to_day(as_of)
        direct = self._direct(base, quote, day)
        if direct is not None:
            return direct
        if "USD" not in (base, quote):
            to_usd = self._direct(base, "USD", day)
            from_usd = self._direct("USD", quote, day)
            if to_usd is not None and from_usd is not None:
                return to_usd * from_usd
        raise DataError(f"no FX rate for {base}/{quote} on or before {as_of}",
                        hint=f"Import an fx file with {base}/{quote} (or both against USD).")
