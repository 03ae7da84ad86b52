"""Point-in-time prices and FX, and trading calendars."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest

from ballast.data import FxTable, PriceTable, TradingCalendar, calendar_for, trading_calendar
from ballast.domain import DataError, Instrument, InstrumentId, InstrumentKind
from ballast.domain.market import FxRate, PriceBar


def bar(symbol: str, d: date, close: str, dividend: str = "0", split: str = "1") -> PriceBar:
    return PriceBar(InstrumentId(symbol), d, Decimal(close), Decimal(dividend), Decimal(split))


D = date(2021, 1, 4)


def test_close_is_the_latest_on_or_before_as_of() -> None:
    table = PriceTable([bar("A", D + timedelta(days=2), "12"), bar("A", D, "10.1"),
                        bar("B", D + timedelta(days=1), "7")])
    assert table.close("A", D - timedelta(days=1)) is None
    assert table.close("A", D) == (D, 10.1)
    assert table.close("A", D + timedelta(days=1)) == (D, 10.1)
    assert table.close("A", D + timedelta(days=9)) == (D + timedelta(days=2), 12.0)
    assert table.close_of_record("A", D + timedelta(days=1)) == (D, Decimal("10.1"))
    assert table.close("B", D) is None and table.close("Z", D) is None
    assert len(table) == 3 and table.instruments == ("A", "B")
    values, dates = table.closes(["B", "Z", "A"], D + timedelta(days=1))
    assert np.isnan(values[1]) and np.isnat(dates[1])
    assert values[[0, 2]].tolist() == [7.0, 10.1]
    assert dates[0] == np.datetime64("2021-01-05") and dates[2] == np.datetime64("2021-01-04")


def test_a_later_bar_replaces_an_earlier_one_and_old_dates_work() -> None:
    old = date(1962, 1, 2)
    table = PriceTable([bar("A", D, "1"), bar("A", old, "0.5"), bar("A", D, "2")])
    assert len(table) == 2
    assert table.close_of_record("A", D) == (D, Decimal(2))
    assert table.close("A", date(1969, 12, 31)) == (old, 0.5)


def test_never_a_value_after_as_of() -> None:
    rnd = random.Random(7)
    bars = [bar(f"S{i}", D + timedelta(days=rnd.randrange(400)), f"{rnd.randrange(1, 999)}")
            for i in range(50) for _ in range(60)]
    table = PriceTable(bars)
    latest: dict[tuple[str, date], tuple[date, Decimal]] = {}
    for b in bars:
        latest[(b.instrument_id, b.date)] = (b.date, b.close)
    for _ in range(300):
        sym, as_of = f"S{rnd.randrange(50)}", D + timedelta(days=rnd.randrange(-5, 410))
        before = [v for (s, d), v in latest.items() if s == sym and d <= as_of]
        expected = max(before) if before else None
        assert table.close_of_record(sym, as_of) == expected
        values, dates = table.closes([sym], as_of)
        if expected is None:
            assert np.isnan(values[0])
        else:
            assert dates[0] <= np.datetime64(as_of) and values[0] == float(expected[1])


def test_closes_for_a_thousand_instruments_at_once() -> None:
    days = [D + timedelta(days=i) for i in range(60)]
    table = PriceTable([bar(f"S{i}", d, str(10 + i)) for i in range(1000) for d in days])
    values, dates = table.closes([f"S{i}" for i in range(1000)], days[30])
    assert values.tolist() == [float(10 + i) for i in range(1000)]
    assert (dates == np.datetime64(days[30])).all()


def test_stale_flags_in_sessions() -> None:
    xnys = trading_calendar("XNYS")
    table = PriceTable([bar("A", date(2021, 1, 4), "1"), bar("B", date(2021, 1, 8), "1")])
    # 2021-01-04 → 2021-01-12 is 6 sessions; 2021-01-08 → 2021-01-12 is 2.
    flags = table.stale(["A", "B", "C"], date(2021, 1, 12), 5, xnys)
    assert flags.tolist() == [True, False, True]
    assert table.stale(["A"], date(2021, 1, 11), 5, xnys).tolist() == [False]


def test_adjusted_closes_back_adjust_splits_and_dividends() -> None:
    bars = [bar("A", date(2021, 1, 4), "100"), bar("A", date(2021, 1, 5), "102"),
            bar("A", date(2021, 1, 6), "25", split="4"),
            bar("A", date(2021, 1, 7), "24", dividend="1"), bar("A", date(2021, 1, 8), "26")]
    table = PriceTable(bars)
    days, adj = table.adjusted_closes("A", date(2021, 1, 5), date(2021, 1, 7))
    assert days.tolist() == [date(2021, 1, 5), date(2021, 1, 6), date(2021, 1, 7)]
    assert adj[-1] == 24.0  # in the units of the end date; no look-ahead to 01-08
    # total returns: 25*4/102, then (24+1)/25
    assert adj[1] / adj[0] == pytest.approx(100 / 102)
    assert adj[2] / adj[1] == pytest.approx(25 / 25)
    assert adj[0] == pytest.approx(102 / 4 * 24 / 25)
    with pytest.raises(DataError, match="no prices for Z"):
        table.adjusted_closes("Z", D, D)


def fx(base: str, quote: str, d: date, rate: str) -> FxRate:
    return FxRate(base, quote, d, Decimal(rate))


def test_fx_direct_inverse_cross_and_point_in_time() -> None:
    table = FxTable([fx("EUR", "USD", D, "1.25"), fx("EUR", "USD", D + timedelta(days=2), "1.20"),
                     fx("USD", "JPY", D, "100")])
    assert table.rate("EUR", "USD", D + timedelta(days=1)) == Decimal("1.25")
    assert table.rate("EUR", "USD", D + timedelta(days=5)) == Decimal("1.20")
    assert table.rate("USD", "EUR", D) == Decimal("0.8")
    assert table.rate("JPY", "USD", D) == Decimal("0.01")
    assert table.rate("EUR", "JPY", D) == Decimal("125.00")
    assert table.rate("JPY", "EUR", D + timedelta(days=3)) == Decimal(1) / Decimal("120.00")
    assert table.rate("GBP", "GBP", D) == 1
    with pytest.raises(DataError, match=r"no FX rate for EUR/USD on or before 2021-01-03"):
        table.rate("EUR", "USD", D - timedelta(days=1))
    with pytest.raises(DataError, match=r"no FX rate for GBP/JPY on or before 2021-01-04"):
        table.rate("GBP", "JPY", D)


def test_calendar_facts() -> None:
    xnys = TradingCalendar()
    assert xnys.exchange == "XNYS"
    assert not xnys.is_session(date(2020, 11, 26))  # Thanksgiving
    assert xnys.is_session(date(2021, 1, 4))
    assert not xnys.is_session(date(2021, 1, 1))
    assert xnys.previous_session(date(2020, 11, 27)) == date(2020, 11, 25)
    assert xnys.next_session(date(2020, 12, 31)) == date(2021, 1, 4)
    assert xnys.session_on_or_before(date(2021, 1, 3)) == date(2020, 12, 31)
    assert xnys.sessions_between(date(2020, 12, 24), date(2021, 1, 4)) == [
        date(2020, 12, 24), date(2020, 12, 28), date(2020, 12, 29), date(2020, 12, 30),
        date(2020, 12, 31), date(2021, 1, 4)]
    assert xnys.sessions_in_range(date(2020, 1, 1), date(2020, 12, 31)) == 253
    assert xnys.session_offset(date(2021, 1, 2), 1) == date(2021, 1, 4)
    assert xnys.session_offset(date(2021, 1, 4), -2) == date(2020, 12, 30)
    with pytest.raises(DataError, match="outside the XNYS calendar"):
        xnys.is_session(date(1960, 1, 4))
    with pytest.raises(DataError, match="unknown exchange calendar 'NOPE'"):
        TradingCalendar("NOPE")


def test_calendar_by_instrument_is_cached() -> None:
    sap = calendar_for(Instrument(InstrumentId("SAP"), InstrumentKind.EQUITY, "EUR",
                                  exchange="XETR"))
    assert sap.exchange == "XETR" and sap is trading_calendar("XETR")
    assert sap.is_session(date(2021, 1, 4)) and not sap.is_session(date(2020, 12, 24))
    aapl = Instrument(InstrumentId("AAPL"), InstrumentKind.EQUITY, "USD")
    assert calendar_for(aapl).exchange == "XNYS"
