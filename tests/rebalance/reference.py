"""The slow reference: the rebalancer's rules for one account at a time, in plain Python."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ballast.config.rebalance import RebalancePolicy, TradeTo
from ballast.rebalance import RebalanceInput, Skip

EPS = 1e-9


@dataclass
class RefResult:
    skip: Skip
    triggered: bool
    trades: list[tuple[int, int, float]]  # (instrument, side, quantity)
    cash_after: float


def _ok(qty: float, uv: float, policy: RebalancePolicy) -> bool:
    c = policy.costs
    val = qty * uv
    cost = c.commission + (c.half_spread_bps + c.impact_bps) / 1e4 * val
    return (qty > 0 and val >= policy.min_trade_value and qty >= policy.min_trade_quantity
            and cost <= policy.drift_benefit_bps / 1e4 * val)


def _cost(qty: float, uv: float, policy: RebalancePolicy) -> float:
    c = policy.costs
    return c.commission + (c.half_spread_bps + c.impact_bps) / 1e4 * qty * uv if qty > 0 else 0.0


def reference(inp: RebalanceInput, policy: RebalancePolicy, a: int) -> RefResult:
    """Propose for account ``a`` alone."""
    m = len(inp.instruments)
    k = int(inp.model_of[a])
    cash, need = float(inp.cash[a]), float(inp.cash_needed[a])
    if k < 0:
        return RefResult(Skip.NO_MODEL, False, [], cash)
    md = inp.models[k]
    s_n = len(md.sleeve_names)
    q = [float(x) for x in inp.quantity[a]]
    uv = [float(x) for x in inp.unit_value[a]]
    mem = [int(x) for x in md.member]
    priced = [u > 0 for u in uv]
    if any((q[i] != 0 or mem[i] >= 0) and not priced[i] for i in range(m)):
        return RefResult(Skip.MISSING_PRICE, False, [], cash)
    value = [q[i] * uv[i] if q[i] != 0 else 0.0 for i in range(m)]
    total = sum(value) + cash
    if total <= 0:
        return RefResult(Skip.NON_POSITIVE_VALUE, False, [], cash)
    sellable = [q[i] > 0 and not inp.no_sell[a, i] for i in range(m)]
    if not any(sellable) and all(inp.no_buy[a, i] for i in range(m) if mem[i] >= 0):
        return RefResult(Skip.ALL_RESTRICTED, False, [], cash)
    sv = [sum(value[i] for i in range(m) if mem[i] == s) for s in range(s_n)]
    tgt, tol = [float(x) for x in md.target], [float(x) for x in md.tolerance]
    w = [sv[s] / total for s in range(s_n)]
    unassigned = sum(value[i] for i in range(m) if mem[i] < 0)
    drift = sum(abs(w[s] - tgt[s]) for s in range(s_n)) + unassigned / total
    triggered = (any(abs(w[s] - tgt[s]) > tol[s] for s in range(s_n))
                 or drift > policy.total_drift_limit
                 or cash / total - md.cash_target > policy.cash_excess_trigger
                 or cash < md.cash_minimum * total + need
                 or any(sellable[i] and mem[i] < 0 for i in range(m)) or bool(inp.forced[a]))
    if not triggered:
        return RefResult(Skip.NONE, False, [], cash)
    if inp.hold[a] and not cash < md.cash_minimum * total + need:
        return RefResult(Skip.NONE, True, [], cash)  # held back (cooldown): reported, not traded

    keep = max(md.cash_target, md.cash_minimum) * total + need
    legacy = sum(value[i] for i in range(m) if mem[i] < 0 and not sellable[i])
    base = max(total - keep - legacy, 0.0)
    tsum = sum(tgt)
    tv = [tgt[s] * (base / tsum if tsum > 0 else 0.0) for s in range(s_n)]
    desired = list(tv)
    if policy.trade_to is TradeTo.BAND_EDGE:
        sc = base / tsum if tsum > 0 else 0.0
        desired = [min(max(sv[s], max(tgt[s] - tol[s], 0.0) * sc), (tgt[s] + tol[s]) * sc)
                   for s in range(s_n)]
        gap = base - sum(desired)
        short = [max(tv[s] - desired[s], 0.0) for s in range(s_n)]
        over = [max(desired[s] - tv[s], 0.0) for s in range(s_n)]
        if gap > 0 and sum(short) > 0:
            desired = [desired[s] + min(gap / sum(short), 1.0) * short[s] for s in range(s_n)]
        elif gap < 0:
            if sum(over) > 0:
                desired = [desired[s] - min(-gap / sum(over), 1.0) * over[s] for s in range(s_n)]
            rest = max(-gap - sum(over), 0.0)
            if rest > 0 and sum(desired) > 0:
                cut = min(rest / sum(desired), 1.0)
                desired = [d * (1.0 - cut) for d in desired]

    lot = [float(x) for x in inp.lot_size]
    trades: list[tuple[int, int, float]] = []
    proceeds = 0.0
    for i in range(m):
        if not sellable[i]:
            continue
        if mem[i] < 0:
            sq = q[i]
        else:
            s = mem[i]
            pool = sum(value[j] for j in range(m) if mem[j] == s and sellable[j])
            frac = min(max(sv[s] - desired[s], 0.0) / pool, 1.0) if pool > 0 else 0.0
            want = frac * q[i]
            sq = min(round(want / lot[i]) * lot[i], q[i])
            rem = q[i] - sq
            small = rem * uv[i] < policy.min_trade_value or rem < policy.min_trade_quantity
            if rem > 0 and small and want >= q[i] / 2:
                sq = q[i]
        if _ok(sq, uv[i], policy):
            trades.append((i, -1, sq))
            proceeds += sq * uv[i] - _cost(sq, uv[i], policy)

    buys: list[tuple[int, float]] = []
    for s in range(s_n):
        options = sorted((int(md.preference[i]), i) for i in range(m)
                         if mem[i] == s and not inp.no_buy[a, i])
        if options:
            i = options[0][1]
            buys.append((i, math.floor(max(desired[s] - sv[s], 0.0) / uv[i] / lot[i] + EPS)
                         * lot[i]))
    rate = (policy.costs.half_spread_bps + policy.costs.impact_bps) / 1e4
    budget = cash + proceeds - keep
    gross = sum(bq * uv[i] * (1 + rate) for i, bq in buys)
    fees = policy.costs.commission * sum(1 for _, bq in buys if bq > 0)
    if gross + fees > budget:
        f = max(budget - fees, 0.0) / gross if gross > 0 else 0.0
        buys = [(i, math.floor(bq * f / lot[i] + EPS) * lot[i]) for i, bq in buys]
    spent = 0.0
    for i, bq in buys:
        if _ok(bq, uv[i], policy):
            trades.append((i, 1, bq))
            spent += bq * uv[i] + _cost(bq, uv[i], policy)
    return RefResult(Skip.NONE, True, sorted(trades, key=lambda t: (t[1], t[0])),
                     cash + proceeds - spent)
