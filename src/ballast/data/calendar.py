"""Trading calendars from ``exchange-calendars``: sessions as a sorted numpy array of days.

Building an exchange calendar is slow, so each exchange's sessions are loaded once per process
by :func:`trading_calendar` (an ``lru_cache`` factory); :class:`TradingCalendar` answers every
question with ``searchsorted`` on that array.
"""

from __future__ import annotations

import warnings
from datetime import date, timedelta
from functools import lru_cache

import exchange_calendars as xcals
import numpy as np
import numpy.typing as npt

from ballast.domain import DataError, Instrument

DEFAULT_EXCHANGE = "XNYS"
CALENDAR_START = "1970-01-01"
_EPOCH = date(1970, 1, 1)

DayArray = npt.NDArray[np.datetime64]


def to_day(d: date) -> np.datetime64:
    """A ``datetime.date`` as numpy ``datetime64[D]``."""
    return np.datetime64(d, "D")


def to_date(d: np.datetime64) -> date:
    """A numpy ``datetime64[D]`` as ``datetime.date``."""
    return _EPOCH + timedelta(days=int(d.astype("datetime64[D]").astype(np.int64)))


@lru_cache(maxsize=1)
def known_exchanges() -> frozenset[str]:
    """Names (and aliases) of every exchange calendar available, e.g. XNYS, XLON, NYSE."""
    return frozenset(xcals.get_calendar_names(include_aliases=True))


class TradingCalendar:
    """The sessions of one exchange, from 1970 (or the calendar's first year) to about a year
    ahead."""

    __slots__ = ("exchange", "sessions")

    def __init__(self, exchange: str = DEFAULT_EXCHANGE) -> None:
        if exchange not in known_exchanges():
            raise DataError(f"unknown exchange calendar {exchange!r}",
                            hint="Use an ISO 10383 MIC such as XNYS, XNAS or XLON.")
        self.exchange = exchange
        self.sessions: DayArray = _load_sessions(exchange)

    @property
    def span(self) -> str:
        """The calendar's range as text, for messages."""
        return f"{to_date(self.sessions[0])} to {to_date(self.sessions[-1])}"

    def covers(self, days: DayArray) -> npt.NDArray[np.bool_]:
        """True where a day lies within the calendar's range."""
        inside: npt.NDArray[np.bool_] = (days >= self.sessions[0]) & (days <= self.sessions[-1])
        return inside

    def _bounds(self, d: date) -> np.datetime64:
        day = to_day(d)
        if day < self.sessions[0] or day > self.sessions[-1]:
            raise DataError(f"{d} is outside the {self.exchange} calendar ({self.span})")
        return day

    def is_session(self, d: date) -> bool:
        """True when the exchange trades on ``d``."""
        day = self._bounds(d)
        i = int(np.searchsorted(self.sessions, day))
        return bool(self.sessions[i] == day)

    def are_sessions(self, days: DayArray) -> npt.NDArray[np.bool_]:
        """Vectorized :meth:`is_session` for an array of ``datetime64[D]``."""
        i = np.searchsorted(self.sessions, days)
        inside = i < len(self.sessions)
        out = np.zeros(len(days), dtype=bool)
        out[inside] = self.sessions[i[inside]] == days[inside]
        return out

    def count_through(self, days: DayArray) -> npt.NDArray[np.int64]:
        """For each day, the number of sessions on or before it (a session ordinal)."""
        return np.searchsorted(self.sessions, days, side="right").astype(np.int64)

    def sessions_between(self, start: date, end: date) -> list[date]:
        """Sessions from ``start`` to ``end``, both inclusive."""
        lo, hi = self._slice(start, end)
        return [to_date(s) for s in self.sessions[lo:hi]]

    def sessions_in_range(self, start: date, end: date) -> int:
        """How many sessions fall from ``start`` to ``end``, both inclusive."""
        lo, hi = self._slice(start, end)
        return max(hi - lo, 0)

    def _slice(self, start: date, end: date) -> tuple[int, int]:
        lo = int(np.searchsorted(self.sessions, self._bounds(start), side="left"))
        hi = int(np.searchsorted(self.sessions, self._bounds(end), side="right"))
        return lo, hi

    def session_on_or_before(self, d: date) -> date:
        """``d`` if it is a session, else the last session before it."""
        i = int(np.searchsorted(self.sessions, self._bounds(d), side="right")) - 1
        if i < 0:
            raise DataError(f"no {self.exchange} session on or before {d}")
        return to_date(self.sessions[i])

    def previous_session(self, d: date) -> date:
        """The last session strictly before ``d``."""
        i = int(np.searchsorted(self.sessions, self._bounds(d), side="left")) - 1
        if i < 0:
            raise DataError(f"no {self.exchange} session before {d}")
        return to_date(self.sessions[i])

    def next_session(self, d: date) -> date:
        """The first session strictly after ``d``."""
        i = int(np.searchsorted(self.sessions, self._bounds(d), side="right"))
        if i >= len(self.sessions):
            raise DataError(f"no {self.exchange} session after {d} in the calendar")
        return to_date(self.sessions[i])

    def session_offset(self, d: date, n: int) -> date:
        """The session ``n`` sessions after (n < 0: before) the session on or before ``d``."""
        i = int(np.searchsorted(self.sessions, self._bounds(d), side="right")) - 1 + n
        if i < 0 or i >= len(self.sessions):
            raise DataError(f"{n} sessions from {d} is outside the {self.exchange} calendar")
        return to_date(self.sessions[i])


@lru_cache(maxsize=32)
def _load_sessions(exchange: str) -> DayArray:
    with warnings.catch_warnings():  # exchange-calendars 4.13 trips a pandas 3.1 deprecation
        warnings.filterwarnings("ignore", message="Series.values returning an ndarray")
        try:
            cal = xcals.get_calendar(exchange, start=CALENDAR_START)
        except ValueError:  # the exchange's calendar starts later: take its whole range
            cal = xcals.get_calendar(exchange)
    sessions: DayArray = cal.sessions.to_numpy().astype("datetime64[D]")
    sessions.setflags(write=False)
    return sessions


@lru_cache(maxsize=32)
def trading_calendar(exchange: str = DEFAULT_EXCHANGE) -> TradingCalendar:
    """The (cached) calendar of ``exchange``."""
    return TradingCalendar(exchange)


def calendar_for(instrument: Instrument) -> TradingCalendar:
    """The calendar of the exchange an instrument trades on (XNYS when none is given)."""
    return trading_calendar(instrument.exchange or DEFAULT_EXCHANGE)
