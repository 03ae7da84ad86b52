"""Fixtures: a migrated store on each backend (``store_url`` comes from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from ballast.domain import (
    Account,
    AccountId,
    AccountType,
    Household,
    HouseholdId,
    Instrument,
    InstrumentId,
    InstrumentKind,
)
from ballast.store import Store


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A migrated, empty store."""
    s = Store(store_url)
    s.migrate()
    try:
        yield s
    finally:
        s.close()


INSTRUMENTS = (
    Instrument(InstrumentId("AAPL"), InstrumentKind.EQUITY, "USD", name="Apple",
               sector="Technology", country="US", exchange="XNAS", issuer="Apple Inc."),
    Instrument(InstrumentId("SPY"), InstrumentKind.ETF, "USD", lot_size=Decimal("0.0001"),
               fractional=True),
    Instrument(InstrumentId("VOD"), InstrumentKind.EQUITY, "GBP", exchange="XLON"),
)


@pytest.fixture
def instruments() -> tuple[Instrument, ...]:
    """The instruments the ``book`` fixture stores."""
    return INSTRUMENTS


@pytest.fixture
def book(store: Store) -> Store:
    """A store with instruments, two households and three accounts."""
    with store.transaction() as tx:
        tx.add_instruments(INSTRUMENTS)
        tx.add_households([Household(HouseholdId("H1"), "Smith"),
                           Household(HouseholdId("H2"), "Jones")])
        tx.add_accounts([
            Account(AccountId("A1"), HouseholdId("H1"), "Smith brokerage", AccountType.TAXABLE),
            Account(AccountId("A2"), HouseholdId("H1"), "Smith IRA", AccountType.TAX_DEFERRED),
            Account(AccountId("B1"), HouseholdId("H2"), "Jones trust", AccountType.TAXABLE),
        ])
    return store

