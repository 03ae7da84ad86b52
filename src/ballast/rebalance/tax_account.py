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
when the cash to spare pays for what is left to buy, else the level at which the sales plus
the cash to spare (negative when cash must be raised) pay for the buys (found by bisection,
every account at once).
Each sleeve sells at least down to, and at most to, 0.9 × its band from target (the holdings
outside the model: 0.9 × the policy's total-drift limit) — the upper limits go when the cash to
keep cannot be raised within them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ballast.ledger.snapshot import FloatArray
from ballast.rebalance.tax_sells import Sell

Lot = tuple[tuple[int, float], int, float, float, bool]  # see tax_sleeves._lots
BISECTIONS = 48


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


Job = tuple[Sequence[int], dict[int, list[Lot]], AccountSale]  # positions, their lots, account


def split(sells: Sequence[Sell], jobs: Sequence[Job], rates: tuple[float, float]
          ) -> list[dict[int, float]]:
    """Per job (one account's positions ``ks``, their lots, the account), the units each
    position sells at the account's optimum (module docs); continuous (not yet floored to
    lots). All accounts at once: one bisection on every account's level together."""
    rows: list[tuple[int, int, float, float, int, float]] = []  # job, sleeve slot, dollars,
    # cost, k, dollars of the slot's lots before it (summed per slot: an account's result
    # never depends on the other accounts in the call)
    slots: list[tuple[int, float, float, float, float]] = []  # job, over, room, cap, dollars
    buys: list[tuple[int, float]] = []
    for g, (ks, lots, acct) in enumerate(jobs):
        segs = sorted(((sells[k].sleeve, r[0], sells[k].j, r[1], k, r[2] * sells[k].uv,
                        max(r[3], 0.0) / sells[k].uv * rates[1 if r[4] else 0])
                       for k in ks for r in lots[k]), key=lambda x: x[:4])
        prev, before = None, 0.0
        for seg in segs:
            if seg[0] != prev:
                prev, before = seg[0], 0.0
                cap = float("inf") if acct.cap is None else acct.cap[seg[0]]
                slots.append((g, acct.over[seg[0]], acct.room[seg[0]], cap, 0.0))
            rows.append((g, len(slots) - 1, seg[5], seg[6], seg[4], before))
            before += seg[5]
        buys += [(g, x) for x in acct.short]
    out: list[dict[int, float]] = [dict.fromkeys(ks, 0.0) for ks, _, _ in jobs]
    if not rows:
        return out
    n = len(jobs)
    grp = np.array([r[0] for r in rows], dtype=np.int64)
    at = np.array([r[1] for r in rows], dtype=np.int64)
    size = np.array([r[2] for r in rows])
    cost = np.array([r[3] for r in rows])
    start = np.array([r[5] for r in rows])
    s_grp = np.array([x[0] for x in slots], dtype=np.int64)
    over = np.array([x[1] for x in slots])
    avail = np.minimum(np.bincount(at, size, minlength=len(slots)), [x[3] for x in slots])
    lo = np.minimum(np.maximum(over - np.array([x[2] for x in slots]), 0.0), avail)
    hi = np.minimum(np.maximum(over + np.array([x[2] for x in slots]), lo), avail)
    t = np.array([job[2].total for job in jobs])
    spare = np.array([job[2].spare for job in jobs])
    most = np.array([job[2].most for job in jobs])
    b_grp = np.array([x[0] for x in buys], dtype=np.int64)
    short = np.array([x[1] for x in buys])

    def sold(level: FloatArray) -> FloatArray:
        """Dollars each slot sells at its account's level (the marginal cost it stops at)."""
        free = np.clip(over[at] + t[grp] * (level[grp] - cost) / 2 - start, 0.0, size)
        out: FloatArray = np.clip(np.bincount(at, free, minlength=len(slots)), lo, hi)
        return out

    def total(level: FloatArray) -> FloatArray:
        out: FloatArray = np.bincount(s_grp, sold(level), minlength=n).astype(np.float64)
        return out

    def balance(level: FloatArray) -> FloatArray:
        bought = np.bincount(b_grp, np.maximum(short - level[b_grp] * t[b_grp] / 2, 0.0),
                             minlength=n)
        out: FloatArray = total(level) + spare - bought
        return out

    top = np.full(n, -np.inf)
    np.maximum.at(top, grp, cost - 2 * (over[at] - start - size) / t[grp])
    big = np.zeros(n)
    np.maximum.at(big, b_grp, 2 * short / t[b_grp])
    top = np.maximum(top, 0.0) + big + 1.0
    short_all = balance(top) < 0  # the cash cannot be raised within the bands: lift them
    hi = np.where(short_all[s_grp], avail, hi)
    zero = np.zeros(n)
    level = _bisect(balance, zero, top, balance(zero) < 0, zero, zero)
    level = _bisect(total, -top, level, total(level) > most, most, level)
    x = sold(level)
    take = np.clip(x[at] - start, 0.0, size)  # each slot's dollars from its first lots
    for (g, _, _, _, k, _), dollars in zip(rows, take.tolist(), strict=True):
        out[g][k] += dollars / sells[k].uv
    return out


def _bisect(f: Callable[[FloatArray], FloatArray], a: FloatArray, b: FloatArray,
            which: npt.NDArray[np.bool_], goal: FloatArray, keep: FloatArray) -> FloatArray:
    """Per account: where ``which``, the least level in [a, b] at which the nondecreasing
    ``f`` reaches ``goal`` (``b`` when it never does); elsewhere ``keep``."""
    if not which.any():
        return keep
    a, b = a.copy(), b.copy()
    for _ in range(BISECTIONS):
        mid = (a + b) / 2
        below = f(mid) < goal
        a, b = np.where(below, mid, a), np.where(below, b, mid)
    return np.where(which, b, keep)


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
