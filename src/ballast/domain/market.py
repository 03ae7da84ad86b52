"""Market data of record: daily price bars and FX rates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ballast.domain.errors import DataError
from ballast.domain.ids import InstrumentId
from ballast.domain.money import ZERO, check_currency


def _finite(value: Decimal, what: str) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise DataError(f"{what} must be a finite Decimal, got {value!r}")


@dataclass(frozen=True, slots=True)
class PriceBar:
    """An instrument's close on one day, in the instrument's currency.

    ``dividend`` is the cash dividend per unit going ex on ``date``; ``split_factor`` is the
    number of new units per old unit effective on ``date`` (1 when there is no split).
    """

    instrument_id: InstrumentId
    date: date
    close: Decimal
    dividend: Decimal = ZERO
    split_factor: Decimal = Decimal(1)
    source: str = ""

    def __post_init__(self) -> None:
        where = f"price {self.instrument_id} {self.date}"
        if not self.instrument_id:
            raise DataError(f"{where}: instrument is empty")
        for name in ("close", "dividend", "split_factor"):
            _finite(getattr(self, name), f"{where}: {name}")
        if self.close <= 0:
            raise DataError(f"{where}: close must be positive, got {self.close}")
        if self.dividend < 0:
            raise DataError(f"{where}: dividend must not be negative, got {self.dividend}")
        if self.split_factor <= 0:
            raise DataError(f"{where}: split factor must be positive, got {self.split_factor}")


@dataclass(frozen=True, slots=True)
class FxRate:
    """Units of ``quote`` currency for one unit of ``base`` currency on ``date``."""

    base: str
    quote: str
    date: date
    rate: Decimal

    def __post_init__(self) -> None:
        check_currency(self.base)
        check_currency(self.quote)
        where = f"fx {self.base}/{self.quote} {self.date}"
        if self.base == self.quote:
            raise DataError(f"{where}: base and quote must differ")
        _finite(self.rate, f"{where}: rate")
        if self.rate <= 0:
            raise DataError(f"{where}: rate must be positive, got {self.rate}")
