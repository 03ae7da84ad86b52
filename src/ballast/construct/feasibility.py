"""Explain an infeasible problem by the constraint families that conflict.

A deletion filter over the named blocks: drop one family at a time and keep it dropped when the
rest stays infeasible. What remains is irreducible — infeasible together, feasible without any
one of them. Each test is a feasibility LP (zero objective) solved by HiGHS.
"""

from __future__ import annotations

from typing import NoReturn

import numpy as np

from ballast.construct.arrays import FloatArray
from ballast.construct.constraints import Constraints
from ballast.construct.linear import LinearModel
from ballast.construct.solver import INFEASIBLE, linear
from ballast.domain.errors import ConfigError


def infeasible(model: LinearModel) -> bool:
    """True when no point satisfies every block of ``model``."""
    a, b, g, h = model.stacked()
    return linear(np.zeros(model.n_vars), (a, b), (g, h)).status == INFEASIBLE


def conflicting(model: LinearModel) -> tuple[str, ...]:
    """Names of an irreducible infeasible set of blocks (empty when ``model`` is feasible)."""
    if not infeasible(model):
        return ()
    kept = list(model.blocks)
    for block in model.blocks:
        trial = [b for b in kept if b is not block]
        if infeasible(LinearModel(model.n_assets, model.n_vars, tuple(trial))):
            kept = trial
    return tuple(b.name for b in kept)


def raise_conflict(model: LinearModel, method: str, status: str) -> NoReturn:
    """Raise ConfigError naming the conflicting constraints, or the solver status if none."""
    names = conflicting(model)
    if names:
        raise ConfigError(f"{method}: infeasible — these constraints conflict: "
                          f"{'; '.join(names)} (feasible without any one of them)")
    raise ConfigError(f"{method}: the solver stopped with status {status!r} although the "
                      "linear constraints are feasible; check that the covariance is positive "
                      "semidefinite and the inputs are well scaled")


def max_return(c: Constraints, mean: FloatArray) -> float | None:
    """The highest μᵀw under ``c`` (None when ``c`` is infeasible)."""
    model = c.model(mean.size)
    a, b, g, h = model.stacked()
    sol = linear(np.concatenate([-mean, np.zeros(model.n_vars - mean.size)]), (a, b), (g, h))
    return float(mean @ sol.x[:mean.size]) if sol.ok else None
