"""Min-tax cash raising: in a taxable account that must raise cash, the sale the core sized is
taken across ALL the account's sleeves at once, where selling a dollar costs least.

The core raises cash from the sleeves above target, pro rata; the sleeve-by-sleeve min-tax
allocation (:mod:`.tax_sleeves`) then only chooses lots inside each sleeve, so a sleeve whose
lots are all large gains pays that tax even when another sleeve, near its target, holds losses.
Here the account's whole sale value ``V`` (the core's, over its sleeves) is split over every
sleeve it does not buy by water-filling: with ``o_k`` the sleeve's value over its target value
and ``x_k`` the dollars it sells, selling one more dollar of a lot with tax per dollar ``c``
(0 for a loss) changes the account's objective Σ(weight − target)² + tax ÷ T by
(c − 2 (o_k − x_k) ÷ T) ÷ T, so every sleeve sells down its lots (min-tax order) until that
marginal cost reaches one level λ, the level at which the sales sum to ``V`` (found by
bisection). Each sleeve stays within 0.9 × its band of target — it sells at least down to
``o_k − room_k`` and at most to ``o_k + room_k`` (room = 0.9 × tolerance × target value ÷
target) — unless the cash cannot be raised within the bands, then the upper limits go.
The split replaces the sleeve-by-sleeve one only when it lowers that objective.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ballast.rebalance.tax_sells import Sell

Lot = tuple[tuple[int, float], int, float, float, bool]  # see tax_sleeves._lots
BISECTIONS = 60


@dataclass(frozen=True)
class RaiseCash:
    """One raising account: its value, and per sleeve its value over target and its room."""

    total: float
    over: dict[int, float]
    room: dict[int, float]


def split(sells: Sequence[Sell], ks: Sequence[int], lots: dict[int, list[Lot]],
          rates: tuple[float, float], value: float, rc: RaiseCash) -> dict[int, float]:
    """Units each position ``k`` of ``ks`` sells so that the sales sum to ``value`` dollars at
    the least marginal cost (module docs); continuous (not yet floored to lots)."""
    segs = sorted(((sells[k].sleeve, r[0], sells[k].j, r[1], k, r[2] * sells[k].uv,
                    max(r[3], 0.0) / sells[k].uv * rates[1 if r[4] else 0])
                   for k in ks for r in lots[k]), key=lambda x: x[:4])
    out = dict.fromkeys(ks, 0.0)
    if not segs or value <= 0:
        return out
    sleeve = np.array([x[0] for x in segs], dtype=np.int64)
    size = np.array([x[5] for x in segs])
    cost = np.array([x[6] for x in segs])
    ids, at = np.unique(sleeve, return_inverse=True)
    start = np.cumsum(size) - size  # dollars before each lot, within its sleeve
    first = np.r_[0, np.flatnonzero(np.diff(at)) + 1]
    start -= np.repeat(start[first], np.diff(np.r_[first, at.size]))
    avail = np.bincount(at, size, minlength=ids.size)
    over = np.array([rc.over[s] for s in ids.tolist()])
    room = np.array([rc.room[s] for s in ids.tolist()])
    lo = np.minimum(np.maximum(over - room, 0.0), avail)
    hi = np.minimum(np.maximum(over + room, lo), avail)
    if hi.sum() < value:
        hi = avail
    t = rc.total

    def sold(level: float) -> np.ndarray:
        free = np.clip(over[at] + t * (level - cost) / 2 - start, 0.0, size)
        return np.clip(np.bincount(at, free, minlength=ids.size), lo, hi)

    a = float((cost - 2 * (over[at] - start) / t).min()) - 1.0
    b = float((cost - 2 * (over[at] - start - size) / t).max()) + 1.0
    for _ in range(BISECTIONS):
        mid = (a + b) / 2
        a, b = (mid, b) if sold(mid).sum() < value else (a, mid)
    x = sold(b)
    take = np.clip(x[at] - start, 0.0, size)  # each sleeve's dollars from its first lots
    for seg, dollars in zip(segs, take.tolist(), strict=True):
        out[seg[4]] += dollars / sells[seg[4]].uv
    return out


def objective(sells: Sequence[Sell], qty: dict[int, float], tax: float,
              rc: RaiseCash) -> float:
    """Σ over the sleeves of (value over target − sold)² ÷ T² + tax ÷ T for sales ``qty``."""
    sold = dict.fromkeys(rc.over, 0.0)
    for k, q in qty.items():
        sold[sells[k].sleeve] += q * sells[k].uv
    t = rc.total
    return sum((rc.over[s] - x) ** 2 for s, x in sold.items()) / (t * t) + tax / t
