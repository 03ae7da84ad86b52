"""Portfolio construction: optimizers that turn estimates into target weights.

Inputs are numpy arrays (expected returns μ [N], covariance Σ [N, N], scenario returns [T, N]);
every optimizer returns a :class:`Result`. Constraints are a :class:`Constraints` value; an
infeasible problem raises ConfigError naming the constraints that conflict.
See docs/construction.md.
"""

from ballast.construct.arrays import FloatArray
from ballast.construct.black_litterman import (
    Posterior,
    black_litterman,
    market_implied_prior,
    market_implied_risk_aversion,
)
from ballast.construct.constraints import Constraints
from ballast.construct.cvar import mean_cvar
from ballast.construct.direct_index import track_index
from ballast.construct.factors import FactorBounds, exposures
from ballast.construct.hrp import hrp
from ballast.construct.mean_variance import (
    efficient_return,
    efficient_risk,
    max_sharpe,
    min_variance,
)
from ballast.construct.result import Result, risk_contributions
from ballast.construct.risk_parity import risk_parity
from ballast.construct.vol_target import vol_target

__all__ = [
    "Constraints", "FactorBounds", "FloatArray", "Posterior", "Result", "black_litterman",
    "efficient_return", "efficient_risk", "exposures", "hrp", "market_implied_prior",
    "market_implied_risk_aversion", "max_sharpe", "mean_cvar", "min_variance", "risk_contributions",
    "risk_parity", "track_index", "vol_target",
]
