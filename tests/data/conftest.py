"""Shared helpers of the data tests: a small book context and a CSV writer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from ballast.data import ImportContext
from ballast.domain import (
    Account,
    AccountId,
    AccountType,
    HouseholdId,
    Instrument,
    InstrumentId,
    InstrumentKind,
)

TODAY = date(2021, 6, 30)


def instrument(symbol: str, currency: str = "USD", kind: InstrumentKind = InstrumentKind.EQUITY,
               exchange: str = "XNYS") -> Instrument:
    return Instrument(InstrumentId(symbol), kind, currency, exchange=exchange)


def account(aid: str, base: str = "USD") -> Account:
    return Account(AccountId(aid), HouseholdId("H1"), aid, AccountType.TAXABLE, base)


@pytest.fixture
def ctx() -> ImportContext:
    """Two accounts (USD and EUR) in household H1; AAPL, MSFT (USD) and SAP (EUR on XETR)."""
    insts = [instrument("AAPL"), instrument("MSFT"), instrument("SAP", "EUR", exchange="XETR"),
             instrument("VTI", kind=InstrumentKind.ETF)]
    return ImportContext(
        today=TODAY,
        instruments={i.id: i for i in insts},
        accounts={a.id: a for a in (account("A1"), account("E1", "EUR"))},
        households=frozenset({HouseholdId("H1")}),
    )


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """write(name, text) -> path of a UTF-8 file with that text (leading newline stripped)."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text.lstrip("\n"), encoding="utf-8")
        return path

    return _write
