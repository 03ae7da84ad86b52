"""Direct indexing: track a benchmark with at most N of its constituents.

Minimizes the tracking variance (w − b)ᵀΣ(w − b) under the constraints (sector caps as group
bounds), with excluded names held at zero. The holdings limit uses the halving heuristic of
:mod:`ballast.construct.cardinality` (Clarabel has no integers): solve the relaxation, keep the
larger of N and half the held names, re-solve on that support, repeat. The result reports the
tracking error achieved (annualized if Σ is).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence

import numpy as np
import numpy.typing as npt

from ballast.construct.arrays import FloatArray, asset_names, covariance, finite_vector
from ballast.construct.cardinality import limit_holdings, status
from ballast.construct.constraints import Constraints
from ballast.construct.feasibility import raise_conflict
from ballast.construct.result import Result, make_result
from ballast.construct.solver import conic, hessian
from ballast.domain.errors import DataError


def track_index(benchmark: npt.ArrayLike, cov: npt.ArrayLike, max_names: int,
                constraints: Constraints | None = None, *, exclude: Collection[str] = (),
                names: Sequence[str] | None = None) -> Result:
    """Weights of at most ``max_names`` constituents that track ``benchmark`` closely."""
    sigma = covariance(cov)
    n = sigma.shape[0]
    labels = asset_names(names, n)
    bench = finite_vector(benchmark, n, "benchmark")
    unknown = sorted(set(exclude) - set(labels))
    if unknown:
        raise DataError(f"excluded names not in the universe: {', '.join(unknown)}",
                        field="exclude")
    c = constraints or Constraints()
    lo, hi = c.bounds(n)
    out = np.isin(np.asarray(labels, dtype=object), list(exclude))
    c = dataclasses.replace(c, lower=np.where(out, 0.0, lo), upper=np.where(out, 0.0, hi),
                            max_holdings=max_names)
    c.check(n, labels)
    q_w = -2.0 * sigma @ bench

    def solve(cc: Constraints) -> FloatArray:
        model = cc.model(n)
        a, b, g, h = model.stacked()
        q = np.concatenate([q_w, np.zeros(model.n_vars - n)])
        sol = conic(q, (a, b), (g, h), P=hessian(sigma, model.n_vars))
        if not sol.ok:
            raise_conflict(model, "direct index", sol.status)
        return sol.x[:n]

    w = limit_holdings(solve, c, n)
    active = w - bench
    te = float(np.sqrt(max(float(active @ sigma @ active), 0.0)))
    described = c.describe(n)
    if len(exclude):
        described = (*described, f"excluded: {', '.join(sorted(exclude))}")
    return make_result("direct index", labels, w, sigma, constraints=described, status=status(c),
                       metrics=(("tracking error", te),
                                ("benchmark weight held", float(bench[w != 0].sum()))))
