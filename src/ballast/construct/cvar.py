"""Mean-CVaR on return scenarios: the Rockafellar–Uryasev linear program.

min α + 1/(T(1 − β)) Σₜ uₜ  s.t. uₜ ≥ −rₜᵀw − α, uₜ ≥ 0, the constraints, and optionally
μᵀw ≥ target. With ``max_holdings`` the problem gains binaries zᵢ (wᵢ ≤ upperᵢ·zᵢ,
wᵢ ≥ min(lowerᵢ, 0)·zᵢ, Σz ≤ k) and is solved exactly as a MILP by HiGHS.

HiGHS (dual simplex, weight bounds as column bounds) solves the LP unless there are more than
TALL scenarios per asset, where Clarabel is faster (measured: 1,000 × 100 scenarios 0.5 s vs
3.0 s; 8,312 × 20 scenarios 4.3 s vs 1.6 s).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from ballast.construct.arrays import asset_names, vector
from ballast.construct.cardinality import cardinality_rows
from ballast.construct.constraints import BOUNDS, Constraints
from ballast.construct.feasibility import max_return, raise_conflict
from ballast.construct.linear import Block, weight_rows
from ballast.construct.result import Result, make_result
from ballast.construct.solver import conic, linear
from ballast.domain.errors import ConfigError, DataError

TALL = 200


def mean_cvar(scenarios: npt.ArrayLike, constraints: Constraints | None = None, *,
              beta: float = 0.95, target_return: float | None = None,
              mu: npt.ArrayLike | None = None, names: Sequence[str] | None = None) -> Result:
    """Minimum CVaR at level ``beta`` over the scenarios [T, N], optionally with μᵀw ≥ target.

    ``mu`` defaults to the scenario mean; the reported CVaR is a positive loss per period.
    """
    r = np.asarray(scenarios, dtype=np.float64)
    if r.ndim != 2 or r.shape[0] < 2 or not np.isfinite(r).all():
        raise DataError(f"scenarios must be a finite (T, N) matrix, got {r.shape}",
                        field="scenarios")
    if not 0.0 < beta < 1.0:
        raise ConfigError(f"CVaR level beta {beta:g} must be in (0, 1)")
    t, n = r.shape
    c = constraints or Constraints()
    labels = asset_names(names, n)
    c.check(n, labels)
    mean = r.mean(axis=0) if mu is None else vector(mu, n, "mu")
    method = f"mean-CVaR {beta:g}"
    model = c.model(n)
    if target_return is not None:
        model = model.plus(Block(f"target return ≥ {target_return:g}",
                                 weight_rows(-mean[None, :], model.n_vars),
                                 np.array([-target_return])))
    nv = model.n_vars
    k = 0 if c.max_holdings is None else n
    cost = np.concatenate([np.zeros(nv), [1.0], np.full(t, 1.0 / (t * (1.0 - beta))),
                           np.zeros(k)])
    loss = sp.hstack([sp.csr_matrix(-r), sp.csr_matrix((t, nv - n)), -np.ones((t, 1)),
                      -sp.identity(t), sp.csr_matrix((t, k))], format="csr")
    if k or t <= TALL * n:  # HiGHS, weight bounds as column bounds; exact MILP with k
        a, b, g, h = model.without({BOUNDS}).stacked(extra=1 + t + k)
        ineq, rhs = [g, loss], [h, np.zeros(t)]
        if k:
            rows, bound = cardinality_rows(c, n, nv + 1 + t)
            ineq.append(rows)
            rhs.append(bound)
        lo, hi = c.bounds(n)
        free = np.full(nv - n + 1, np.inf)
        sol = linear(cost, (a, b), (sp.vstack(ineq, format="csr"), np.concatenate(rhs)),
                     integer=np.r_[np.zeros(nv + 1 + t), np.ones(k)] if k else None,
                     lower=np.r_[lo, -free, np.zeros(t + k)],
                     upper=np.r_[hi, free, np.full(t, np.inf), np.ones(k)])
    else:  # many more scenarios than assets: Clarabel's interior point is faster
        a, b, g, h = model.stacked(extra=1 + t)
        floor = sp.hstack([sp.csr_matrix((t, nv + 1)), -sp.identity(t)], format="csr")
        sol = conic(cost, (a, b), (sp.vstack([g, loss, floor], format="csr"),
                                   np.r_[h, np.zeros(2 * t)]))
    if not sol.ok:
        best = None if target_return is None else max_return(c, mean)
        if best is not None and target_return is not None and best < target_return:
            raise ConfigError(f"{method}: target return {target_return:g} is above the maximum "
                              f"achievable {best:g} under the constraints")
        raise_conflict(model, method, sol.status)
    w = sol.x[:n].copy()
    if k:
        w[sol.x[nv + 1 + t:] < 0.5] = 0.0
    cvar = float(cost[nv:nv + 1 + t] @ sol.x[nv:nv + 1 + t])
    described = c.describe(n)
    if target_return is not None:
        described = (*described, f"target return ≥ {target_return:g}")
    cov = np.atleast_2d(np.cov(r, rowvar=False))
    return make_result(method, labels, w, cov, mu=mean, constraints=described,
                       metrics=(("cvar", cvar), ("beta", beta)))

