"""Rules on the post-trade weights: max/min weight per group, cash, gross exposure, no
shorts, turnover. Each returns its violations and, where it can auto-fix, its trade caps."""

from __future__ import annotations

import numpy as np

from ballast.compliance.context import (
    EPS,
    Found,
    Post,
    floor_lot,
    group_codes,
    group_sum,
    owner,
    pct,
    trades_by_key,
    violation,
)
from ballast.compliance.inputs import BoolArray, FloatArray, IntArray
from ballast.config.compliance import (
    GroupBy,
    MaxCash,
    MaxGrossExposure,
    MaxTurnover,
    MaxWeight,
    MinCash,
    MinWeight,
    NoShorts,
)


def _scaled(post: Post, trades: BoolArray, tkey: IntArray, keys: IntArray,
            need: FloatArray) -> FloatArray:
    """Caps that take ``need[k]`` of value off the ``trades`` whose key is ``keys[k]`` (keys
    sorted, unique), pro rata to their value, floored to the lot size (inf for the others)."""
    inp = post.inp
    if not len(keys):
        return np.full(len(tkey), np.inf)
    pos = np.minimum(np.searchsorted(keys, tkey), len(keys) - 1)
    hit = trades & (keys[pos] == tkey)
    have = np.bincount(pos[hit], weights=inp.trade_value[hit], minlength=len(keys))
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = np.clip(1.0 - need[pos] / have[pos], 0.0, 1.0)
    cut = hit & (need[pos] > 0)
    lot = inp.lot_size[inp.trade_instrument]
    return np.where(cut, floor_lot(inp.trade_quantity * keep, lot), np.inf)


def _group_rule(post: Post, rule: MaxWeight | MinWeight) -> Found:
    inp = post.inp
    names, codes = group_codes(post.labels(rule.by))
    counted = np.ones(len(codes), dtype=bool)
    if isinstance(rule, MaxWeight) and rule.kinds:
        counted = np.isin(np.asarray(inp.kind), rule.kinds)
    chosen = np.isin(np.asarray(names), rule.groups) if rule.groups else np.ones(len(names), bool)
    sel = np.flatnonzero(chosen)  # only the listed groups are measured
    if rule.by is GroupBy.INSTRUMENT:  # names are the instruments, sorted: codes permute
        cols = np.argsort(codes)[sel]
        gw = post.weight[:, cols] * counted[cols]
    else:
        gw = group_sum(post.weight, np.where(counted, codes, -1), sel)
    scope = post.in_scope(rule.model, rule.account)[:, None]
    is_max = isinstance(rule, MaxWeight)
    acct, col = np.nonzero(scope & ((gw > rule.limit + EPS) if is_max
                                    else (gw < rule.limit - EPS)))
    grp, measured = sel[col], gw[acct, col]
    g = len(names)
    side = 1 if is_max else -1  # the trades that push a max up are buys, a min down sells
    involved = (inp.trade_side == side) & counted[inp.trade_instrument] & inp.live
    tkey = np.where(involved, inp.trade_account * g + codes[inp.trade_instrument], -1)
    lists = trades_by_key(tkey, acct * g + grp)
    word = "above" if is_max else "below"
    members = _members(inp.instruments, codes, g) if rule.by is GroupBy.ISSUER else None
    out = []
    for a, k, w, trades in zip(acct.tolist(), grp.tolist(), measured.tolist(), lists,
                               strict=True):
        subject = names[k] if members is None else _issuer(names[k], members[k])
        verb = "would be" if trades else "is"
        out.append(violation(
            rule.id, rule.scope, rule.kind, rule.action, inp.accounts[a], names[k],
            w, rule.limit, trades,
            f"{subject} {verb} {pct(w)} of {inp.accounts[a]}, {word} "
            f"{owner(rule.scope)} {pct(rule.limit)} {'maximum' if is_max else 'minimum'} "
            f"per {rule.by.value.replace('_', ' ')}"))
    gap = (measured - rule.limit) * side * post.total[acct]
    return Found(out, _scaled(post, involved, tkey, acct * g + grp, gap))


def _members(instruments: tuple[str, ...], codes: IntArray, groups: int) -> list[str]:
    found: list[list[str]] = [[] for _ in range(groups)]
    for ident, code in zip(instruments, codes.tolist(), strict=True):
        found[code].append(ident)
    return [", ".join(f) for f in found]


def _issuer(name: str, members: str) -> str:
    return name if name == members else f"{name} ({members})"


def max_weight(post: Post, rule: MaxWeight) -> Found:
    """Each group's weight after the trades at most the limit."""
    return _group_rule(post, rule)


def min_weight(post: Post, rule: MinWeight) -> Found:
    """Each listed group's weight after the trades at least the limit."""
    return _group_rule(post, rule)


def cash(post: Post, rule: MinCash | MaxCash) -> Found:
    """Cash after the trades within the limit; a min-cash fix trims the buys pro rata."""
    inp = post.inp
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(post.total > 0, post.cash / post.total, 0.0)
    is_min = isinstance(rule, MinCash)
    bad = post.in_scope(rule.model, rule.account) & (
        (w < rule.limit - EPS) if is_min else (w > rule.limit + EPS))
    acct = np.flatnonzero(bad)
    buys = (inp.trade_side > 0) & inp.live
    lists = trades_by_key(np.where(buys, inp.trade_account, -1), acct)
    out = [violation(rule.id, rule.scope, rule.kind, rule.action, inp.accounts[a], "cash",
                     float(w[a]), rule.limit, trades,
                     f"cash would be {pct(float(w[a]))} of {inp.accounts[a]}, "
                     f"{'below' if is_min else 'above'} {owner(rule.scope)} "
                     f"{pct(rule.limit)} {'minimum' if is_min else 'maximum'}")
           for a, trades in zip(acct.tolist(), lists, strict=True)]
    if not is_min:
        return Found(out)
    need = (rule.limit - w[acct]) * post.total[acct]
    return Found(out, _scaled(post, buys, inp.trade_account, acct, need))


def gross_exposure(post: Post, rule: MaxGrossExposure) -> Found:
    """Σ |value| / account value after the trades at most the limit."""
    inp = post.inp
    with np.errstate(divide="ignore", invalid="ignore"):
        gross = np.where(post.total > 0, np.abs(post.value).sum(axis=1) / post.total, np.inf)
    acct = np.flatnonzero(post.in_scope(rule.model, rule.account) & (gross > rule.limit + EPS))
    lists = trades_by_key(inp.live_account, acct)
    return Found([violation(
        rule.id, rule.scope, rule.kind, rule.action, inp.accounts[a], "portfolio",
        float(gross[a]), rule.limit, trades,
        f"gross exposure of {inp.accounts[a]} would be {gross[a]:.2f}× its value, above "
        f"{owner(rule.scope)} {rule.limit:g}× limit") for a, trades in zip(acct.tolist(), lists,
                                                                           strict=True)])


def no_shorts(post: Post, rule: NoShorts) -> Found:
    """No negative quantity after the trades; a fix trims the sells that go short."""
    inp = post.inp
    m = len(inp.instruments)
    short = post.in_scope(rule.model, rule.account)[:, None] & (post.quantity < -EPS)
    acct, inst = np.nonzero(short)
    sells = (inp.trade_side < 0) & inp.live
    tkey = np.where(sells, inp.trade_account * m + inp.trade_instrument, -1)
    lists = trades_by_key(tkey, acct * m + inst)
    out = [violation(rule.id, rule.scope, rule.kind, rule.action, inp.accounts[a],
                     inp.instruments[j], float(post.quantity[a, j]), 0.0, trades,
                     f"{inp.accounts[a]} would be short {-post.quantity[a, j]:g} "
                     f"{inp.instruments[j]}; {owner(rule.scope)} rule allows no short positions")
           for a, j, trades in zip(acct.tolist(), inst.tolist(), lists, strict=True)]
    # Shortfall in value: the quantity short times the trade's unit value.
    with np.errstate(divide="ignore", invalid="ignore"):
        per_unit = inp.trade_value / inp.trade_quantity
    unit = np.array([per_unit[t[0]] if t else 0.0 for t in lists])
    need = -post.quantity[acct, inst] * unit
    return Found(out, _scaled(post, sells, tkey, acct * m + inst, need))


def turnover(post: Post, rule: MaxTurnover) -> Found:
    """Traded value / value before the trades at most the limit; a fix scales every trade."""
    inp = post.inp
    traded = np.bincount(inp.trade_account, weights=inp.trade_value, minlength=len(inp.accounts))
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(post.total_before > 0, traded / post.total_before, np.inf)
    acct = np.flatnonzero(post.in_scope(rule.model, rule.account) & (rate > rule.limit + EPS))
    lists = trades_by_key(inp.live_account, acct)
    out = [violation(rule.id, rule.scope, rule.kind, rule.action, inp.accounts[a], "turnover",
                     float(rate[a]), rule.limit, trades,
                     f"{inp.accounts[a]} would trade {pct(float(rate[a]))} of its value today, "
                     f"above {owner(rule.scope)} {pct(rule.limit)} daily turnover limit")
           for a, trades in zip(acct.tolist(), lists, strict=True)]
    need = traded[acct] - rule.limit * post.total_before[acct]
    everything = np.ones(len(inp.trade_account), dtype=bool)
    return Found(out, _scaled(post, everything, inp.trade_account, acct, need))
