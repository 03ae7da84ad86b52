"""Min-tax sleeve allocation: in a taxable account, an overweight sleeve's sale is spread over
its sellable instruments by the tax cost of their lots, not pro rata to value.

The core sells every instrument of an overweight sleeve pro rata; the tax pass would then pick
lots within each instrument only. For a taxable account whose lot method is MIN_TAX (or
SPECIFIC, run as MIN_TAX) the sleeve's sale value ``V`` (the core's, summed over the sleeve)
is instead taken from the sleeve's lots in one min-tax order across the whole sleeve:

1. losses, largest loss per dollar first — except loss lots of a group the household bought
   in the wash-sale window (those are held back, as the lot choice does);
2. gains, smallest estimated tax per dollar first (gain per dollar × the policy's short- or
   long-term rate) — short-term gain lots only when the sleeve's drift is beyond the
   short-term hard band (the same deferral the lot choice applies).

Gain lots are sold only while the drift they remove is worth their tax: the sleeve is left
over its target by min(0.9 × its band, tax per dollar ÷ (2 × (1 + f))), the point where the
marginal squared drift equals the marginal tax (÷ the account's value). ``f`` = φ² × Σπ²
counts the buy side: a dollar left unsold is φ dollars fewer bought (φ: the share of the sales
that fund buys, 0 when spare cash pays for them) spread over the bought sleeves in shares π.

Ties go to the lower instrument index, then the lot's position. Each instrument's share is
floored to its lot size, shares below the minimum trade are dropped, and whole lots are then
added, cheapest next lot first, while the sleeve's sale stays at most ``V`` — so the sleeve's
sold value (its drift) is kept up to one lot and never grows; never more than held, never a
do-not-sell holding (those are not candidates). The new allocation replaces the core's only
when its estimated tax (gains × those rates) is lower by more than a cent — so a sleeve whose
lots all cost the same keeps the core's pro-rata trades.
A holding outside the model in such an account is a group of its own with its whole value as
its drift and the policy's total-drift limit as its band: losses go first, and gain lots only
while they are worth their tax. Sells of harvests are left alone.
In an account that must raise cash, all its sleeves (those it does not buy) form one group,
split by :mod:`.tax_raise` before the same rounding to lots.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from ballast.config.rebalance import RebalancePolicy
from ballast.domain import LotMethod
from ballast.rebalance.inputs import RebalanceInput
from ballast.rebalance.proposals import Proposals, TradeReason, Trigger
from ballast.rebalance.tax_raise import RaiseCash, objective, split
from ballast.rebalance.tax_sells import (
    EPS,
    LotBook,
    Sell,
    first_tradable,
    floor_lot,
    tradable,
)
from ballast.rebalance.tax_types import TaxInput

CENT = 0.01
TOLERANCE_SHARE = 0.9  # the rule leaves a sleeve at most this share of its band over target
Cost = tuple[float, float]  # (short-term gain, long-term gain) realized, losses as 0
MIN_TAX_METHODS = (LotMethod.MIN_TAX, LotMethod.SPECIFIC)


_SLEEVE_REASONS = (TradeReason.BAND, TradeReason.TO_TARGET, TradeReason.RAISE_CASH)


Band = tuple[float, float, float, float]  # over target, account value, tolerance, funding


def sleeve_groups(p: Proposals, inp: RebalanceInput, tax: TaxInput,
                  sells: list[Sell]) -> list[tuple[list[int], Band | RaiseCash]]:
    """The sales to re-allocate, as indices into ``sells``, in taxable MIN_TAX accounts: one
    group per (account, sleeve), or one per account that raises cash (all its sleeves, see
    :mod:`.tax_raise`), and one per holding outside the model. The sellable holdings of those
    sleeves that the core did not sell are appended to ``sells`` (0 units)."""
    by: dict[tuple[int, int], list[int]] = {}
    sold: set[tuple[int, int]] = set()
    reasons = {int(r) for r in _SLEEVE_REASONS}
    raising = (p.triggers & Trigger.CASH_NEEDED) != 0
    outside: list[int] = []
    for k, s in enumerate(sells):
        sold.add((s.a, s.j))
        if not (tax.taxable[s.a] and tax.lot_method[s.a] in MIN_TAX_METHODS):
            continue
        if s.sleeve >= 0 and s.reason in reasons:
            by.setdefault((s.a, -1 if raising[s.a] else s.sleeve), []).append(k)
        elif s.reason == TradeReason.NOT_IN_MODEL:
            outside.append(k)
    out: list[tuple[list[int], Band | RaiseCash]] = []
    funding = _funding(p, {a for a, _ in by} | {sells[k].a for k in outside})
    for k in outside:  # a holding outside the model: its whole value is drift
        s = sells[k]
        held = float(inp.quantity[s.a, s.j]) * s.uv
        out.append(([k], (held, float(p.total_value[s.a]), p.policy.total_drift_limit,
                          funding.get(s.a, 0.0))))
    bought = {(int(a), int(sl)) for a, sl, side in zip(p.trade_account.tolist(),
                                                       p.sleeve.tolist(), p.side.tolist(),
                                                       strict=True) if side > 0}
    for (a, sl), ks in by.items():
        md = inp.models[int(inp.model_of[a])]
        t = sells[ks[0]].t
        sleeves = sorted({x for x in range(len(md.sleeve_names)) if (a, x) not in bought}
                         | {sells[k].sleeve for k in ks}) if sl < 0 else [sl]
        for x in sleeves:
            reason = _reason(p, inp, a, x) if sl < 0 else sells[ks[0]].reason
            for j in np.flatnonzero(md.member == x).tolist():
                uv = float(inp.unit_value[a, j])
                if ((a, j) not in sold and inp.quantity[a, j] > 0 and not inp.no_sell[a, j]
                        and np.isfinite(uv) and uv > 0):
                    ks.append(len(sells))
                    sells.append(Sell(t, a, j, 0.0, uv, float(inp.lot_size[j]), sleeve=x,
                                      reason=reason))
        if sl < 0:
            over = {x: _over(p, inp, a, x) for x in sleeves}
            out.append((ks, RaiseCash(float(p.total_value[a]), {x: v[0] for x, v in over.items()},
                                      {x: v[1] for x, v in over.items()})))
        else:
            over_sl, _ = _over(p, inp, a, sl)
            out.append((ks, (over_sl, float(p.total_value[a]), float(md.tolerance[sl]),
                             funding.get(a, 0.0))))
    return out


def _reason(p: Proposals, inp: RebalanceInput, a: int, sl: int) -> int:
    """The core's reason for a sale of sleeve ``sl`` in a raising account: BAND when the sleeve
    is outside its band, else RAISE_CASH."""
    md = inp.models[int(inp.model_of[a])]
    out = abs(float(p.weight_before[a, sl]) - float(md.target[sl])) > float(md.tolerance[sl])
    return int(TradeReason.BAND if out else TradeReason.RAISE_CASH)


def _funding(p: Proposals, accounts: set[int]) -> dict[int, float]:
    """Per account, how much of a dollar left unsold comes off its buys, squared, times Σπ²
    (π: each sleeve's share of the buys): the drift a kept sale adds on the buy side, per unit
    of the drift it keeps on the sell side (see :func:`reallocate`)."""
    buys: dict[int, dict[int, float]] = {}
    sold: dict[int, float] = {}
    for t in range(len(p.side)):
        a = int(p.trade_account[t])
        if a not in accounts:
            continue
        if p.side[t] > 0:
            per = buys.setdefault(a, {})
            per[int(p.sleeve[t])] = per.get(int(p.sleeve[t]), 0.0) + float(p.value[t])
        else:
            sold[a] = sold.get(a, 0.0) + float(p.value[t])
    out: dict[int, float] = {}
    for a, per in buys.items():
        bought = sum(per.values())
        spare = max(float(p.cash_before[a]) - float(p.cash_keep[a]), 0.0)
        need = max(bought - spare, 0.0)
        phi = min(need / sold[a], 1.0) if sold.get(a, 0.0) > 0 else 0.0
        out[a] = phi * phi * sum((v / bought) ** 2 for v in per.values())
    return out


def _over(p: Proposals, inp: RebalanceInput, a: int, sl: int) -> tuple[float, float]:
    """Sleeve ``sl``'s value over its target value (the core's) and 0.9 × its band in value."""
    md = inp.models[int(inp.model_of[a])]
    total = float(p.total_value[a])
    q, uv = inp.quantity[a], inp.unit_value[a]
    legacy_cols = (q > 0) & inp.no_sell[a] & (md.member < 0)
    legacy = float((q[legacy_cols] * uv[legacy_cols]).sum())
    tsum = float(md.target.sum())
    base = max(total - float(p.cash_keep[a]) - legacy, 0.0)
    scale = base / tsum if tsum > 0 else 0.0
    over = float(p.weight_before[a, sl]) * total - float(md.target[sl]) * scale
    return over, TOLERANCE_SHARE * float(md.tolerance[sl]) * scale


def _lots(book: LotBook, s: Sell, k: int, hold: str, defer: str, rates: tuple[float, float]
          ) -> list[tuple[tuple[int, float], int, float, float, bool]]:
    """The lots of position k that may be sold, in min-tax order within the position:
    (class and loss or tax per dollar, lot, units, gain per unit, long-term)."""
    out = []
    for x in range(book.start[k], book.start[k + 1]):
        g = s.uv - book.basis[x] / book.qty[x]
        long = book.long[x]
        if g < 0:
            if hold:
                continue
            out.append(((0, g / s.uv), x, book.qty[x], g, long))
        elif long or not defer:
            out.append(((1, g / s.uv * rates[1 if long else 0]), x, book.qty[x], g, long))
    out.sort(key=lambda r: (r[0], r[1]))
    return out


def _cost(lots: list[tuple[tuple[int, float], int, float, float, bool]], q: float) -> Cost:
    """The gains realized by selling ``q`` units of one position down its ``lots``."""
    st = lt = 0.0
    left = q
    for _, _, units, g, long in lots:
        if left <= EPS:
            break
        take = min(units, left)
        left -= take
        if g > 0:
            if long:
                lt += take * g
            else:
                st += take * g
    return st, lt


def reallocate(sells: Sequence[Sell], group: Sequence[int], book: LotBook, holds: Sequence[str],
               defer: Sequence[str], policy: RebalancePolicy, names: Sequence[str],
               band: Band | RaiseCash | None = None) -> bool:
    """Re-allocate the sale of one sleeve of one taxable account (``group``: indices into
    ``sells`` and into ``book``, the sleeve's sold and unsold sellable positions) in the
    min-tax order of the module docs — or, with a :class:`RaiseCash`, of all the sleeves of an
    account raising cash (:mod:`.tax_raise`). Sets ``want`` (and ``moved`` on the sells that
    shrink) and returns True when the allocation changed; otherwise leaves the sells as they
    are."""
    ks = sorted(group, key=lambda k: sells[k].j)
    rates = (policy.tax_rate_short_term, policy.tax_rate_long_term)
    lots = {k: _lots(book, sells[k], k, holds[k], defer[k], rates) for k in ks}
    avail = {k: sum(r[2] for r in lots[k]) for k in ks}
    total = sum(sells[k].q0 * sells[k].uv for k in ks)
    old = {k: min(sells[k].q0, avail[k]) for k in ks}
    # The continuous walk over all the sleeve's lots in one order.
    order = sorted(((r[0], sells[k].j, r[1], k, r[2]) for k in ks for r in lots[k]),
                   key=lambda r: r[:3])
    cont = dict.fromkeys(ks, 0.0) if not isinstance(band, RaiseCash) else split(
        sells, ks, lots, rates, total, band)
    left = 0.0 if isinstance(band, RaiseCash) else total
    kept = False
    for (cls, tpd), _, _, k, units in order:
        if left <= EPS:
            break
        take = min(units, left / sells[k].uv)
        if cls > 0 and isinstance(band, tuple):  # stop where the gain costs more than the drift
            over, value, tol, fund = band
            stop = over - value * min(TOLERANCE_SHARE * tol, tpd / (2 * (1 + fund)))
            if total - left + take * sells[k].uv > stop + CENT:
                take = max(stop - (total - left), 0.0) / sells[k].uv
                kept = True
        cont[k] += take
        left -= take * sells[k].uv
        if kept:
            break
    total = total - left if kept else total
    new: dict[int, float] = {}
    for k in ks:
        s = sells[k]
        q = min(floor_lot(cont[k], s.lot), floor_lot(avail[k], s.lot))
        new[k] = q if q > 0 and tradable(q, s.uv, policy) else 0.0
    # Whole lots back, cheapest next lot first, while the sale stays within V.
    sold = sum(new[k] * sells[k].uv for k in ks)
    while True:
        best: tuple[tuple[int, float], int] | None = None
        for k in ks:
            s = sells[k]
            step = _next_quantity(new[k], s, avail[k], policy)
            if (step is None or step > avail[k] * (1 + EPS) + EPS
                    or sold + (step - new[k]) * s.uv > total + CENT
                    or not tradable(step, s.uv, policy)):
                continue
            nxt = _next_key(lots[k], new[k])
            if best is None or (nxt, s.j) < (best[0], sells[best[1]].j):
                best = (nxt, k)
        if best is None:
            break
        k = best[1]
        s = sells[k]
        chosen = _next_quantity(new[k], s, avail[k], policy)
        assert chosen is not None  # it was a candidate above
        sold += (chosen - new[k]) * s.uv
        new[k] = chosen
    if all(abs(new[k] - sells[k].q0) <= EPS for k in ks):
        return False
    c_old = _sum(_cost(lots[k], old[k]) for k in ks)
    c_new = _sum(_cost(lots[k], new[k]) for k in ks)
    tax_old = c_old[0] * rates[0] + c_old[1] * rates[1]
    tax_new = c_new[0] * rates[0] + c_new[1] * rates[1]
    if isinstance(band, RaiseCash):
        if not (objective(sells, new, tax_new, band)
                < objective(sells, old, tax_old, band) - CENT / band.total):
            return False
    elif not tax_new < tax_old - CENT:
        return False
    more = [names[sells[k].j] for k in ks if new[k] > sells[k].q0 + EPS]
    for k in ks:
        s = sells[k]
        s.want = new[k]
        if new[k] < s.q0 - EPS:
            what = ([f"sold from lower-tax lots of {', '.join(more)}"] if more else []) + (
                ["gain lots kept where their tax outweighs the drift left"] if kept else [])
            rule = "min-tax cash raising" if isinstance(band, RaiseCash) else \
                "min-tax sleeve allocation"
            s.moved = (f"{rule}: {' and '.join(what) or 'lower-tax lots'}"
                       f" (gains {_money(c_new)} instead of {_money(c_old)})")
    return True


def _next_key(lots: list[tuple[tuple[int, float], int, float, float, bool]],
              q: float) -> tuple[int, float]:
    """The order key of the lot that unit ``q`` + 1 of a position comes from."""
    left = q
    for r in lots:
        if left < r[2] - EPS:
            return r[0]
        left -= r[2]
    return lots[-1][0] if lots else (3, 0.0)


def _sum(costs: Iterable[Cost]) -> Cost:
    st = lt = 0.0
    for a, b in costs:
        st += a
        lt += b
    return st, lt


def _money(c: Cost) -> str:
    return f"short-term ${c[0]:,.0f}, long-term ${c[1]:,.0f}"


def _next_quantity(current: float, s: Sell, avail: float, policy: RebalancePolicy
                   ) -> float | None:
    """One more lot of a sale already made, or the smallest tradable sale of a new one."""
    if current > 0:
        return current + s.lot
    return first_tradable(s.lot, s.lot, avail, s.uv, policy)
