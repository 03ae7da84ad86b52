"""The pre-trade check: every rule in force on every proposal, auto-fixes applied and the
result re-checked, a decision per proposal."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ballast.compliance import tail, trades, weights
from ballast.compliance.context import Found, Post
from ballast.compliance.inputs import CheckInput, FloatArray, IntArray
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


MAX_ROUNDS = 3  # fix, re-check, fix what the fix broke, … at most this many times


def check(inp: CheckInput, rules: Sequence[Rule]) -> CheckOutcome:
    """Check the batch. ``auto_fix`` rules that found violations cut or drop the trades at
    fault (floored to the lot size); the accounts whose trades changed are checked again
    against every rule (``_recheck``), and fixed again while a fix causes a new fixable breach
    (at most ``MAX_ROUNDS`` times). The last check of each account decides."""
    in_force = [r for r in rules if r.in_force(inp.as_of)]
    violations, found = evaluate(inp, in_force)
    by_account: dict[str, list[Violation]] = {}
    for v in violations:
        by_account.setdefault(v.account, []).append(v)
    quantity = inp.trade_quantity.copy()
    fixes: list[Fix] = []
    sub, trade_map, acct_map = inp, np.arange(len(quantity)), np.arange(len(inp.accounts))
    for _ in range(MAX_ROUNDS):
        caps = [(r, f) for r, f in zip(in_force, found, strict=True)
                if r.action is Action.AUTO_FIX and f.cap is not None and f.violations]
        if not caps:
            break
        stacked = np.vstack([f.cap for _, f in caps if f.cap is not None])
        new_q = np.minimum(sub.trade_quantity, stacked.min(axis=0))
        changed = np.flatnonzero(new_q < sub.trade_quantity)
        if not len(changed):
            break
        fixes += _fixes(sub, changed, new_q, caps, trade_map)
        quantity[trade_map] = new_q
        acct_map = _recheck(inp, acct_map[sub.trade_account[changed]], by_account)
        sub, trade_map = inp.with_quantities(quantity).subset(acct_map)
        again, found = evaluate(sub, in_force)
        for a in sub.accounts:
            by_account[a] = []
        for v in again:
            by_account[v.account].append(_moved(v, trade_map) if v.trades else v)
    checked = inp.with_quantities(quantity) if fixes else inp
    return CheckOutcome(_decide(inp.accounts, by_account, fixes), tuple(fixes), checked)


def _recheck(inp: CheckInput, changed: IntArray,
             by_account: dict[str, list[Violation]]) -> IntArray:
    """The accounts to check again: those whose trades changed, and their household members
    with a wash-sale violation (a dropped loss sale may clear it; fixes affect no one
    else)."""
    names = {v.account for found in by_account.values() for v in found
             if v.kind == "wash_sale"}
    washed = np.isin(np.asarray(inp.accounts), sorted(names))
    again = np.zeros(len(inp.accounts), dtype=bool)
    again[changed] = True
    again |= washed & np.isin(inp.household, inp.household[changed])
    return np.flatnonzero(again)


def _moved(v: Violation, trade_map: IntArray) -> Violation:
    """``v`` of a sub-batch with its trades numbered as in the whole batch."""
    return Violation(v.account, v.rule_id, v.scope, v.kind, v.action, v.subject, v.measured,
                     v.limit, tuple(trade_map[list(v.trades)].tolist()), v.explanation)


def _fixes(inp: CheckInput, changed: IntArray, new_q: FloatArray,
           caps: list[tuple[Rule, Found]], trade_map: IntArray) -> list[Fix]:
    """The fixes of ``inp`` (a sub-batch), numbered as in the whole batch by ``trade_map``."""
    why: dict[int, list[Violation]] = {}
    binding: dict[int, list[str]] = {}
    for rule, f in caps:
        assert f.cap is not None
        for t in changed[f.cap[changed] <= new_q[changed]].tolist():
            binding.setdefault(t, []).append(rule.id)
        for v in f.violations:
            for t in v.trades:
                why.setdefault(t, []).append(v)
    out = []
    for t, a, j, old, new, side, glob in zip(
            changed.tolist(), inp.trade_account[changed].tolist(),
            inp.trade_instrument[changed].tolist(), inp.trade_quantity[changed].tolist(),
            new_q[changed].tolist(), inp.trade_side[changed].tolist(),
            trade_map[changed].tolist(), strict=True):
        verb = "dropped" if new == 0 else f"cut from {old:g} to {new:g}"
        rules = binding.get(t, [])
        reasons = "; ".join(dict.fromkeys(v.explanation for v in why.get(t, ())
                                          if v.rule_id in rules))
        out.append(Fix(inp.accounts[a], glob, inp.instruments[j], "buy" if side > 0 else "sell",
                       old, new, tuple(rules), f"{verb}: {reasons}"))
    return out


def _decide(accounts: Sequence[str], by_account: dict[str, list[Violation]],
            fixes: list[Fix]) -> tuple[Decision, ...]:
    fixed: dict[str, list[Fix]] = {}
    for f in fixes:
        fixed.setdefault(f.account, []).append(f)
    blocked = {v.account for found in by_account.values() for v in found
               if v.action is not Action.WARN}
    out: list[Decision] = [Approved(a) for a in accounts]
    index = {a: i for i, a in enumerate(accounts)}
    for a in {*by_account, *fixed}:
        found, made = tuple(by_account.get(a, ())), tuple(fixed.get(a, ()))
        if found or made:
            out[index[a]] = (Denied if a in blocked else Approved)(a, found, made)
    return tuple(out)
