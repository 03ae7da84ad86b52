"""Limit monitoring between rebalances: the holdings themselves (no trades) against the rules,
and, for each breach a sale can cure, the sells sized to bring the account back within the
limit with a margin — pro rata across the positions at fault, rounded up to the lot size.

Cured by selling: a maximum weight (the group's members), a minimum cash (every long
position), VaR / CVaR (every risky position: a portfolio's VaR scales with the share sold to
cash), gross exposure (every position) and a short (bought back). Breaches the model itself
cures — tracking error, a minimum weight, too much cash — are left to a forced rebalance;
the rest (a restricted holding, suitability) are alerts for a person."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from ballast.compliance.context import Post, pct
from ballast.compliance.inputs import BoolArray, CheckInput, FloatArray
from ballast.compliance.results import Violation
from ballast.config.compliance import MaxWeight, Rule

SOLD = frozenset({"max_weight", "min_cash", "max_var", "max_cvar", "max_gross_exposure",
                  "no_shorts"})
REBALANCED = frozenset({"max_tracking_error", "min_weight", "max_cash"})


@dataclass(frozen=True, slots=True)
class Adjustments:
    """Signed quantity changes [N, M] (negative: sell) and, per changed (account, instrument),
    the breaches that asked for it, in words."""

    delta: FloatArray
    reasons: dict[tuple[int, int], list[str]]


def size_adjustments(inp: CheckInput, violations: Sequence[Violation],
                     rules: Mapping[str, Rule], margin: float = 0.02) -> Adjustments:
    """Sells (and buy-backs of shorts) for the curable ``violations`` of ``inp``'s holdings;
    each aims at the limit less ``margin`` of it. Where breaches overlap, each position is cut
    by the largest share any of them asks."""
    post = Post(inp)
    n, m = inp.quantity_before.shape
    share = np.zeros((n, m))
    buy_back = np.zeros((n, m), dtype=bool)
    reasons: dict[tuple[int, int], list[str]] = {}
    row = {a: i for i, a in enumerate(inp.accounts)}
    risky = (inp.returns.std(axis=0) > 0) if inp.returns.shape[0] > 1 else np.ones(m, bool)
    for v in violations:
        if v.kind not in SOLD or not np.isfinite(v.measured):
            continue
        a = row[v.account]
        held = post.quantity[a] > 0
        if v.kind == "no_shorts":
            j = inp.instruments.index(v.subject)
            buy_back[a, j] = True
            reasons.setdefault((a, j), []).append(v.explanation)
            continue
        cols, cut = _cut(post, inp, v, rules[v.rule_id], a, held, risky, margin)
        for j in np.flatnonzero(cols).tolist():
            share[a, j] = max(share[a, j], cut)
            reasons.setdefault((a, j), []).append(
                f"{v.explanation}: sell {pct(cut)} of {inp.instruments[j]}")
    lot = inp.lot_size[None, :]
    qty = post.quantity
    sells = np.minimum(np.ceil(np.clip(share, 0, 1) * qty / lot - 1e-9) * lot, qty)
    delta = np.where(buy_back, -qty, -np.where(qty > 0, sells, 0.0))
    return Adjustments(delta, {k: r for k, r in reasons.items() if delta[k] != 0})


def _cut(post: Post, inp: CheckInput, v: Violation, rule: Rule, a: int,
         held: BoolArray, risky: BoolArray, margin: float) -> tuple[BoolArray, float]:
    """The positions a breach cuts and the share of each it sells."""
    aim = v.limit * (1.0 - margin)
    if v.kind == "max_weight":
        assert isinstance(rule, MaxWeight)
        labels = np.asarray(post.labels(rule.by))
        counted = (np.isin(np.asarray(inp.kind), rule.kinds) if rule.kinds
                   else np.ones(len(labels), dtype=bool))
        members = np.asarray(held & (labels == v.subject) & counted, dtype=bool)
        return members, 1.0 - aim / v.measured
    if v.kind == "min_cash":
        invested = float(post.value[a][held].sum())
        need = (v.limit * (1.0 + margin) - v.measured) * float(post.total[a])
        return held, min(need / invested, 1.0) if invested > 0 else 0.0
    if v.kind in ("max_var", "max_cvar"):
        return held & risky, 1.0 - aim / v.measured
    return held, 1.0 - aim / v.measured  # gross exposure


def adjusted_input(inp: CheckInput, adj: Adjustments) -> CheckInput:
    """``inp`` with the adjustments as its trades, to check them like any proposal."""
    acct, inst = np.nonzero(adj.delta)
    qty = np.abs(adj.delta[acct, inst])
    with np.errstate(divide="ignore", invalid="ignore"):
        unit = np.where(inp.quantity_before != 0, inp.value_before / inp.quantity_before, 0.0)
    zeros = np.zeros(len(qty))
    return replace(inp, trade_account=acct.astype(np.int64),
                   trade_instrument=inst.astype(np.int64),
                   trade_side=np.sign(adj.delta[acct, inst]).astype(np.int64),
                   trade_quantity=qty, trade_value=qty * np.abs(unit[acct, inst]),
                   trade_cost=zeros, trade_gain=zeros)


__all__ = ["REBALANCED", "SOLD", "Adjustments", "adjusted_input", "size_adjustments"]
