"""The slow reference: the rebalancer's rules for one account at a time, in plain Python."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ballast.config.rebalance import RebalancePolicy, TradeTo
from ballast.ledger.snapshot import FloatArray
from ballast.rebalance import RebalanceInput, Skip
from ballast.rebalance.inputs import BoolArray

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

    # A sleeve never aims below what it may not sell; the others give way.
    pool = [sum(value[i] for i in range(m) if mem[i] == s and sellable[i]) for s in range(s_n)]
    fixed = [sv[s] - pool[s] for s in range(s_n)]
    lifted = [max(desired[s], fixed[s]) for s in range(s_n)]
    excess = sum(lifted[s] - desired[s] for s in range(s_n))
    for floor in ([max(tv[s], fixed[s]) for s in range(s_n)],
                  [max(sv[s], fixed[s]) for s in range(s_n)], fixed):
        room = [max(lifted[s] - floor[s], 0.0) for s in range(s_n)]
        if excess > 0 and sum(room) > 0:
            lifted = [lifted[s] - min(excess / sum(room), 1.0) * room[s] for s in range(s_n)]
        excess = max(excess - sum(room), 0.0)
    desired = lifted

    lot = [float(x) for x in inp.lot_size]
    frac = [min(max(sv[s] - desired[s], 0.0) / pool[s], 1.0) if pool[s] > 0 else 0.0
            for s in range(s_n)]
    want = [frac[mem[i]] * q[i] if sellable[i] and mem[i] >= 0 else 0.0 for i in range(m)]
    sq = [min(math.floor(want[i] / lot[i] + EPS) * lot[i], max(q[i], 0.0)) for i in range(m)]
    for s in range(s_n):  # largest remainder: one more lot while the sleeve gets closer
        members = [i for i in range(m) if mem[i] == s]
        short = frac[s] * pool[s] - sum(sq[i] * uv[i] for i in members if sq[i] > 0)
        rank = sorted(members, key=lambda i: (
            -(want[i] / lot[i] - math.floor(want[i] / lot[i] + EPS)), i))
        for i in rank:
            v = lot[i] * uv[i]
            if want[i] > 0 and sq[i] + lot[i] <= max(q[i], 0.0) + EPS * lot[i] and short > v / 2:
                sq[i] += lot[i]
                short -= v
    trades: list[tuple[int, int, float]] = []
    proceeds = 0.0
    for i in range(m):
        if not sellable[i]:
            continue
        if mem[i] < 0:
            sq[i] = q[i]
        else:
            rem = q[i] - sq[i]
            small = rem * uv[i] < policy.min_trade_value or rem < policy.min_trade_quantity
            if rem > 0 and small and want[i] >= q[i] / 2:
                sq[i] = q[i]
        if _ok(sq[i], uv[i], policy):
            trades.append((i, -1, sq[i]))
            proceeds += sq[i] * uv[i] - _cost(sq[i], uv[i], policy)

    options = [[i for _, i in sorted((int(md.preference[i]), i) for i in range(m) if mem[i] == s)]
               for s in range(s_n)]
    need_buy = [max(desired[s] - sv[s], 0.0) for s in range(s_n)]

    def fill(need_s: float, s: int) -> list[tuple[int, int, float]]:
        got, left = [], need_s
        for i in options[s]:
            bq = 0.0 if inp.no_buy[a, i] else math.floor(left / uv[i] / lot[i] + EPS) * lot[i]
            got.append((s, i, bq if _ok(bq, uv[i], policy) else 0.0))
            left = max(left - bq * uv[i], 0.0)
        return got

    rate = (policy.costs.half_spread_bps + policy.costs.impact_bps) / 1e4
    comm = policy.costs.commission
    budget = cash + proceeds - keep
    buys = [b for s in range(s_n) for b in fill(need_buy[s], s)]
    gross = sum(bq * uv[i] * (1 + rate) for _, i, bq in buys)
    fees = comm * sum(1 for _, _, bq in buys if bq > 0)
    if gross + fees > budget:
        aim = sum(need_buy[s] * (1 + rate) for s in range(s_n)
                  if any(bq > 0 for t, _, bq in buys if t == s))
        f = max(budget - fees, 0.0) / aim if aim > 0 else 0.0
        buys = [b for s in range(s_n) for b in fill(need_buy[s] * f, s)]
        cum, cums = 0.0, []
        for _, i, bq in buys:
            cum += bq * uv[i] * (1 + rate) + comm if bq > 0 else 0.0
            cums.append(cum)
        if cum > budget:  # extra commissions: the last buys that no longer fit are dropped
            buys = [(s, i, 0.0 if c > budget else bq) for (s, i, bq), c in zip(buys, cums,
                                                                             strict=True)]
    buys = _top_up(buys, options, need_buy, budget, uv, lot, inp.no_buy[a], policy)
    spent = 0.0
    for _, i, bq in buys:
        if bq > 0:
            trades.append((i, 1, bq))
            spent += bq * uv[i] + _cost(bq, uv[i], policy)
    return RefResult(Skip.NONE, True, sorted(trades, key=lambda t: (t[1], t[0])),
                     cash + proceeds - spent)


def _top_up(buys: list[tuple[int, int, float]], options: list[list[int]], need: list[float],
            budget: float, uv: FloatArray, lot: FloatArray, no_buy: BoolArray,
            policy: RebalancePolicy) -> list[tuple[int, int, float]]:
    """Up to 4 rounds: one more lot where it most cuts a sleeve's squared shortfall, if the
    cash left pays for it (value × (1 + rate), + commission for a new trade that must pass)."""
    rate = (policy.costs.half_spread_bps + policy.costs.impact_bps) / 1e4
    comm = policy.costs.commission
    qty = {(s, i): bq for s, i, bq in buys}
    left = budget - sum(bq * uv[i] * (1 + rate) + comm for _, i, bq in buys if bq > 0)
    short = [need[s] - sum(bq * uv[i] for t, i, bq in buys if t == s) for s in range(len(need))]
    for _ in range(4):
        best: tuple[float, int, int, float, float] | None = None
        for s, opts in enumerate(options):
            for i in opts:
                held = qty.get((s, i), 0.0)
                v = lot[i] * uv[i]
                cost = v * (1 + rate) + (0.0 if held > 0 else comm)
                gain = v * (2 * short[s] - v)
                if (not no_buy[i] and cost <= left and gain > 0
                        and (held > 0 or _ok(lot[i], uv[i], policy))
                        and (best is None or gain > best[0])):
                    best = (gain, s, i, v, cost)
        if best is None:
            break
        _, s, i, v, cost = best
        qty[s, i] = qty.get((s, i), 0.0) + lot[i]
        short[s] -= v
        left -= cost
    return [(s, i, qty[s, i]) for s, i, _ in buys]
