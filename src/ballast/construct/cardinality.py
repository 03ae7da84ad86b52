"""At most k holdings for the quadratic problems: a documented heuristic.

Clarabel has no integer variables, so an exact MIQP is out of reach. The heuristic:

1. Solve the problem without the limit (the relaxation), giving w*.
2. While more than k names are held, keep the larger of k and half of the held names (largest
   |weight| first; assets with a positive lower bound always kept) and re-solve on that
   support. At most ⌈log₂(N/k)⌉ + 1 solves.
3. If a support turns out infeasible (a target return the largest weights cannot reach, say),
   pick the support instead by a MILP (HiGHS): the k names whose portfolio is closest to w* in
   L1 distance among all that satisfy the linear constraints; then re-solve on it.

The result holds ≤ k names and is optimal on its support (weights below 1e-7 are set to zero).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from ballast.construct.arrays import FloatArray
from ballast.construct.constraints import Constraints
from ballast.construct.linear import Block
from ballast.construct.solver import linear
from ballast.domain.errors import ConfigError

HELD = 1e-7


def limit_holdings(solve: Callable[[Constraints], FloatArray], constraints: Constraints,
                   n: int, *extra: Block) -> FloatArray:
    """Weights from ``solve`` holding at most ``constraints.max_holdings`` names.

    ``extra`` are the method's own linear blocks (a target return), used by the MILP step.
    """
    k = constraints.max_holdings
    free = dataclasses.replace(constraints, max_holdings=None)
    relaxed = w = solve(free)
    if k is None:
        return w
    lo, hi = constraints.bounds(n)
    while np.count_nonzero(np.abs(w) > HELD) > k:
        held = np.count_nonzero(np.abs(w) > HELD)
        priority = np.where(lo > 0, np.inf, np.abs(w))
        support = np.zeros(n, dtype=bool)
        support[np.argsort(-priority, kind="stable")[:max(k, -(-held // 2))]] = True
        try:
            w = solve(_on(free, support, lo, hi))
        except ConfigError:
            support = _closest_support(constraints, relaxed, extra)
            try:
                w = solve(_on(free, support, lo, hi))
            except ConfigError as exc:
                raise ConfigError(f"max holdings {k}: the heuristic found no support of {k} "
                                  f"names that works ({exc})") from exc
    out: FloatArray = np.where(np.abs(w) > HELD, w, 0.0)
    return out


def status(constraints: Constraints) -> str:
    """The result status of a quadratic problem solved under ``constraints``."""
    if constraints.max_holdings is None:
        return "optimal"
    return f"heuristic: optimal on a support of at most {constraints.max_holdings} names"


def cardinality_rows(c: Constraints, n: int, offset: int) -> tuple[sp.csr_matrix, FloatArray]:
    """wᵢ ≤ upperᵢ·zᵢ, wᵢ ≥ min(lowerᵢ, 0)·zᵢ and Σz ≤ k, the binaries z after ``offset``."""
    lo, hi = c.bounds(n)
    if not (np.isfinite(lo).all() and np.isfinite(hi).all()):
        raise ConfigError("max holdings needs finite weight bounds")
    eye = sp.identity(n, format="csr")
    gap = sp.csr_matrix((n, offset - n))
    rows = sp.vstack([sp.hstack([eye, gap, sp.diags(-hi)]),
                      sp.hstack([-eye, gap, sp.diags(np.minimum(lo, 0.0))]),
                      sp.hstack([sp.csr_matrix((1, offset)), np.ones((1, n))])], format="csr")
    return rows, np.r_[np.zeros(2 * n), c.max_holdings]


def _on(c: Constraints, support: npt.NDArray[np.bool_], lo: FloatArray,
        hi: FloatArray) -> Constraints:
    return dataclasses.replace(c, lower=np.where(support, lo, 0.0),
                               upper=np.where(support, hi, 0.0))


def _closest_support(c: Constraints, target: FloatArray,
                     extra: tuple[Block, ...]) -> npt.NDArray[np.bool_]:
    """The support of the feasible k-name portfolio nearest ``target`` in L1 (a MILP)."""
    n = target.size
    model = c.model(n).plus(*extra)
    nv = model.n_vars
    a, b, g, h = model.stacked(extra=2 * n)
    eye = sp.identity(n, format="csr")
    pad = sp.csr_matrix((n, nv - n))
    dist = sp.vstack([sp.hstack([eye, pad, -eye, sp.csr_matrix((n, n))]),
                      sp.hstack([-eye, pad, -eye, sp.csr_matrix((n, n))])], format="csr")
    card, card_rhs = cardinality_rows(c, n, nv + n)
    cost = np.r_[np.zeros(nv), np.ones(n), np.zeros(n)]
    sol = linear(cost, (a, b), (sp.vstack([g, dist, card], format="csr"),
                                np.concatenate([h, target, -target, card_rhs])),
                 integer=np.r_[np.zeros(nv + n), np.ones(n)],
                 lower=np.r_[np.full(nv, -np.inf), np.zeros(2 * n)],
                 upper=np.r_[np.full(nv + n, np.inf), np.ones(n)])
    if not sol.ok:
        families = "; ".join(b.name for b in model.blocks)
        raise ConfigError(f"max holdings {c.max_holdings}: no portfolio of that many names "
                          f"meets the other constraints ({families})")
    support: npt.NDArray[np.bool_] = sol.x[nv + n:] > 0.5
    return support
