"""Reporting periods from the words people use: ``2020Q1``, ``2020-03``, ``2020``, ``YTD``,
``QTD``, ``MTD`` or ``2020-01-15..2020-02-20``."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from ballast.domain import DataError

_FORMS = ('"2020Q1", "2020-03", "2020", "YTD", "QTD", "MTD" or '
          '"2020-01-15..2020-02-20"')


class PeriodError(DataError):
    """A period that cannot be read or is empty."""

    hint = f"Give a period as {_FORMS}."


class NoPerformanceData(DataError):
    """The scope has nothing to measure in the period (no holdings, no prices)."""

    hint = ("Pick a period with prices and holdings (`ballast positions --as-of DATE` shows what "
            "was held), or import the missing prices.")


@dataclass(frozen=True, slots=True)
class Period:
    """From the start of ``start`` to the close of ``end``, both inclusive."""

    start: date
    end: date
    label: str

    @property
    def days(self) -> int:
        """Calendar days in the period."""
        return (self.end - self.start).days + 1


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _to_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"period: {text!r} is not a date (YYYY-MM-DD)", field="period") from None


def period_between(start: date, end: date, label: str = "") -> Period:
    """The period from ``start`` to ``end``; PeriodError when it ends before it starts."""
    if end < start:
        raise PeriodError(f"period: ends on {end}, before it starts on {start}", field="period")
    return Period(start, end, label or f"{start}..{end}")


def parse_period(text: str, *, today: date) -> Period:
    """Read a period; ``YTD``, ``QTD`` and ``MTD`` run to ``today``."""
    word = text.strip().upper()
    if word in ("YTD", "QTD", "MTD"):
        month = {"YTD": 1, "QTD": 3 * ((today.month - 1) // 3) + 1, "MTD": today.month}[word]
        return Period(date(today.year, month, 1), today, word)
    if m := re.fullmatch(r"(\d{4})Q([1-4])", word):
        year, q = int(m[1]), int(m[2])
        return Period(date(year, 3 * q - 2, 1), _month_end(year, 3 * q), word)
    if m := re.fullmatch(r"(\d{4})-(\d{2})", word):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise PeriodError(f"period: month {month} of {text!r} is not 01–12", field="period")
        return Period(date(year, month, 1), _month_end(year, month), word)
    if re.fullmatch(r"\d{4}", word):
        return Period(date(int(word), 1, 1), date(int(word), 12, 31), word)
    if ".." in word:
        first, _, last = word.partition("..")
        return period_between(_to_date(first.strip()), _to_date(last.strip()), text.strip())
    raise PeriodError(f"period: cannot read {text!r}; expected {_FORMS}", field="period")
