"""Realized gains by account, year and term (the totals of Form 1099-B), and harvesting yield.

Amounts stay exact (``Decimal``) as the ledger books them; only the yield, a ratio, is a float.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ballast.domain import ZERO, AccountId, DataError, RealizedGain, Term


@dataclass(frozen=True, slots=True)
class GainsByTerm:
    """One account's realized gains of one year and term, in one currency.

    ``gain`` is proceeds − cost basis; ``wash_sale_disallowed`` the loss not deductible now;
    ``reportable`` = gain + wash_sale_disallowed.
    """

    account_id: AccountId
    year: int
    term: Term
    currency: str
    proceeds: Decimal
    cost_basis: Decimal
    wash_sale_disallowed: Decimal

    @property
    def gain(self) -> Decimal:
        return self.proceeds - self.cost_basis

    @property
    def reportable(self) -> Decimal:
        return self.gain + self.wash_sale_disallowed


def realized_gains_by_year(gains: Iterable[RealizedGain]) -> tuple[GainsByTerm, ...]:
    """Sum realized gains by (account, year sold, term, currency), sorted in that order."""
    totals: dict[tuple[AccountId, int, Term, str], tuple[Decimal, Decimal, Decimal]] = {}
    for g in gains:
        key = (g.account_id, g.sold.year, g.term, g.currency)
        proceeds, basis, disallowed = totals.get(key, (ZERO, ZERO, ZERO))
        totals[key] = (proceeds + g.proceeds, basis + g.cost_basis,
                       disallowed + g.wash_sale_disallowed)
    return tuple(GainsByTerm(*key, *totals[key])
                 for key in sorted(totals, key=lambda k: (k[0], k[1], k[2] != Term.SHORT, k[3])))


def harvesting_yield(harvest_sales: Iterable[RealizedGain], start_of_year_value: Decimal) -> float:
    """Losses harvested (the deductible part of each loss, wash-sale disallowance removed) over
    the account's value at the start of the year, as a positive fraction."""
    if start_of_year_value <= 0:
        raise DataError(f"start_of_year_value: {start_of_year_value} is not positive, the "
                        "harvesting yield is undefined", field="start_of_year_value")
    harvested = sum((-g.reportable_gain for g in harvest_sales if g.reportable_gain < 0), ZERO)
    return float(harvested / start_of_year_value)
