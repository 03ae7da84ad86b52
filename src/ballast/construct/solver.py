"""Thin calls to Clarabel (QP/SOCP) and HiGHS (LP/MILP) on matrices built by ballast.

The problems are assembled directly in the solvers' standard forms: cvxpy's canonicalization
cost two to five times the solve itself on these sizes (see docs/construction.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import clarabel  # type: ignore[import-untyped]
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from ballast.construct.arrays import FloatArray

OPTIMAL, INFEASIBLE, UNBOUNDED = "optimal", "infeasible", "unbounded"
Rows = tuple[sp.csr_matrix, FloatArray]
SCREEN_MIN = 150  # from this many variables a QP with a screen is solved by column generation
DENSE_QP = 200  # from this many variables Clarabel factors a QP's KKT system with faer
SCREEN_ROUNDS, SCREEN_TOLERANCE = 8, 1e-8
Screen = tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]  # (movable, guessed support)

_CLARABEL = {
    clarabel.SolverStatus.Solved: OPTIMAL,
    clarabel.SolverStatus.AlmostSolved: OPTIMAL,
    clarabel.SolverStatus.PrimalInfeasible: INFEASIBLE,
    clarabel.SolverStatus.AlmostPrimalInfeasible: INFEASIBLE,
    clarabel.SolverStatus.DualInfeasible: UNBOUNDED,
    clarabel.SolverStatus.AlmostDualInfeasible: UNBOUNDED,
}
_HIGHS = {0: OPTIMAL, 2: INFEASIBLE, 3: UNBOUNDED}


@dataclass(frozen=True, slots=True, eq=False)
class Solution:
    """Primal solution and a status: optimal, infeasible, unbounded, or the solver's word."""

    x: FloatArray
    status: str

    @property
    def ok(self) -> bool:
        """True when the solver found an optimum."""
        return self.status == OPTIMAL


def conic(q: FloatArray, eq: Rows, ineq: Rows, *, P: FloatArray | None = None,
          socs: tuple[Rows, ...] = (), screen: Screen | None = None) -> Solution:
    """min ½xᵀPx + qᵀx s.t. A x = b, G x ≤ h, and r − M x in a second-order cone per SOC.

    ``screen`` (columns that may sit at a zero lower bound, and a guess of the support) lets a
    QP of SCREEN_MIN variables or more be solved by column generation (:func:`_screened`).
    """
    # Scale the objective to order one: daily covariances (~1e-4) would otherwise meet the
    # absolute gap tolerance (1e-8) long before the weights settle. The argmin is unchanged.
    scale = max(float(np.abs(q).max(initial=0.0)),
                0.0 if P is None else float(np.abs(P).max(initial=0.0)))
    if scale > 0:
        q = q / scale
        P = None if P is None else P / scale
    if screen is not None and P is not None and not socs and q.size >= SCREEN_MIN:
        found = _screened(P, q, eq, ineq, screen)
        if found is not None:
            return found
    return _clarabel(P, q, eq, ineq, socs)[0]


def _clarabel(hess: FloatArray | None, q: FloatArray, eq: Rows, ineq: Rows,
              socs: tuple[Rows, ...] = ()) -> tuple[Solution, FloatArray]:
    """Clarabel's solution and the duals z of the rows (P x + q + Aᵀz = 0)."""
    parts = [eq, ineq, *socs]
    mat = sp.vstack([m for m, _ in parts], format="csc")
    rhs = np.concatenate([r for _, r in parts])
    cones: list[object] = []
    if eq[1].size:
        cones.append(clarabel.ZeroConeT(eq[1].size))
    if ineq[1].size:
        cones.append(clarabel.NonnegativeConeT(ineq[1].size))
    cones += [clarabel.SecondOrderConeT(r.size) for _, r in socs]
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    if hess is not None and q.size >= DENSE_QP:  # faer's supernodal LDLᵀ wins on dense Σ
        settings.direct_solve_method = "faer"
        settings.max_threads = 1
    upper = sp.csc_matrix((q.size, q.size)) if hess is None else sp.csc_matrix(np.triu(hess))
    sol = clarabel.DefaultSolver(upper, q, mat, rhs, cones, settings).solve()
    return (Solution(np.asarray(sol.x, dtype=np.float64),
                     _CLARABEL.get(sol.status, str(sol.status))),
            np.asarray(sol.z, dtype=np.float64))


def _screened(dense: FloatArray, q: FloatArray, eq: Rows, ineq: Rows,
              screen: Screen) -> Solution | None:
    """Column generation: solve on a support, then add every excluded column whose reduced
    cost (P x + q + Aᵀz)ᵢ is negative, until none is — then x is optimal for the full problem
    (the excluded columns sit at their zero lower bound with a non-negative multiplier).
    None when a restricted problem fails or the rounds run out: the caller solves in full."""
    movable, guess = screen
    support = guess | ~movable
    for _ in range(SCREEN_ROUNDS):
        cols, out = np.flatnonzero(support), np.flatnonzero(~support)
        kept = []
        for mat, rhs in (eq, ineq):
            sub = mat[:, cols].tocsr()
            live = np.diff(sub.indptr) > 0
            idle = rhs[~live]  # rows on excluded columns only: must hold at x = 0
            if (mat is eq[0] and np.abs(idle).max(initial=0.0) > 0) or (idle < 0).any():
                return None
            kept.append((sub[live], rhs[live], mat[live][:, out]))
        sol, z = _clarabel(dense[np.ix_(cols, cols)], q[cols],
                           kept[0][:2], kept[1][:2])
        if not sol.ok:
            return None
        x = np.zeros(q.size)
        x[cols] = sol.x
        duals = z[:kept[0][1].size], z[kept[0][1].size:]
        reduced = (dense[out][:, cols] @ sol.x + q[out] + kept[0][2].T @ duals[0]
                   + kept[1][2].T @ duals[1])
        late = out[reduced < -SCREEN_TOLERANCE]
        if late.size == 0:
            return Solution(x, OPTIMAL)
        support[late] = True
    return None


def linear(c: FloatArray, eq: Rows, ineq: Rows, *, integer: FloatArray | None = None,
           lower: FloatArray | None = None, upper: FloatArray | None = None) -> Solution:
    """min cᵀx s.t. A x = b, G x ≤ h, lower ≤ x ≤ upper (free by default); HiGHS LP or MILP."""
    n = c.shape[0]
    rows = [LinearConstraint(m, r, r) for m, r in (eq,) if r.size]
    rows += [LinearConstraint(m, -np.inf, r) for m, r in (ineq,) if r.size]
    bounds = Bounds(np.full(n, -np.inf) if lower is None else lower,
                    np.full(n, np.inf) if upper is None else upper)
    res = milp(c, integrality=integer, bounds=bounds, constraints=rows)
    x = np.full(n, np.nan) if res.x is None else np.asarray(res.x, dtype=np.float64)
    return Solution(x, _HIGHS.get(res.status, str(res.message)))


def hessian(sigma: FloatArray, n_vars: int, l2: float = 0.0) -> FloatArray:
    """P of ½xᵀPx = wᵀ(Σ + l2·I)w over ``n_vars`` variables, the weights first (dense)."""
    n = sigma.shape[0]
    out = np.zeros((n_vars, n_vars))
    out[:n, :n] = 2.0 * sigma
    if l2:
        out[range(n), range(n)] += 2.0 * l2
    return out
