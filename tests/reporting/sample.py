"""A hand-made statement for rendering tests (no store needed)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ballast.reporting import (
    AccountLine,
    ActivityItem,
    AllocationRow,
    Contributor,
    GainRow,
    GainsSummary,
    HoldingRow,
    Performance,
    Period,
    Statement,
    TransactionRow,
)

DAYS = tuple(date(2020, 1, 1) + timedelta(days=i) for i in range(0, 91, 7))


def sample_statement(**changes: object) -> Statement:
    """A one-account statement for Q1 2020 with every section filled."""
    base = Statement(
        firm="Harbor & Pine Advisors", subject="account", subject_id="H001-TAX",
        title="Abbott joint", household="Abbott household",
        accounts=(AccountLine("H001-TAX", "Abbott joint", "taxable", "balanced", "Schwab"),),
        period=Period("2020Q1", date(2020, 1, 1), date(2020, 3, 31)), currency="USD",
        generated=date(2020, 4, 2),
        performance=Performance(
            start_value=250_000.0, end_value=205_431.27, net_flows=10_000.0,
            twr=-0.2143, money_weighted=-0.6012, benchmark="SPY", benchmark_twr=-0.1963,
            curve_dates=DAYS,
            curve_portfolio=tuple(-0.2143 * i / (len(DAYS) - 1) for i in range(len(DAYS))),
            curve_benchmark=tuple(-0.1963 * i / (len(DAYS) - 1) for i in range(len(DAYS))),
            contributors=(Contributor("SPY", "SPDR S&P 500 ETF", 0.31, -0.0612),
                          Contributor("MSFT", "Microsoft", 0.1, 0.0045))),
        allocation=(AllocationRow("us_large_cap", 0.312, 0.30),
                    AllocationRow("technology", 0.101, 0.12),
                    AllocationRow("Cash", 0.04, 0.03)),
        holdings=(HoldingRow("H001-TAX", "SPY", "SPDR S&P 500 ETF", Decimal("250"), 257.75,
                             64_437.5, 70_000.0, -5_562.5, 0.3137),
                  HoldingRow("H001-TAX", "MSFT", "Microsoft", Decimal("130.5"), 157.71,
                             20_581.16, 15_000.0, 5_581.16, 0.1002)),
        transactions=(TransactionRow(date(2020, 2, 3), "H001-TAX", "buy", "MSFT",
                                     Decimal("10"), Decimal("174.38"), Decimal("1743.80"),
                                     Decimal("1.00"), "USD"),
                      TransactionRow(date(2020, 3, 2), "H001-TAX", "deposit", "", None, None,
                                     Decimal("10000.00"), Decimal("0"), "USD")),
        gains=(GainRow("H001-TAX", "XOM", date(2019, 1, 2), date(2020, 3, 9), Decimal("100"),
                       Decimal("3500.00"), Decimal("6900.00"), Decimal("-3400.00"),
                       Decimal("0"), "long"),),
        gains_summary=GainsSummary(Decimal("0"), Decimal("-3400.00"), Decimal("0"),
                                   Decimal("3400.00"), 0.0136),
        fees=Decimal("1.00"),
        activity=(ActivityItem(date(2020, 3, 9), "Rebalance review: 2 trades proposed "
                               "(sell 100 XOM, buy 40 OXY)",
                               "Why: energy is 4.1% over its band. Harvest a −3,400 loss."),),
    )
    if not changes:
        return base
    from dataclasses import replace
    return replace(base, **changes)  # type: ignore[arg-type]
