"""Corporate actions: announced once per instrument, applied to every account that holds it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from ballast.domain.errors import DataError
from ballast.domain.ids import InstrumentId


class CorporateActionKind(StrEnum):
    SPLIT = "split"  # ratio new per old; a ratio below 1 is a reverse split
    STOCK_DIVIDEND = "stock_dividend"  # ratio additional units per unit held
    CASH_DIVIDEND = "cash_dividend"  # amount per unit in currency
    SYMBOL_CHANGE = "symbol_change"  # instrument becomes new_instrument_id


@dataclass(frozen=True, slots=True)
class CorporateAction:
    """An event on an instrument effective on ``ex_date``."""

    id: str
    instrument_id: InstrumentId
    kind: CorporateActionKind
    ex_date: date
    ratio: Decimal | None = None
    amount: Decimal | None = None
    currency: str = "USD"
    new_instrument_id: InstrumentId | None = None
    pay_date: date | None = None

    def __post_init__(self) -> None:
        k = self.kind
        if k in (CorporateActionKind.SPLIT, CorporateActionKind.STOCK_DIVIDEND) and not (
            self.ratio and self.ratio > 0
        ):
            raise DataError(f"corporate action {self.id}: ratio must be positive", field="ratio")
        if k is CorporateActionKind.CASH_DIVIDEND and not (self.amount and self.amount > 0):
            raise DataError(f"corporate action {self.id}: amount per unit must be positive",
                            field="amount")
        if k is CorporateActionKind.SYMBOL_CHANGE and not self.new_instrument_id:
            raise DataError(f"corporate action {self.id}: new_instrument is required",
                            field="new_symbol")
