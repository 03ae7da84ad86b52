"""Households and accounts."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ballast.domain.errors import DataError
from ballast.domain.ids import AccountId, HouseholdId, InstrumentId
from ballast.domain.money import check_currency


class AccountType(StrEnum):
    TAXABLE = "taxable"
    TAX_DEFERRED = "tax_deferred"
    TAX_EXEMPT = "tax_exempt"


class LotMethod(StrEnum):
    """How lots are relieved on a sale. ``specific`` needs the lots named on the trade."""

    FIFO = "fifo"
    LIFO = "lifo"
    HIFO = "hifo"
    SPECIFIC = "specific"
    AVERAGE = "average"
    MIN_TAX = "min_tax"


@dataclass(frozen=True, slots=True)
class Household:
    """A group of accounts that share tax consequences (wash sales span the household)."""

    id: HouseholdId
    name: str

    def __post_init__(self) -> None:
        if not self.id:
            raise DataError("household id is empty", field="household_id")


@dataclass(frozen=True, slots=True)
class Restrictions:
    """Account-level trading restrictions."""

    do_not_buy: frozenset[InstrumentId] = field(default_factory=frozenset)
    do_not_sell: frozenset[InstrumentId] = field(default_factory=frozenset)
    excluded: frozenset[InstrumentId] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Account:
    """A client account at a custodian, in a household, with its tax treatment."""

    id: AccountId
    household_id: HouseholdId
    name: str
    type: AccountType
    base_currency: str = "USD"
    custodian: str = ""
    model: str = ""
    lot_method: LotMethod = LotMethod.MIN_TAX
    allow_shorts: bool = False
    allow_margin: bool = False
    restrictions: Restrictions = field(default_factory=Restrictions)

    def __post_init__(self) -> None:
        if not self.id:
            raise DataError("account id is empty", field="account_id")
        check_currency(self.base_currency)

    @property
    def taxable(self) -> bool:
        return self.type is AccountType.TAXABLE
