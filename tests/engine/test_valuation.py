"""Snapshots value positions in each account's base currency with point-in-time prices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pytest

from ballast.data import FxTable, PriceTable
from ballast.domain import (
    Account,
    AccountId,
    AccountType,
    FxRate,
    HouseholdId,
    Instrument,
    InstrumentId,
    InstrumentKind,
    OptionRight,
    PriceBar,
)
from ballast.ledger.snapshot import PositionTable, build_snapshot

US, UK = AccountId("US"), AccountId("UK")
AAPL, VOD, CALL = InstrumentId("AAPL"), InstrumentId("VOD"), InstrumentId("AAPL C150")
INSTRUMENTS = {
    AAPL: Instrument(AAPL, InstrumentKind.EQUITY, "USD"),
    VOD: Instrument(VOD, InstrumentKind.EQUITY, "GBP", exchange="XLON"),
    CALL: Instrument(CALL, InstrumentKind.OPTION, "USD", multiplier=Decimal(100),
                     expiry=date(2021, 6, 18), strike=Decimal(150), right=OptionRight.CALL,
                     underlying=AAPL),
}
ACCOUNTS = [
    Account(US, HouseholdId("H"), "US", AccountType.TAXABLE, base_currency="USD"),
    Account(UK, HouseholdId("H"), "UK", AccountType.TAXABLE, base_currency="GBP"),
]
D1, D2 = date(2021, 1, 4), date(2021, 1, 5)
PRICES = PriceTable([
    PriceBar(AAPL, D1, Decimal("129.41")), PriceBar(AAPL, D2, Decimal("131.01")),
    PriceBar(VOD, D1, Decimal("1.2")), PriceBar(CALL, D1, Decimal("2.50")),
])
FX = FxTable([FxRate("GBP", "USD", D1, Decimal("1.25")), FxRate("GBP", "USD", D2, Decimal(2))])


def table(rows: list[tuple[AccountId, InstrumentId, Decimal, Decimal]]) -> PositionTable:
    return PositionTable([r[0] for r in rows], [r[1] for r in rows],
                         np.array([float(r[2]) for r in rows]),
                         np.array([float(r[3]) for r in rows]), [r[2] for r in rows])


def closes(ids: tuple[str, ...] | list[str], as_of: date
           ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.datetime64]]:
    return PRICES.closes(list(ids), as_of)


def test_values_in_base_currency_with_multiplier_and_fx() -> None:
    positions = [(US, AAPL, Decimal(10), Decimal(1000)), (US, VOD, Decimal(100), Decimal(100)),
                 (US, CALL, Decimal(2), Decimal(400)), (UK, AAPL, Decimal(5), Decimal(500))]
    cash = {(US, "USD"): Decimal(50), (US, "GBP"): Decimal(10), (UK, "GBP"): Decimal(7)}
    snap = build_snapshot(D1, ACCOUNTS, table(positions), cash, INSTRUMENTS, closes, FX.rate)
    value = dict(zip(((snap.accounts[a], snap.instruments[i]) for a, i in
                      zip(snap.pos_account, snap.pos_instrument, strict=True)),
                     snap.market_value, strict=True))
    assert value[(US, AAPL)] == pytest.approx(1294.10)
    assert value[(US, VOD)] == pytest.approx(100 * 1.2 * 1.25)  # GBP into USD
    assert value[(US, CALL)] == pytest.approx(2 * 2.50 * 100)  # option multiplier
    assert value[(UK, AAPL)] == pytest.approx(5 * 129.41 / 1.25)  # USD into GBP
    assert snap.cash_value.tolist() == pytest.approx([50 + 10 * 1.25, 7])
    assert snap.cash_currency == ("GBP", "USD")  # and each account's cash in each of them
    assert snap.cash_amount.tolist() == [[10, 50], [7, 0]]
    assert snap.account_value[0] == pytest.approx(1294.10 + 150 + 500 + 62.5)
    assert len(snap.id) == 16


def test_prices_and_fx_are_never_from_after_as_of() -> None:
    positions = [(UK, AAPL, Decimal(5), Decimal(500))]
    on_d1 = build_snapshot(D1, ACCOUNTS, table(positions), {}, INSTRUMENTS, closes, FX.rate)
    on_d2 = build_snapshot(D2, ACCOUNTS, table(positions), {}, INSTRUMENTS, closes, FX.rate)
    assert on_d1.market_value[0] == pytest.approx(5 * 129.41 / 1.25)
    assert on_d2.market_value[0] == pytest.approx(5 * 131.01 / 2)
    assert on_d1.id != on_d2.id


def test_missing_price_is_reported_not_guessed() -> None:
    positions = [(US, AAPL, Decimal(1), Decimal(100))]
    snap = build_snapshot(date(2020, 12, 31), ACCOUNTS, table(positions), {}, INSTRUMENTS, closes,
                          FX.rate)
    assert snap.unpriced == (AAPL,)
    assert np.isnan(snap.market_value[0])
    assert snap.account_value[0] == 0.0
