"""Exact money: a Decimal amount with an ISO 4217 currency whose minor unit is known."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from types import MappingProxyType
from typing import NewType

from ballast.domain.errors import DataError

Quantity = NewType("Quantity", Decimal)
"""A number of units of an instrument (shares, contracts, coins); exact."""

ZERO = Decimal(0)

# ISO 4217 minor units of the currencies ballast accepts; any other code is refused.
_MINOR_UNITS: dict[str, int] = {
    "USD": 2, "EUR": 2, "GBP": 2, "CHF": 2, "CAD": 2, "AUD": 2, "NZD": 2, "SEK": 2, "NOK": 2,
    "DKK": 2, "HKD": 2, "SGD": 2, "CNY": 2, "INR": 2, "MXN": 2, "BRL": 2, "ZAR": 2, "PLN": 2,
    "CZK": 2, "HUF": 2, "ILS": 2, "TWD": 2, "THB": 2, "MYR": 2, "LKR": 2, "VEF": 2, "VES": 2,
    "JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "VND": 0,
    "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3, "LYD": 3, "IQD": 3,
}
_CRYPTO_MINOR_UNITS: dict[str, int] = {"BTC": 8, "ETH": 18, "USDT": 6, "USDC": 6}
# Each known currency's minor unit as a Decimal quantum (USD 0.01, JPY 1), built once; read-only.
_QUANTA: Mapping[str, Decimal] = MappingProxyType({
    code: Decimal(1).scaleb(-places)
    for code, places in (*_MINOR_UNITS.items(), *_CRYPTO_MINOR_UNITS.items())
})


def decimal_of(value: float, places: str) -> Decimal:
    """A float estimate as an exact Decimal rounded to ``places`` (e.g. "0.01"); the float's
    shortest repr is used, so 0.1 becomes 0.1, not 0.1000000000000000055…"""
    return Decimal(repr(float(value))).quantize(Decimal(places))


def is_currency(code: str) -> bool:
    """True when ``code`` is a currency ballast knows (ISO 4217 or a listed crypto currency)."""
    return code in _MINOR_UNITS or code in _CRYPTO_MINOR_UNITS


def minor_units(code: str) -> int:
    """Number of decimal places of the currency's minor unit (USD 2, JPY 0, KWD 3)."""
    if code in _MINOR_UNITS:
        return _MINOR_UNITS[code]
    if code in _CRYPTO_MINOR_UNITS:
        return _CRYPTO_MINOR_UNITS[code]
    raise _unknown_currency(code)


def _unknown_currency(code: str) -> DataError:
    return DataError(f"unknown currency {code!r}", hint="Use an ISO 4217 code such as USD or EUR.",
                     field="currency")


def check_currency(code: str) -> str:
    """Return ``code`` if it is a known currency, else raise DataError."""
    minor_units(code)
    return code


def round_to_minor(amount: Decimal, currency: str) -> Decimal:
    """Round half-even to the currency's minor unit."""
    quantum = _QUANTA.get(currency)
    if quantum is None:
        raise _unknown_currency(currency)
    return amount.quantize(quantum, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one currency. Arithmetic across currencies raises."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money amount must be Decimal, got {type(self.amount).__name__}")
        check_currency(self.currency)

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str) -> Money:
        """Build from a string or int (never a float, which is inexact)."""
        return cls(Decimal(amount), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(ZERO, currency)

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise DataError(
                f"currency mismatch: {self.currency} vs {other.currency}", field="currency")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        return Money(self.amount * factor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def rounded(self) -> Money:
        """The amount rounded half-even to the currency's minor unit."""
        return Money(round_to_minor(self.amount, self.currency), self.currency)

    def __str__(self) -> str:
        return f"{self.rounded().amount:,} {self.currency}"
