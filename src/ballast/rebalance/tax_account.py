"""Min-tax account allocation: in a taxable account, how much each sleeve sells, and from which
lots, is decided for the whole account at once — the sleeves compete for the same buys.

With ``o_k`` a sleeve's value over its target value (the core's; the holdings outside the
model are one more "sleeve" whose target is 0), ``x_k`` the dollars it sells, ``d_u`` the
shortfall of a sleeve the core buys and ``y_u`` what it buys, the account's objective is
Σ(o_k − x_k)² ÷ T² + Σ(d_u − y_u)² ÷ T² + tax ÷ T (T: the account's value; the reference's,
trading costs aside). Selling one more dollar of a lot with tax per dollar ``c`` (0 for a loss)
costs (c − 2 (o_k − x_k) ÷ T) ÷ T; buying one more dollar gains 2 (d_u − y_u) ÷ T ÷ T. So, with
λ the value of a dollar of cash, every sleeve sells down its lots (min-tax order) while
c − 2 (o_k − x_k) ÷ T < λ, and every bought sleeve buys while 2 (d_u − y_u) ÷ T > λ; λ = 0
when the cash to spare pays for what is left to buy, else the level (found by a grid search) at
which the sales plus the cash to spare (negative when cash must be raised) pay for the buys.
Each sleeve sells at least down to, and at most to, 0.9 × its band from target (the holdings
outside the model: 0.9 × the policy's total-drift limit) — the upper limits go when the cash to
keep cannot be raised within them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ballast.ledger.snapshot import FloatArray
from ballast.rebalance.tax_sells import Sell

Lot = tuple[tuple[int, float], int, float, float, bool]  # see tax_sleeves._lots
GRID, ROUNDS = 64, 3  # the level's search: 3 rounds over 65 points


@dataclass(frozen=True)
class AccountSale:
    """One taxable account: its value, the cash it may spend (cash − cash to keep), per sleeve
    that may sell its value over target and its room, and the shortfalls of those it buys."""

    total: float
    spare: float
    over: dict[int, float]
    room: dict[int, float]
    short: tuple[float, ...]
    cap: dict[int, float] | None = None  # the most each sleeve may sell (None: its lots)
    most: float = float("inf")  # the most the account sells: never more than the core did


def split(sells: Sequence[Sell], ks: Sequence[int], lots: dict[int, list[Lot]],
          rates: tuple[float, float], acct: AccountSale) -> dict[int, float]:
    """Units each position ``k`` of ``ks`` sells at the account's optimum (module docs);
    continuous (not yet floored to lots)."""
    segs = sorted(((sells[k].sleeve, r[0], sells[k].j, r[1], k, r[2] * sells[k].uv,
                    max(r[3], 0.0) / sells[k].uv * rates[1 if r[4] else 0])
                   for k in ks for r in lots[k]), key=lambda x: x[:4])
    out = dict.fromkeys(ks, 0.0)
    if not segs:
        return out
    ids: list[int] = []  # the sleeves, in order; segs are grouped by sleeve
    at_l: list[int] = []
    start_l: list[float] = []  # dollars before each lot, within its sleeve
    avail_l: list[float] = []
    for seg in segs:
        if not ids or seg[0] != ids[-1]:
            ids.append(seg[0])
            avail_l.append(0.0)
        at_l.append(len(ids) - 1)
        start_l.append(avail_l[-1])
        avail_l[-1] += seg[5]
    at, start = np.array(at_l), np.array(start_l)
    size = np.array([x[5] for x in segs])
    cost = np.array([x[6] for x in segs])
    caps = avail_l if acct.cap is None else [min(v, acct.cap[x]) for v, x in
                                             zip(avail_l, ids, strict=True)]
    avail = np.array(caps)
    over = np.array([acct.over[x] for x in ids])
    room = np.array([acct.room[x] for x in ids])
    short = np.array(acct.short)
    lo = np.minimum(np.maximum(over - room, 0.0), avail)
    hi = np.minimum(np.maximum(over + room, lo), avail)
    t = acct.total
    onehot = np.zeros((at.size, len(ids)))
    onehot[np.arange(at.size), at] = 1.0

    def sold(level: FloatArray, cap: FloatArray) -> FloatArray:
        """[levels, sleeves] dollars sold at each level (the marginal cost it stops at)."""
        free = np.clip(over[at] + t * (level[:, None] - cost) / 2 - start, 0.0, size)
        out: FloatArray = np.clip(free @ onehot, lo, cap)
        return out

    def balance(level: FloatArray, cap: FloatArray) -> FloatArray:
        bought = np.maximum(short - level[:, None] * t / 2, 0.0).sum(axis=1)
        out: FloatArray = sold(level, cap).sum(axis=1) + acct.spare - bought
        return out

    top = float((cost - 2 * (over[at] - start - size) / t).max()) + 2 * float(
        short.max(initial=0.0)) / t + 1.0
    level = _search(lambda x: balance(x, hi), 0.0, top, 0.0)
    if level >= top and balance(np.array([top]), hi)[0] < 0:  # not within the bands
        hi = avail
        level = _search(lambda x: balance(x, hi), 0.0, top, 0.0)
    x = sold(np.array([level]), hi)[0]
    if float(x.sum()) > acct.most:
        level = _search(lambda x: sold(x, hi).sum(axis=1), -top, level, acct.most)
        x = sold(np.array([level]), hi)[0]
    take = np.clip(x[at] - start, 0.0, size)  # each sleeve's dollars from its first lots
    for seg, dollars in zip(segs, take.tolist(), strict=True):
        out[seg[4]] += dollars / sells[seg[4]].uv
    return out


def _search(f: Callable[[FloatArray], FloatArray], a: float, b: float, goal: float) -> float:
    """The least level in [a, b] at which the nondecreasing ``f`` reaches ``goal`` (to about
    (b − a) ÷ 64³; ``b`` when it is never reached)."""
    for _ in range(ROUNDS):
        grid = np.linspace(a, b, GRID + 1)
        i = int(np.searchsorted(f(grid), goal))
        if i == 0:
            return a
        if i > GRID:
            return b
        a, b = float(grid[i - 1]), float(grid[i])
    return b


def objective(sells: Sequence[Sell], qty: dict[int, float], tax: float,
              acct: AccountSale) -> float:
    """The account's objective (module docs) for sales ``qty``, the cash they raise bought
    into the short sleeves, the shortest first (to one level)."""
    sold = dict.fromkeys(acct.over, 0.0)
    for k, q in qty.items():
        sold[sells[k].sleeve] += q * sells[k].uv
    cash = sum(sold.values()) + acct.spare
    short = sorted(acct.short, reverse=True)
    left = list(short)
    if cash > 0 and short:
        level, filled = 0.0, 0.0  # every bought sleeve is filled down to a shortfall ``level``
        for i, s in enumerate(short):
            filled += s  # the first i + 1 sleeves brought down to the next shortfall need:
            nxt = short[i + 1] if i + 1 < len(short) else 0.0
            if filled - (i + 1) * nxt >= cash:
                level = (filled - cash) / (i + 1)
                break
        left = [min(s, level) for s in short]
    t = acct.total
    drift = sum((acct.over[s] - x) ** 2 for s, x in sold.items()) + sum(s * s for s in left)
    return drift / (t * t) + tax / t
