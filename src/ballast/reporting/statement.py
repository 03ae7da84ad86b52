"""The investor statement as typed, immutable data: what the engine assembles and the HTML and
PDF renderers draw. Valuations are floats (they come from the float valuation); booked amounts
(transactions, fees, realized gains) stay ``Decimal`` as the ledger holds them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Period:
    """A reporting period, both ends inclusive, with its label (``2020Q1``, ``2020-03``)."""

    label: str
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class AccountLine:
    """One account a statement covers."""

    account_id: str
    name: str
    type: str
    model: str
    custodian: str


@dataclass(frozen=True, slots=True)
class Contributor:
    """A holding's contribution to the period's return (cash included as ``CASH``)."""

    symbol: str
    name: str
    average_weight: float
    contribution: float


@dataclass(frozen=True, slots=True)
class Performance:
    """The period's values and returns; a return is None when it cannot be measured (no
    capital at the start and no flows, or no benchmark)."""

    start_value: float
    end_value: float
    net_flows: float
    twr: float | None
    money_weighted: float | None
    benchmark: str
    benchmark_twr: float | None
    curve_dates: tuple[date, ...] = ()
    curve_portfolio: tuple[float, ...] = ()
    curve_benchmark: tuple[float, ...] = ()
    contributors: tuple[Contributor, ...] = ()

    @property
    def investment_gain(self) -> float:
        """Change in value not explained by deposits and withdrawals."""
        return self.end_value - self.start_value - self.net_flows

    @property
    def excess(self) -> float | None:
        """Arithmetic excess return over the benchmark."""
        if self.twr is None or self.benchmark_twr is None:
            return None
        return self.twr - self.benchmark_twr


@dataclass(frozen=True, slots=True)
class AllocationRow:
    """A sleeve (or "Cash", or "Outside the model") with its weight and its model target."""

    label: str
    weight: float
    target: float | None

    @property
    def drift(self) -> float | None:
        return None if self.target is None else self.weight - self.target


@dataclass(frozen=True, slots=True)
class HoldingRow:
    account_id: str
    symbol: str
    name: str
    quantity: Decimal
    price: float
    market_value: float
    cost_basis: float
    unrealized: float
    weight: float


@dataclass(frozen=True, slots=True)
class TransactionRow:
    """A booked transaction; ``amount`` is its gross cash amount (quantity × price for a
    trade), ``fees`` what it cost."""

    day: date
    account_id: str
    kind: str
    symbol: str
    quantity: Decimal | None
    price: Decimal | None
    amount: Decimal
    fees: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class GainRow:
    account_id: str
    symbol: str
    acquired: date
    sold: date
    quantity: Decimal
    proceeds: Decimal
    cost_basis: Decimal
    gain: Decimal
    wash_sale_disallowed: Decimal
    term: str


@dataclass(frozen=True, slots=True)
class GainsSummary:
    """Realized gains of the period by term; ``harvested`` the deductible losses of the
    period's sales at a loss; ``harvesting_yield`` those over the start value."""

    short_term: Decimal
    long_term: Decimal
    wash_sale_disallowed: Decimal
    harvested: Decimal
    harvesting_yield: float | None


@dataclass(frozen=True, slots=True)
class ActivityItem:
    """One thing the automation did, in plain language."""

    day: date
    headline: str
    detail: str


@dataclass(frozen=True, slots=True)
class Statement:
    """An investor statement for one account or one household over one period.

    ``notices`` are plain sentences shown at the top (e.g. that the period has no data)."""

    firm: str
    subject: str  # "account" | "household"
    subject_id: str
    title: str
    household: str
    accounts: tuple[AccountLine, ...]
    period: Period
    currency: str
    generated: date
    performance: Performance | None
    allocation: tuple[AllocationRow, ...]
    holdings: tuple[HoldingRow, ...]
    transactions: tuple[TransactionRow, ...]
    gains: tuple[GainRow, ...]
    gains_summary: GainsSummary
    fees: Decimal
    activity: tuple[ActivityItem, ...]
    notices: tuple[str, ...] = ()

    @property
    def has_data(self) -> bool:
        """False when the period has nothing to report: no value, holdings or activity."""
        return bool(self.holdings or self.transactions or self.gains or (
            self.performance is not None and (self.performance.start_value
                                              or self.performance.end_value)))

    @property
    def file_stem(self) -> str:
        """A file name for this statement without extension: ``statement-A1-2020Q1``."""
        return f"statement-{_safe(self.subject_id)}-{_safe(self.period.label)}"


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)
