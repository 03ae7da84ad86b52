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
    Instruments with the same non-empty ``wash_sale_group`` are substantially identical for the
    wash-sale rule (two share classes of one fund, or an ETF and a mutual fund tracking the same
    index if the firm's policy says so); an instrument without a group matches only itself.
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
    wash_sale_group: str = ""

    def __post_init__(self) -> None:
        if not self.id or self.id != self.id.strip():
            raise DataError(f"instrument id {self.id!r} is empty or has surrounding spaces",
                            field="symbol")
        check_currency(self.currency)
        if self.wash_sale_group != self.wash_sale_group.strip():
            raise DataError(f"{self.id}: wash_sale_group {self.wash_sale_group!r} has "
                            "surrounding spaces", field="wash_sale_group")
        if self.lot_size <= 0:
            raise DataError(f"{self.id}: lot_size must be positive, got {self.lot_size}",
                            field="lot_size")
        if self.multiplier <= 0:
            raise DataError(f"{self.id}: multiplier must be positive, got {self.multiplier}",
                            field="multiplier")
        if self.kind in DERIVATIVE_KINDS:
            if self.expiry is None or self.underlying is None:
                raise DataError(f"{self.id}: a {self.kind} needs an expiry and an underlying",
                                field="expiry" if self.expiry is None else "underlying")
            if self.kind is InstrumentKind.OPTION and (self.strike is None or self.right is None):
                raise DataError(f"{self.id}: an option needs a strike and a right (call/put)",
                                field="strike" if self.strike is None else "right")

    @property
    def issuer_key(self) -> str:
        """The issuer used for concentration limits: share classes of one issuer share it."""
        return self.issuer or self.id
