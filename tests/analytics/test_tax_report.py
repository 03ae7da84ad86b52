"""Realized gains by account, year and term, and harvesting yield, by hand (exact Decimals)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ballast.analytics.tax_report import harvesting_yield, realized_gains_by_year
from ballast.domain import (
    AccountId,
    DataError,
    InstrumentId,
    LotId,
    RealizedGain,
    Term,
    TransactionId,
)

A, B = AccountId("A"), AccountId("B")


def sale(account: AccountId, sold: date, proceeds: str, basis: str, term: Term,
         disallowed: str = "0") -> RealizedGain:
    return RealizedGain(account, InstrumentId("VTI"), LotId("L"), TransactionId("S"),
                        Decimal(10), date(2019, 1, 2), sold, Decimal(proceeds), Decimal(basis),
                        term, "USD", Decimal(disallowed))


def test_gains_summed_by_account_year_and_term() -> None:
    gains = [
        sale(B, date(2021, 5, 1), "900", "1000", Term.SHORT, disallowed="40"),
        sale(A, date(2021, 6, 1), "1500", "1000", Term.LONG),
        sale(A, date(2021, 7, 1), "800", "1000", Term.SHORT),
        sale(A, date(2021, 8, 1), "1100", "1000", Term.SHORT),
        sale(A, date(2022, 1, 3), "700", "600", Term.LONG),
    ]
    rows = realized_gains_by_year(gains)
    keys = [(r.account_id, r.year, r.term) for r in rows]
    assert keys == [(A, 2021, Term.SHORT), (A, 2021, Term.LONG), (A, 2022, Term.LONG),
                    (B, 2021, Term.SHORT)]
    assert (rows[0].proceeds, rows[0].cost_basis, rows[0].gain) == (
        Decimal(1900), Decimal(2000), Decimal(-100))
    assert rows[1].reportable == Decimal(500)
    assert (rows[3].gain, rows[3].wash_sale_disallowed, rows[3].reportable) == (
        Decimal(-100), Decimal(40), Decimal(-60))


def test_harvesting_yield() -> None:
    """Deductible harvested losses 2,500 + 500 over a start-of-year value of 100,000: 3%."""
    sales = [sale(A, date(2021, 3, 1), "7500", "10000", Term.SHORT),
             sale(A, date(2021, 9, 1), "4000", "5000", Term.LONG, disallowed="500")]
    assert harvesting_yield(sales, Decimal(100_000)) == pytest.approx(0.03, abs=1e-15)
    with pytest.raises(DataError, match="not positive"):
        harvesting_yield(sales, Decimal(0))
