"""Mean-variance optimizers: minimum variance, maximum Sharpe, efficient return and risk.

All solve with Clarabel on the named linear blocks of :class:`Constraints`. Maximum Sharpe uses
the homogenizing transform (Cornuéjols & Tütüncü): y = κw, min yᵀΣy s.t. (μ − r_f)ᵀy = 1,
every constraint row a·w ≤ b becomes a·y ≤ bκ, κ ≥ 0. ``l2`` adds l2·‖w‖² to the variance
objectives (as PyPortfolioOpt's L2_reg with gamma = l2).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.linalg import cho_factor, cho_solve

from ballast.construct.arrays import FloatArray, asset_names, covariance, factor_of, vector
from ballast.construct.cardinality import limit_holdings, status
from ballast.construct.constraints import Constraints
from ballast.construct.feasibility import max_return, raise_conflict
from ballast.construct.linear import Block, LinearModel, weight_rows
from ballast.construct.result import Result, make_result
from ballast.construct.solver import SCREEN_MIN, Screen, Solution, conic, hessian
from ballast.domain.errors import ConfigError, DataError


def min_variance(cov: npt.ArrayLike, constraints: Constraints | None = None, *,
                 mu: npt.ArrayLike | None = None, names: Sequence[str] | None = None,
                 l2: float = 0.0, risk_free_rate: float = 0.0) -> Result:
    """The minimum-variance portfolio (closed form when only the budget binds)."""
    c, sigma, labels = _inputs(cov, constraints, names)
    n = sigma.shape[0]
    mean = None if mu is None else vector(mu, n, "mu")
    if _only_budget(c):
        try:
            ones = cho_solve(cho_factor(sigma + l2 * np.eye(n)), np.ones(n))
        except np.linalg.LinAlgError as exc:
            raise DataError("unconstrained minimum variance needs a positive definite "
                            "covariance (or l2 > 0)", field="cov") from exc
        w: FloatArray = ones * (c.budget / ones.sum())
    else:
        ones = np.ones(n)
        w = limit_holdings(lambda cc: _solve(cc, sigma, l2, "min variance", (ones,)), c, n)
    return make_result("min variance", labels, w, sigma, mu=mean, status=status(c),
                       risk_free_rate=risk_free_rate, constraints=c.describe(n))


def efficient_return(mu: npt.ArrayLike, cov: npt.ArrayLike, target_return: float,
                     constraints: Constraints | None = None, *,
                     names: Sequence[str] | None = None, l2: float = 0.0,
                     risk_free_rate: float = 0.0) -> Result:
    """Minimum variance with μᵀw ≥ ``target_return``."""
    c, sigma, labels = _inputs(cov, constraints, names)
    n = sigma.shape[0]
    mean = vector(mu, n, "mu")
    method = f"efficient return {target_return:g}"

    target = Block(f"target return ≥ {target_return:g}",
                   weight_rows(-mean[None, :], c.n_vars(n)), np.array([-target_return]))

    def solve(cc: Constraints) -> FloatArray:
        try:
            return _solve(cc, sigma, l2, method, (np.ones(n), mean), target)
        except ConfigError as exc:
            best = max_return(cc, mean)
            if best is not None and best < target_return:
                raise ConfigError(f"{method}: target return {target_return:g} is above the "
                                  f"maximum achievable {best:g} under the constraints") from exc
            raise

    w = limit_holdings(solve, c, n, target)
    return make_result(method, labels, w, sigma, mu=mean, risk_free_rate=risk_free_rate,
                       constraints=(*c.describe(n), f"target return ≥ {target_return:g}"),
                       status=status(c))


def efficient_risk(mu: npt.ArrayLike, cov: npt.ArrayLike, target_volatility: float,
                   constraints: Constraints | None = None, *,
                   names: Sequence[str] | None = None, risk_free_rate: float = 0.0) -> Result:
    """Maximum expected return with volatility ≤ ``target_volatility`` (a second-order cone)."""
    c, sigma, labels = _inputs(cov, constraints, names)
    n = sigma.shape[0]
    mean = vector(mu, n, "mu")
    root = factor_of(sigma)
    method = f"efficient risk {target_volatility:g}"

    def solve(cc: Constraints) -> FloatArray:
        model = cc.model(n)
        nv = model.n_vars
        cone = sp.vstack([sp.csr_matrix((1, nv)), weight_rows(-root, nv)], format="csr")
        a, b, g, h = model.stacked()
        q = np.concatenate([-mean, np.zeros(nv - n)])
        sol = conic(q, (a, b), (g, h), socs=((cone, np.r_[target_volatility, np.zeros(n)]),))
        if sol.ok:
            return sol.x[:n]
        floor = _solve(cc, sigma, 0.0, method, ())  # raises when the linear part conflicts
        lowest = float(np.sqrt(max(float(floor @ sigma @ floor), 0.0)))
        raise ConfigError(f"{method}: target volatility {target_volatility:g} is below the "
                          f"minimum achievable {lowest:g} under the constraints")

    w = limit_holdings(solve, c, n)
    return make_result(method, labels, w, sigma, mu=mean, risk_free_rate=risk_free_rate,
                       constraints=(*c.describe(n), f"volatility ≤ {target_volatility:g}"),
                       status=status(c))


def max_sharpe(mu: npt.ArrayLike, cov: npt.ArrayLike, constraints: Constraints | None = None,
               *, risk_free_rate: float = 0.0, names: Sequence[str] | None = None) -> Result:
    """The tangency portfolio: maximum (μᵀw − r_f)/σ(w) under the constraints."""
    c, sigma, labels = _inputs(cov, constraints, names)
    n = sigma.shape[0]
    excess = vector(mu, n, "mu") - risk_free_rate
    if excess.max() <= 0:
        raise ConfigError("max sharpe: no asset has an expected return above the risk-free "
                          f"rate {risk_free_rate:g}")
    w = limit_holdings(lambda cc: _tangency(cc, sigma, excess), c, n)
    return make_result("max sharpe", labels, w, sigma, mu=excess + risk_free_rate,
                       risk_free_rate=risk_free_rate, constraints=c.describe(n),
                       status=status(c))


def _inputs(cov: npt.ArrayLike, constraints: Constraints | None,
            names: Sequence[str] | None) -> tuple[Constraints, FloatArray, tuple[str, ...]]:
    c = constraints or Constraints()
    sigma = covariance(cov)
    labels = asset_names(names, sigma.shape[0])
    c.check(sigma.shape[0], labels)
    return c, sigma, labels


def _only_budget(c: Constraints) -> bool:
    return bool(np.isneginf(c.lower).all() and np.isposinf(c.upper).all()
                and not c.group_bounds and c.max_turnover is None and c.max_holdings is None
                and c.factors is None)


def _solve(c: Constraints, sigma: FloatArray, l2: float, method: str,
           directions: tuple[FloatArray, ...], *extra: Block) -> FloatArray:
    """min wᵀ(Σ + l2·I)w under ``c`` and ``extra`` blocks; ConfigError when infeasible."""
    model = c.model(sigma.shape[0]).plus(*extra)
    a, b, g, h = model.stacked()
    sol = conic(np.zeros(model.n_vars), (a, b), (g, h), P=hessian(sigma, model.n_vars, l2),
                screen=_screen(c, sigma, model.n_vars, directions))
    return _weights(sol, model, method)


def _screen(c: Constraints, sigma: FloatArray, n_vars: int,
            directions: tuple[FloatArray, ...]) -> Screen | None:
    """Columns that may rest at a zero lower bound, and a guessed support: for each direction
    d, the largest positive dᵢ/σᵢ² (a quarter of the assets at most). No factorization: a poor
    guess costs a round of column generation, not accuracy."""
    n = sigma.shape[0]
    if n < SCREEN_MIN or c.max_turnover is not None or not directions:
        return None
    movable, guess = np.zeros(n_vars, dtype=bool), np.zeros(n_vars, dtype=bool)
    movable[:n] = c.bounds(n)[0] == 0
    for d in directions:
        u = d / np.diag(sigma)
        top = np.argsort(-u)[:max(20, n // 4)]
        guess[top[u[top] > 0]] = True
    return movable, guess


def _tangency(c: Constraints, sigma: FloatArray, excess: FloatArray) -> FloatArray:
    n = sigma.shape[0]
    model = c.model(n)
    nv = model.n_vars
    a, b, g, h = model.stacked()
    eq = sp.vstack([sp.hstack([a, -b[:, None]]),
                    sp.hstack([weight_rows(excess[None, :], nv), np.zeros((1, 1))])],
                   format="csr")
    kappa = sp.csr_matrix(([-1.0], ([0], [nv])), shape=(1, nv + 1))
    ineq = sp.vstack([sp.hstack([g, -h[:, None]]), kappa], format="csr")
    sol = conic(np.zeros(nv + 1), (eq, np.r_[np.zeros(b.size), 1.0]),
                (ineq, np.zeros(h.size + 1)), P=hessian(sigma, nv + 1, 0.0),
                screen=_screen(c, sigma, nv + 1, (excess,)))
    if not sol.ok or sol.x[nv] <= 0:
        _weights(conic(np.zeros(nv), (a, b), (g, h)), model, "max sharpe")
        raise ConfigError("max sharpe: no portfolio within the constraints has an expected "
                          "return above the risk-free rate")
    w: FloatArray = sol.x[:n] / sol.x[nv]
    return w


def _weights(sol: Solution, model: LinearModel, method: str) -> FloatArray:
    if not sol.ok:
        raise_conflict(model, method, sol.status)
    return sol.x[:model.n_assets]
