"""Sleeve-level sizing helpers of :mod:`ballast.rebalance.core`, vectorized over accounts.

* :func:`water_fill` and :func:`floor_at_held` turn the sleeves' aims into post-trade sleeve
  values that sum to the value to invest and never ask to sell what cannot be sold.
* :func:`round_sales` rounds pro-rata sales to lots so each sleeve's total sale is as close as
  lots allow to its need (largest remainder within the sleeve).
* :func:`fill_buys` spends a sleeve's buy need down its preference list, whole lots only.
"""

from __future__ import annotations

import numpy as np

from ballast.ledger.snapshot import FloatArray, IntArray
from ballast.rebalance.inputs import BoolArray, ModelTargets

EPS = 1e-9  # lots: a quantity this close below a whole lot is that lot (float noise)


def _ratio(num: FloatArray, den: FloatArray, when: BoolArray) -> FloatArray:
    """min(num / den, 1) where ``when`` and den > 0, else 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(when & (den > 0), np.minimum(num / den, 1.0), 0.0)
    return np.nan_to_num(out)


def water_fill(desired: FloatArray, tv: FloatArray, base: FloatArray) -> FloatArray:
    """Make each row of ``desired`` sum to ``base``: a surplus goes to sleeves below their
    target value ``tv`` (up to it), a shortfall comes from those above (down to it), then pro
    rata."""
    gap = base - desired.sum(axis=1)
    short = np.maximum(tv - desired, 0.0)
    over = np.maximum(desired - tv, 0.0)
    up = _ratio(gap, short.sum(axis=1), gap > 0)
    down = _ratio(-gap, over.sum(axis=1), gap < 0)
    desired = desired + up[:, None] * short - down[:, None] * over
    rest = np.maximum(-gap - over.sum(axis=1), 0.0)
    cut = _ratio(rest, desired.sum(axis=1), rest > 0)
    return desired * (1.0 - cut)[:, None]


def floor_at_held(desired: FloatArray, tv: FloatArray, held: FloatArray,
                  fixed: FloatArray) -> FloatArray:
    """A sleeve cannot go below ``fixed`` (what it holds and may not sell): lift it there and
    take the excess from the other sleeves — those above their target value ``tv`` down to it
    first, then buys cut pro rata (down to what is ``held``), then sales pro rata to what each
    can still give — so the cash to keep is still met."""
    lifted = np.maximum(desired, fixed)
    excess = (lifted - desired).sum(axis=1)
    floors = (np.maximum(tv, fixed), np.maximum(held, fixed), fixed)
    for floor in floors:
        room = np.maximum(lifted - floor, 0.0)
        total = room.sum(axis=1)
        lifted = lifted - _ratio(excess, total, excess > 0)[:, None] * room
        excess = np.maximum(excess - total, 0.0)
    return lifted


def round_sales(want: FloatArray, q: FloatArray, uv: FloatArray, lot: FloatArray,
                member: IntArray, target: FloatArray) -> FloatArray:
    """Sales in whole lots for the wanted quantities ``want`` [n, M] (0 outside the sleeves):
    each floored to its lot, then, within each sleeve and in order of the largest fractional
    lot, one more lot while the sleeve's sale stays closer to its ``target`` value [n, S]."""
    pos = np.maximum(q, 0.0)
    lots = want / lot
    sell = np.minimum(np.floor(lots + EPS) * lot, pos)
    cols = np.flatnonzero((member >= 0) & (want > 0).any(axis=0))
    if cols.size == 0:
        return sell
    rows = np.arange(want.shape[0])[:, None]
    sl = member[cols]
    short = target - (np.where(sell > 0, sell * uv, 0.0)[:, cols] @ _onehot(sl, target.shape[1]))
    frac = lots[:, cols] - np.floor(lots[:, cols] + EPS)
    order = cols[np.lexsort((-frac, np.broadcast_to(sl, frac.shape)), axis=-1)]
    r = rows[:, 0]
    for p in range(cols.size):
        c = order[:, p]
        s = member[c]
        v = lot[c] * uv[r, c]
        gap = short[r, s]
        add = ((want[r, c] > 0) & (sell[r, c] + lot[c] <= pos[r, c] + EPS * lot[c])
               & (gap > v / 2))
        sell[r, c] += np.where(add, lot[c], 0.0)
        short[r, s] = gap - np.where(add, v, 0.0)
    return sell


def _onehot(sleeve: IntArray, s: int) -> FloatArray:
    out = np.zeros((sleeve.size, s))
    out[np.arange(sleeve.size), sleeve] = 1.0
    return out


def buy_options(model: ModelTargets) -> IntArray:
    """[S, K] each sleeve's instruments by preference, -1 past its last."""
    s = len(model.sleeve_names)
    mem = np.flatnonzero(model.member >= 0)
    k = int(np.bincount(model.member[mem], minlength=s).max(initial=0))
    out = np.full((s, max(k, 1)), -1, dtype=np.int64)
    order = mem[np.lexsort((model.preference[mem], model.member[mem]))]
    sl = model.member[order]
    rank = np.arange(order.size) - np.searchsorted(sl, sl)
    out[sl, rank] = order
    return out


def fill_buys(need: FloatArray, opts: IntArray, uv: FloatArray, lot: FloatArray,
              no_buy: BoolArray) -> FloatArray:
    """[n, S, K] lots bought: each sleeve's ``need`` (value) spent down its options ``opts``,
    floored to whole lots; an option whose lot costs more than what is left gets nothing and
    the rest goes to the next one."""
    n, s_n, k_n = need.shape[0], opts.shape[0], opts.shape[1]
    out = np.zeros((n, s_n, k_n))
    left = need.copy()
    for k in range(k_n):
        col = opts[:, k]
        ok = (col >= 0)[None, :] & ~no_buy[:, np.maximum(col, 0)]
        price = np.where(ok, uv[:, np.maximum(col, 0)], 1.0)
        size = lot[np.maximum(col, 0)]
        bq = np.where(ok, np.floor(left / price / size + EPS) * size, 0.0)
        out[:, :, k] = bq
        left = np.maximum(left - bq * price, 0.0)
    return out


def top_up(buy_q: FloatArray, short: FloatArray, o_uv: FloatArray, o_lot: FloatArray,
           allowed: BoolArray, first_ok: BoolArray, left: FloatArray, commission: float,
           rate: float, rounds: int = 4) -> FloatArray:
    """[n, S, K] buys with up to ``rounds`` more lots each, spending the cash ``left`` [n]
    that flooring to lots and fitting the budget left behind: per round and account, one lot of
    the ``allowed`` option that most reduces the squared shortfall of its sleeve (``short``
    [n, S], value still to buy) — worth it only when the lot is worth less than twice the
    shortfall. A lot costs its value × (1 + rate), plus the commission for an option not yet
    bought, which must then pass the size and cost rules with one lot (``first_ok``)."""
    buy_q, short, left = buy_q.copy(), short.copy(), left.copy()
    n, s_n, k_n = buy_q.shape
    v = o_lot * o_uv
    rows = np.arange(n)
    for _ in range(rounds):
        cost = v * (1.0 + rate) + np.where(buy_q > 0, 0.0, commission)
        gain = v * (2.0 * short[:, :, None] - v)
        ok = (allowed & (cost <= left[:, None, None]) & (gain > 0)
              & (first_ok | (buy_q > 0)))
        flat = np.where(ok, gain, -np.inf).reshape(n, s_n * k_n)
        best = np.argmax(flat, axis=1)
        go = np.isfinite(flat[rows, best])
        if not go.any():
            break
        r = rows[go]
        s, k = np.divmod(best[go], k_n)
        buy_q[r, s, k] += o_lot[r, s, k]
        short[r, s] -= v[r, s, k]
        left[r] -= cost[r, s, k]
    return buy_q
