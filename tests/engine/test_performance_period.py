"""Reporting periods read from words, and the errors for words that are not periods."""

from __future__ import annotations

from datetime import date

import pytest

from ballast.engine.period import PeriodError, parse_period

TODAY = date(2021, 3, 17)


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2020Q1", date(2020, 1, 1), date(2020, 3, 31)),
    ("2020q4", date(2020, 10, 1), date(2020, 12, 31)),
    ("2020-02", date(2020, 2, 1), date(2020, 2, 29)),
    ("2019", date(2019, 1, 1), date(2019, 12, 31)),
    ("YTD", date(2021, 1, 1), TODAY),
    ("qtd", date(2021, 1, 1), TODAY),
    ("MTD", date(2021, 3, 1), TODAY),
    ("2020-01-15..2020-02-20", date(2020, 1, 15), date(2020, 2, 20)),
])
def test_periods(text: str, start: date, end: date) -> None:
    period = parse_period(text, today=TODAY)
    assert (period.start, period.end) == (start, end)
    assert period.days == (end - start).days + 1


@pytest.mark.parametrize(("text", "message"), [
    ("2020Q5", "cannot read '2020Q5'; expected \"2020Q1\""),
    ("2020-13", "month 13 of '2020-13' is not 01–12"),
    ("last year", "cannot read 'last year'"),
    ("2020-02-30..2020-03-01", "'2020-02-30' is not a date"),
    ("2020-03-01..2020-02-01", "ends on 2020-02-01, before it starts on 2020-03-01"),
])
def test_bad_periods_say_what_to_write(text: str, message: str) -> None:
    with pytest.raises(PeriodError, match=message) as err:
        parse_period(text, today=TODAY)
    assert "2020Q1" in err.value.hint and err.value.field == "period"
