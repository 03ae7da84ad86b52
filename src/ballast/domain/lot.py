"""Tax lots and realized gains."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from ballast.domain.ids import AccountId, InstrumentId, LotId, TransactionId
from ballast.domain.money import ZERO


class Term(StrEnum):
    SHORT = "short"
    LONG = "long"


def holding_term(holding_start: date, sold: date) -> Term:
    """Long term when held more than one year (IRS Pub. 550: count from the day after acquisition;
    a lot bought on 2020-03-15 becomes long-term when sold on 2021-03-16 or later)."""
    try:
        anniversary = holding_start.replace(year=holding_start.year + 1)
    except ValueError:  # bought 29 February: a year of holding ends on 28 February
        anniversary = date(holding_start.year + 1, 2, 28)
    return Term.LONG if sold > anniversary else Term.SHORT


@dataclass(frozen=True, slots=True)
class TaxLot:
    """An open tax lot.

    ``cost_basis`` is the total basis in the instrument's currency, *including* any wash-sale
    adjustment; ``wash_sale_adjustment`` records how much of it came from disallowed losses.
    ``holding_start`` is the date the holding period counts from: the acquisition date, or an
    earlier date carried over from a wash sale or a transfer.
    """

    id: LotId
    account_id: AccountId
    instrument_id: InstrumentId
    quantity: Decimal
    cost_basis: Decimal
    acquired: date
    holding_start: date
    wash_sale_adjustment: Decimal = ZERO
    opened_by: TransactionId | None = None

    @property
    def unit_cost(self) -> Decimal:
        return self.cost_basis / self.quantity if self.quantity else ZERO

    def take(self, quantity: Decimal) -> tuple[TaxLot, TaxLot | None]:
        """Split off ``quantity`` units: returns (the part taken, the remainder or None).

        Basis and wash-sale adjustment are prorated; the remainder keeps the exact rest so
        that basis is conserved to the last digit.
        """
        if quantity >= self.quantity:
            return self, None
        basis = self.cost_basis * quantity / self.quantity
        wash = self.wash_sale_adjustment * quantity / self.quantity
        taken = replace(self, quantity=quantity, cost_basis=basis, wash_sale_adjustment=wash)
        rest = replace(
            self,
            quantity=self.quantity - quantity,
            cost_basis=self.cost_basis - basis,
            wash_sale_adjustment=self.wash_sale_adjustment - wash,
        )
        return taken, rest


@dataclass(frozen=True, slots=True)
class RealizedGain:
    """One lot's part of a sale, with the detail a Form 1099-B carries.

    ``gain`` is proceeds − cost basis before any wash-sale adjustment; ``wash_sale_disallowed``
    is the part of a loss that is not deductible now (box 1g), so the reportable gain is
    ``gain + wash_sale_disallowed``.
    """

    account_id: AccountId
    instrument_id: InstrumentId
    lot_id: LotId
    transaction_id: TransactionId
    quantity: Decimal
    acquired: date
    sold: date
    proceeds: Decimal
    cost_basis: Decimal
    term: Term
    currency: str
    wash_sale_disallowed: Decimal = ZERO

    @property
    def gain(self) -> Decimal:
        return self.proceeds - self.cost_basis

    @property
    def reportable_gain(self) -> Decimal:
        return self.gain + self.wash_sale_disallowed
