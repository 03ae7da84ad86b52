"""Prices and FX rates (and their domain types) round-trip on both backends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ballast.domain import DataError, InstrumentId
from ballast.domain.market import FxRate, PriceBar
from ballast.store import Store

AAPL, SPY = InstrumentId("AAPL"), InstrumentId("SPY")


def test_price_bar_and_fx_rate_validate() -> None:
    with pytest.raises(DataError, match="close must be positive"):
        PriceBar(AAPL, date(2021, 1, 4), Decimal(0))
    with pytest.raises(DataError, match="dividend"):
        PriceBar(AAPL, date(2021, 1, 4), Decimal(1), dividend=Decimal("-0.1"))
    with pytest.raises(DataError, match="split factor"):
        PriceBar(AAPL, date(2021, 1, 4), Decimal(1), split_factor=Decimal(0))
    with pytest.raises(DataError, match="finite"):
        PriceBar(AAPL, date(2021, 1, 4), Decimal("NaN"))
    with pytest.raises(DataError, match="finite"):
        PriceBar(AAPL, date(2021, 1, 4), 1.5)  # type: ignore[arg-type]
    with pytest.raises(DataError, match="must differ"):
        FxRate("USD", "USD", date(2021, 1, 4), Decimal(1))
    with pytest.raises(DataError, match="unknown currency"):
        FxRate("USD", "XXZ", date(2021, 1, 4), Decimal(1))
    with pytest.raises(DataError, match="positive"):
        FxRate("EUR", "USD", date(2021, 1, 4), Decimal("-1.2"))


BARS = [
    PriceBar(AAPL, date(2020, 8, 28), Decimal("499.23"), source="vendor"),
    PriceBar(AAPL, date(2020, 8, 31), Decimal("129.04"), split_factor=Decimal(4)),
    PriceBar(AAPL, date(2020, 11, 6), Decimal("118.69"), dividend=Decimal("0.205")),
    PriceBar(SPY, date(2020, 8, 31), Decimal("349.309999999999999999")),
]


def test_prices_round_trip_exactly(book: Store) -> None:
    with book.transaction() as tx:
        assert tx.last_price_date() is None
        assert tx.add_prices(BARS) == 4
    with book.transaction() as tx:
        assert tx.last_price_date() == date(2020, 11, 6)
        assert tx.price_keys() == {(b.instrument_id, b.date) for b in BARS}
        assert tx.price_bars() == sorted(BARS, key=lambda b: (b.instrument_id, b.date))
        assert tx.price_bars([SPY]) == [BARS[3]]
        assert tx.price_bars(start=date(2020, 8, 31), end=date(2020, 8, 31)) == [
            BARS[1], BARS[3]]
        assert tx.price_bars(["AAPL"], start=date(2020, 8, 29), end=date(2020, 12, 31)) == [
            BARS[1], BARS[2]]
        assert tx.price_bars(["NOPE"]) == []


def test_a_corrected_price_replaces_the_old_one(book: Store) -> None:
    corrected = PriceBar(AAPL, date(2020, 8, 28), Decimal("499.24"), source="fix")
    with book.transaction() as tx:
        tx.add_prices(BARS)
    with book.transaction() as tx:
        tx.add_prices([corrected])
    with book.transaction() as tx:
        assert tx.price_bars(["AAPL"])[0] == corrected
        assert len(tx.price_bars()) == 4


def test_a_price_of_an_unknown_instrument_is_refused(book: Store) -> None:
    with pytest.raises(DataError, match="prices"), book.transaction() as tx:
        tx.add_prices([PriceBar(InstrumentId("NOPE"), date(2020, 1, 2), Decimal(1))])


def test_fx_rates_round_trip_and_upsert(store: Store) -> None:
    rates = [
        FxRate("EUR", "USD", date(2021, 1, 4), Decimal("1.2296")),
        FxRate("GBP", "USD", date(2021, 1, 4), Decimal("1.36470000000000001")),
        FxRate("EUR", "USD", date(2021, 1, 5), Decimal("1.2254")),
    ]
    with store.transaction() as tx:
        assert tx.add_fx_rates(rates) == 3
        tx.add_fx_rates([FxRate("EUR", "USD", date(2021, 1, 5), Decimal("1.2255"))])
    with store.transaction() as tx:
        assert tx.fx_rates() == [rates[0], FxRate("EUR", "USD", date(2021, 1, 5),
                                                  Decimal("1.2255")), rates[1]]
        assert tx.fx_rates(start=date(2021, 1, 5)) == [tx.fx_rates()[1]]
        assert tx.fx_rates(end=date(2021, 1, 4)) == [rates[0], rates[1]]
        assert tx.fx_keys() == {(r.base, r.quote, r.date) for r in rates}


def test_closes_as_of_never_look_ahead(book: Store) -> None:
    with book.transaction() as tx:
        tx.add_prices(BARS)
    with book.transaction() as tx:
        assert tx.closes_as_of(date(2020, 8, 30)) == [BARS[0]]
        assert tx.closes_as_of(date(2020, 9, 30)) == [BARS[1], BARS[3]]
        assert tx.closes_as_of(date(2021, 1, 1), [SPY]) == [BARS[3]]
        assert tx.closes_as_of(date(2020, 1, 1)) == []
