"""Analytics on float64 arrays: estimators, risk, VaR/CVaR and stress tests. Pure: no I/O.

Returns are [T, N] simple returns (rows = periods, oldest first), weights [N]. See
docs/analytics.md for the formulas and the references each one is tested against.
"""

from ballast.analytics.arrays import DayArray, FloatArray
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
from ballast.analytics.stress import (
    HISTORICAL_WINDOWS,
    ScenarioResult,
    StressWindow,
    equity_shock,
    historical_replay,
    rate_shock,
    single_name_shock,
)
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
