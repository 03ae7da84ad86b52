"""The typed result of measuring a scope's performance over a period: what a statement shows.

The engine (``ballast.engine.performance.measure``) fills these from the book of record; the
statement renderer (``ballast.reporting``) reads them. Plain frozen values: floats are fractions
(0.05 is 5%), money is in ``PerformanceReport.currency``, days are ``datetime.date``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ballast.analytics.arrays import FloatArray
from ballast.analytics.statistics import PerformanceStatistics


@dataclass(frozen=True, slots=True)
class PeriodReturns:
    """Returns over the period. ``net``/``gross`` are daily-linked time-weighted returns after
    and before fees; the ``*_annualized`` ones equal the plain ones for a period of a year or
    less (GIPS). ``money_weighted`` is the period's money-weighted return (from the XIRR,
    ``(1 + xirr)^(days / 365) - 1``) and ``money_weighted_annualized`` the XIRR itself past a
    year; ``modified_dietz`` is the period's Modified Dietz return; each is None when undefined
    (e.g. no money in and out).
    Benchmark-relative fields are None without a benchmark; ``excess = net - benchmark``."""

    net: float
    gross: float
    net_annualized: float
    gross_annualized: float
    modified_dietz: float | None
    money_weighted: float | None
    money_weighted_annualized: float | None
    benchmark: float | None
    benchmark_annualized: float | None
    excess: float | None
    years: float


@dataclass(frozen=True, slots=True)
class AttributionLine:
    """One group's Brinson-Fachler effects over the period (Carino-linked daily effects);
    weights are averages of the start-of-day weights, returns are linked."""

    group: str
    portfolio_weight: float
    benchmark_weight: float
    portfolio_return: float
    benchmark_return: float
    allocation: float
    selection: float
    interaction: float

    @property
    def total(self) -> float:
        """Allocation + selection + interaction."""
        return self.allocation + self.selection + self.interaction


@dataclass(frozen=True, slots=True)
class AttributionTable:
    """Attribution by one grouping (``by`` is ``"asset_class"`` or ``"sector"``); the lines'
    totals sum to ``portfolio_return - benchmark_return`` (holdings-based, linked)."""

    by: str
    lines: tuple[AttributionLine, ...]
    portfolio_return: float
    benchmark_return: float

    @property
    def excess(self) -> float:
        """``portfolio_return - benchmark_return``."""
        return self.portfolio_return - self.benchmark_return


@dataclass(frozen=True, slots=True)
class HoldingContribution:
    """A holding's (or cash's) contribution to the holdings-based return over the period."""

    instrument: str
    name: str
    asset_class: str
    sector: str
    start_value: float
    end_value: float
    average_weight: float
    contribution: float


@dataclass(frozen=True, slots=True, eq=False)
class DailySeries:
    """Day by day: ``days[0]`` is the opening close (before the period), ``value`` [T+1] the
    value at each close; ``flows``, ``fees``, ``net``, ``gross`` [T] belong to ``days[1:]``
    (external flows in +/out -, fees paid, daily returns); ``benchmark`` [T] or None."""

    days: tuple[date, ...]
    value: FloatArray
    flows: FloatArray
    fees: FloatArray
    net: FloatArray
    gross: FloatArray
    benchmark: FloatArray | None


@dataclass(frozen=True, slots=True, eq=False)
class PerformanceReport:
    """Everything measured for ``scope`` (e.g. ``"account H1-TAX"``) over ``period``
    (``"2020Q1"``), from ``start`` to ``end`` inclusive, in ``currency``. ``notes`` say in
    plain words what could not be measured and why (no benchmark, too few days…)."""

    scope: str
    period: str
    start: date
    end: date
    currency: str
    accounts: tuple[str, ...]
    benchmark: str | None
    start_value: float
    end_value: float
    inflows: float
    outflows: float
    fees: float
    returns: PeriodReturns
    statistics: PerformanceStatistics | None
    attribution: tuple[AttributionTable, ...]
    contributions: tuple[HoldingContribution, ...]
    series: DailySeries
    notes: tuple[str, ...]

    @property
    def net_flows(self) -> float:
        """Inflows + outflows (outflows are negative)."""
        return self.inflows + self.outflows

    @property
    def gain(self) -> float:
        """Investment gain: the change in value not explained by external flows (net of fees)."""
        return self.end_value - self.start_value - self.net_flows
