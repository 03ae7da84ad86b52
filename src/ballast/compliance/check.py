"""The pre-trade check: every rule in force on every proposal, auto-fixes applied and the
result re-checked, a decision per proposal."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ballast.compliance import tail, trades, weights
from ballast.compliance.context import Found, Post
from ballast.compliance.inputs import CheckInput
from ballast.compliance.results import Approved, Decision, Denied, Fix, Violation
from ballast.config.compliance import Action, Rule, RuleSet

_MEASURES: dict[str, Callable[[Post, Any], Found]] = {
    "max_weight": weights.max_weight, "min_weight": weights.min_weight,
    "min_cash": weights.cash, "max_cash": weights.cash,
    "max_gross_exposure": weights.gross_exposure, "no_shorts": weights.no_shorts,
    "max_turnover": weights.turnover, "restricted": trades.restricted,
    "liquidity": trades.liquidity, "wash_sale": trades.wash_sale,
    "suitability": trades.suitability, "max_var": tail.max_var, "max_cvar": tail.max_var,
    "max_tracking_error": tail.max_tracking_error,
}


@dataclass(frozen=True)
class CheckOutcome:
    """A decision per account of the input (in its order), the fixes made, and the batch as
    it was finally checked (the fixed trades)."""

    decisions: tuple[Decision, ...]
    fixes: tuple[Fix, ...]
    checked: CheckInput

    @property
    def violations(self) -> list[Violation]:
        return [v for d in self.decisions for v in d.violations]


def rules_of(sets: Iterable[RuleSet]) -> list[Rule]:
    """The rules of several sets, in order."""
    return [rule for s in sets for rule in s.rules]


def evaluate(inp: CheckInput, rules: Sequence[Rule]) -> tuple[list[Violation], list[Found]]:
    """Every violation of the rules in force on ``inp.as_of``, and each rule's findings."""
    post = Post(inp)
    found = [_MEASURES[r.kind](post, r) for r in rules if r.in_force(inp.as_of)]
    return [v for f in found for v in f.violations], found


def check(inp: CheckInput, rules: Sequence[Rule]) -> CheckOutcome:
    """Check the batch. ``auto_fix`` rules that found violations cut or drop the trades at
    fault (floored to the lot size); the fixed batch is then checked again against every rule,
    and that second result decides (an auto_fix violation still there blocks)."""
    in_force = [r for r in rules if r.in_force(inp.as_of)]
    violations, found = evaluate(inp, in_force)
    caps = [(r, f) for r, f in zip(in_force, found, strict=True)
            if r.action is Action.AUTO_FIX and f.cap is not None and f.violations]
    fixes: list[Fix] = []
    checked = inp
    if caps:
        stacked = np.vstack([f.cap for _, f in caps if f.cap is not None])
        new_q = np.minimum(inp.trade_quantity, stacked.min(axis=0))
        changed = np.flatnonzero(new_q < inp.trade_quantity)
        if len(changed):
            fixes = _fixes(inp, changed, new_q, caps)
            checked = inp.with_quantities(new_q)
            violations, _ = evaluate(checked, in_force)
    return CheckOutcome(_decide(inp.accounts, violations, fixes), tuple(fixes), checked)


def _fixes(inp: CheckInput, changed: np.ndarray[Any, Any], new_q: np.ndarray[Any, Any],
           caps: list[tuple[Rule, Found]]) -> list[Fix]:
    why: dict[int, list[Violation]] = {}
    binding: dict[int, list[str]] = {}
    for rule, f in caps:
        assert f.cap is not None
        for t in np.flatnonzero(f.cap <= new_q).tolist():
            binding.setdefault(t, []).append(rule.id)
        for v in f.violations:
            for t in v.trades:
                why.setdefault(t, []).append(v)
    out = []
    for t in changed.tolist():
        a, j = int(inp.trade_account[t]), int(inp.trade_instrument[t])
        old, new = float(inp.trade_quantity[t]), float(new_q[t])
        verb = "dropped" if new == 0 else f"cut from {old:g} to {new:g}"
        reasons = "; ".join(dict.fromkeys(v.explanation for v in why.get(t, ())
                                          if v.rule_id in binding.get(t, ())))
        out.append(Fix(inp.accounts[a], t, inp.instruments[j],
                       "buy" if inp.trade_side[t] > 0 else "sell", old, new,
                       tuple(binding.get(t, ())), f"{verb}: {reasons}"))
    return out


def _decide(accounts: Sequence[str], violations: list[Violation],
            fixes: list[Fix]) -> tuple[Decision, ...]:
    by_account: dict[str, list[Violation]] = {}
    for v in violations:
        by_account.setdefault(v.account, []).append(v)
    fixed: dict[str, list[Fix]] = {}
    for f in fixes:
        fixed.setdefault(f.account, []).append(f)
    out: list[Decision] = []
    for a in accounts:
        found, made = tuple(by_account.get(a, ())), tuple(fixed.get(a, ()))
        out.append(Denied(a, found, made) if any(v.blocks for v in found)
                   else Approved(a, found, made))
    return tuple(out)
