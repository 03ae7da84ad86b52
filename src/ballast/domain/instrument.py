"""Instruments: what an account can hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from ballast.domain.errors import DataError
from ballast.domain.ids import InstrumentId
from ballast.domain.money import check_currency


class InstrumentKind(StrEnum):
    EQUITY = "equity"
    ETF = "etf"
    MUTUAL_FUND = "mutual_fund"
    BOND = "bond"
    CASH = "cash"
    FUTURE = "future"
    OPTION = "option"
    CRYPTO = "crypto"
    FX_PAIR = "fx_pair"


class OptionRight(StrEnum):
    CALL = "call"
    PUT = "put"


DERIVATIVE_KINDS = frozenset({InstrumentKind.FUTURE, InstrumentKind.OPTION})


@dataclass(frozen=True, slots=True)
class Instrument:
    """A tradable instrument and the static facts the engine needs about it.

    ``lot_size`` is the trading increment (1 for whole shares, 0.0001 for fractional shares);
    ``multiplier`` converts price × quantity into notional (100 for US equity options).
    """

    id: InstrumentId
    kind: InstrumentKind
    currency: str
    name: str = ""
    asset_class: str = ""
    sector: str = ""
    country: str = ""
    exchange: str = "XNYS"
    issuer: str = ""
    lot_size: Decimal = Decimal(1)
    fractional: bool = False
    multiplier: Decimal = Decimal(1)
    expiry: date | None = None
    strike: Decimal | None = None
    right: OptionRight | None = None
    underlying: InstrumentId | None = None

    def __post_init__(self) -> None:
        if not self.id or self.id != self.id.strip():
            raise DataError(f"instrument id {self.id!r} is empty or has surrounding spaces")
        check_currency(self.currency)
        if self.lot_size <= 0:
            raise DataError(f"{self.id}: lot_size must be positive, got {self.lot_size}")
        if self.multiplier <= 0:
            raise DataError(f"{self.id}: multiplier must be positive, got {self.multiplier}")
        if self.kind in DERIVATIVE_KINDS:
            if self.expiry is None or self.underlying is None:
                raise DataError(f"{self.id}: a {self.kind} needs an expiry and an underlying")
            if self.kind is InstrumentKind.OPTION and (self.strike is None or self.right is None):
                raise DataError(f"{self.id}: an option needs a strike and a right (call/put)")

    @property
    def issuer_key(self) -> str:
        """The issuer used for concentration limits: share classes of one issuer share it."""
        return self.issuer or self.id
