"""Analytics on float64 arrays: estimators, risk, VaR/CVaR and stress tests. Pure: no I/O.

Returns are [T, N] simple returns (rows = periods, oldest first), weights [N]. See
docs/analytics.md for the formulas and the references each one is tested against.
"""

from ballast.analytics.arrays import DayArray, FloatArray
from ballast.analytics.attribution import (
    BrinsonFachler,
    Contribution,
    GroupedReturns,
    LinkedAttribution,
    Linking,
    brinson_fachler,
    contribution,
    group_returns,
    link_attribution,
)
from ballast.analytics.estimators import (
    FactorFit,
    ShrunkCovariance,
    capm_return,
    ewma_covariance,
    factor_covariance,
    factor_exposures,
    ledoit_wolf,
    mean_historical_return,
    returns_from_prices,
    sample_covariance,
)
from ballast.analytics.performance import (
    FlowTiming,
    GrossNet,
    TimeWeightedReturn,
    annualize,
    daily_returns,
    excess_return,
    gross_and_net,
    irr,
    link_returns,
    modified_dietz,
    time_weighted_return,
    time_weighted_returns,
    xirr,
)
from ballast.analytics.risk import (
    Drawdown,
    RiskContributions,
    beta,
    max_drawdown,
    max_drawdown_of_returns,
    risk_contributions,
    tracking_error,
    volatility,
)
from ballast.analytics.statistics import (
    PerformanceStatistics,
    annualized_return,
    annualized_volatility,
    calmar_ratio,
    downside_deviation,
    information_ratio,
    performance_statistics,
    sharpe_ratio,
    sortino_ratio,
)
from ballast.analytics.stress import (
    HISTORICAL_WINDOWS,
    ScenarioResult,
    StressWindow,
    equity_shock,
    historical_replay,
    rate_shock,
    single_name_shock,
)
from ballast.analytics.tax_report import GainsByTerm, harvesting_yield, realized_gains_by_year
from ballast.analytics.var import (
    TailRisk,
    VarMethod,
    cornish_fisher,
    gaussian,
    historical,
    monte_carlo,
    value_at_risk,
)

__all__ = [
    "HISTORICAL_WINDOWS", "DayArray", "Drawdown", "FactorFit", "FloatArray",
    "RiskContributions", "ScenarioResult", "ShrunkCovariance", "StressWindow", "TailRisk",
    "VarMethod", "beta", "capm_return", "cornish_fisher", "equity_shock", "ewma_covariance",
    "factor_covariance", "factor_exposures", "gaussian", "historical", "historical_replay",
    "ledoit_wolf", "max_drawdown", "max_drawdown_of_returns", "mean_historical_return",
    "monte_carlo", "rate_shock", "returns_from_prices", "risk_contributions",
    "sample_covariance", "single_name_shock", "tracking_error", "value_at_risk", "volatility",
]
__all__ += [
    "BrinsonFachler", "Contribution", "FlowTiming", "GainsByTerm", "GrossNet", "GroupedReturns",
    "LinkedAttribution", "Linking", "PerformanceStatistics", "TimeWeightedReturn", "annualize",
    "annualized_return", "annualized_volatility", "brinson_fachler", "calmar_ratio",
    "contribution", "daily_returns", "downside_deviation", "excess_return", "gross_and_net",
    "group_returns", "harvesting_yield", "information_ratio", "irr", "link_attribution",
    "link_returns", "modified_dietz", "performance_statistics", "realized_gains_by_year",
    "sharpe_ratio", "sortino_ratio", "time_weighted_return", "time_weighted_returns", "xirr",
]
