"""Plain result rows the engine hands to the CLI and the API (JSON-ready via ``as_dict``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return None if value != value else round(value, 6)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


class _Row:
    def as_dict(self) -> dict[str, Any]:
        """The row as JSON-ready values (Decimals as exact strings, dates as ISO)."""
        return {k: _jsonable(v) for k, v in asdict(self).items()}  # type: ignore[call-overload]


@dataclass(frozen=True, slots=True)
class AccountRow(_Row):
    account_id: str
    household_id: str
    household: str
    name: str
    type: str
    base_currency: str
    custodian: str
    model: str
    value: float
    cash: float


@dataclass(frozen=True, slots=True)
class PositionRow(_Row):
    account_id: str
    symbol: str
    quantity: Decimal
    price: float
    price_date: date | None
    market_value: float
    cost_basis: float
    unrealized: float
    weight: float
    currency: str


@dataclass(frozen=True, slots=True)
class LotRow(_Row):
    account_id: str
    symbol: str
    lot_id: str
    quantity: Decimal
    cost_basis: Decimal
    unit_cost: Decimal
    acquired: date
    holding_start: date
    wash_sale_adjustment: Decimal


@dataclass(frozen=True, slots=True)
class GainRow(_Row):
    account_id: str
    symbol: str
    lot_id: str
    quantity: Decimal
    acquired: date
    sold: date
    proceeds: Decimal
    cost_basis: Decimal
    gain: Decimal
    wash_sale_disallowed: Decimal
    term: str
    currency: str


@dataclass(frozen=True, slots=True)
class BookSummary(_Row):
    as_of: date
    database: str
    currency: str
    households: int
    accounts: int
    accounts_by_type: dict[str, int]
    instruments: int
    transactions: int
    aum: float
    cash: float
    positions: int
    open_lots: int
    unrealized_gain: float
    unrealized_loss: float
    positions_with_loss: int
    realized_short_term: float
    realized_long_term: float
    wash_sale_disallowed: float
    top_holdings: list[tuple[str, float]] = field(default_factory=list)
    unpriced: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    seconds: float = 0.0
