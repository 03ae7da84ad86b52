"""Drawdown-adjusted targets in a rebalance run: each de-risked account gets its model with the
ladder's sleeve targets and cash target, and the ladder's rationale as the account's note."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from ballast.compliance.drawdown import AdjustedTargets
from ballast.rebalance import ModelTargets, RebalanceInput


def apply_drawdown(inp: RebalanceInput, adjusted: Mapping[str, AdjustedTargets]
                   ) -> tuple[RebalanceInput, dict[int, str]]:
    """``inp`` with every account of ``adjusted`` (by id) on its adjusted targets — one extra
    model per distinct (model, targets) — and a note for each account the ladder de-risks."""
    models = list(inp.models)
    model_of = inp.model_of.copy()
    derived: dict[tuple[int, tuple[float, ...], float], int] = {}
    notes: dict[int, str] = {}
    for a, account in enumerate(inp.accounts):
        adj, k = adjusted.get(account), int(inp.model_of[a])
        if adj is None or k < 0 or adj.scale == 1.0:
            continue
        base = inp.models[k]
        target = tuple(adj.targets.get(s, float(t))
                       for s, t in zip(base.sleeve_names, base.target, strict=True))
        key = (k, target, adj.cash)
        if key not in derived:
            derived[key] = len(models)
            models.append(_derisked(base, target, adj.cash))
        model_of[a] = derived[key]
        notes[a] = adj.rationale
    return replace(inp, models=tuple(models), model_of=model_of), notes


def _derisked(base: ModelTargets, target: tuple[float, ...], cash: float) -> ModelTargets:
    """``base`` with other sleeve targets and cash target; the minimum cash is kept below it."""
    return replace(base, target=np.array(target, dtype=np.float64), cash_target=cash,
                   cash_minimum=min(base.cash_minimum, cash))
