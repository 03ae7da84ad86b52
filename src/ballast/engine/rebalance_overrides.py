"""What the cycle asks of a rebalance run beyond its policy: drawdown-adjusted targets, accounts
to rebalance whatever their drift (a limit breach the model cures) and accounts to leave alone
today (an adjustment of their own is under way) — each with the words that explain it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from ballast.compliance.drawdown import AdjustedTargets
from ballast.rebalance import ModelTargets, RebalanceInput


@dataclass(frozen=True, slots=True)
class RunOverrides:
    """By account id: ``adjusted`` targets of a drawdown ladder; ``force`` and ``hold`` notes
    (why the account is rebalanced now, or held back)."""

    adjusted: Mapping[str, AdjustedTargets] = field(default_factory=dict)
    force: Mapping[str, str] = field(default_factory=dict)
    hold: Mapping[str, str] = field(default_factory=dict)


def apply_overrides(inp: RebalanceInput, overrides: RunOverrides
                    ) -> tuple[RebalanceInput, dict[int, str], dict[int, str]]:
    """``inp`` with the overrides applied, the notes of forced and held accounts (by row), and
    the rationale of each de-risked account (by row)."""
    inp, derisked = _apply_drawdown(inp, overrides.adjusted)
    forced, hold = inp.forced.copy(), inp.hold.copy()
    notes: dict[int, str] = {}
    for a, account in enumerate(inp.accounts):
        if account in overrides.hold:
            hold[a], notes[a] = True, overrides.hold[account]
        elif account in overrides.force:
            forced[a], notes[a] = True, overrides.force[account]
    return replace(inp, forced=forced, hold=hold), notes, derisked


def _apply_drawdown(inp: RebalanceInput, adjusted: Mapping[str, AdjustedTargets]
                    ) -> tuple[RebalanceInput, dict[int, str]]:
    """Every account of ``adjusted`` on its adjusted targets — one extra model per distinct
    (model, targets) — and a note for each account the ladder de-risks."""
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
