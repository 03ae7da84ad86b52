"""Min-tax allocation: in a taxable account, the sales are spread over its sleeves, their
instruments and their lots by what each dollar sold costs, not pro rata to value.

The core sells every instrument of an overweight sleeve pro rata; the tax pass would then pick
lots within each instrument only. For a taxable account whose lot method is MIN_TAX (or
SPECIFIC, run as MIN_TAX) all its sellable positions in the sleeves it does not buy, and its
holdings outside the model, are re-allocated at once (:mod:`.tax_account`: every sleeve sells
while a dollar's tax per dollar less twice the sleeve's over-weight left is below the value of
a dollar of cash to the account's buys), each sleeve's lots in one min-tax order:

1. losses, largest loss per dollar first — except loss lots of a group the household bought
   in the wash-sale window (those are held back, as the lot choice does);
2. gains, smallest estimated tax per dollar first (gain per dollar × the policy's short- or
   long-term rate) — short-term gain lots only when the sleeve's drift is beyond the
   short-term hard band or its sale raises requested cash (the deferral the lot choice
   applies).

Ties go to the lower instrument index, then the lot's position. Each position's share is
floored to its lot size, shares below the minimum trade are dropped, and whole lots are then
added, largest remainder of the continuous split first, while the account's sale stays at most
the split's total ``V`` (never more than the core's; under BAND_EDGE no sleeve sells more than
the core's sale of it); never more than held, never a do-not-sell holding (those are not
candidates). The new allocation replaces the core's only when it lowers the account's objective
(squared drift of the sleeves sold and of those bought with the cash raised, plus estimated
tax, see :mod:`.tax_account`) by more than a cent ÷ its value. Sells of harvests are left
alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from ballast.config.rebalance import RebalancePolicy, TradeTo
from ballast.domain import LotMethod
from ballast.rebalance.inputs import RebalanceInput
from ballast.rebalance.proposals import Proposals, TradeReason, Trigger
from ballast.rebalance.tax_account import AccountSale, Lot, objective, split
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


def sleeve_groups(p: Proposals, inp: RebalanceInput, tax: TaxInput,
                  sells: list[Sell]) -> list[tuple[list[int], AccountSale]]:
    """The sales to re-allocate, as indices into ``sells``: one group per taxable MIN_TAX
    account, its sleeves' and outside holdings' sells (see :mod:`.tax_account`). The sellable
    holdings of the sleeves it does not buy that the core did not sell are appended to
    ``sells`` (0 units)."""
    by: dict[int, list[int]] = {}
    sold: set[tuple[int, int]] = set()
    reasons = {int(r) for r in _SLEEVE_REASONS}
    for k, s in enumerate(sells):
        sold.add((s.a, s.j))
        if not (tax.taxable[s.a] and tax.lot_method[s.a] in MIN_TAX_METHODS):
            continue
        if (s.sleeve >= 0 and s.reason in reasons) or s.reason == TradeReason.NOT_IN_MODEL:
            by.setdefault(s.a, []).append(k)
    bought: dict[int, set[int]] = {}
    for a, sl, side in zip(p.trade_account.tolist(), p.sleeve.tolist(), p.side.tolist(),
                           strict=True):
        if side > 0 and a in by:
            bought.setdefault(a, set()).add(sl)
    out: list[tuple[list[int], AccountSale]] = []
    for a, ks in by.items():
        md = inp.models[int(inp.model_of[a])]
        buys = bought.get(a, set())
        t = sells[ks[0]].t
        sleeves = sorted({x for x in range(len(md.sleeve_names)) if x not in buys}
                         | {sells[k].sleeve for k in ks})
        total = float(p.total_value[a])
        q, uv = inp.quantity[a], inp.unit_value[a]
        value = np.where(q > 0, q * uv, 0.0)
        outside = md.member < 0
        tsum = float(md.target.sum())
        base = max(total - float(p.cash_keep[a]) - float(value[outside & inp.no_sell[a]].sum()),
                   0.0)
        scale = base / tsum if tsum > 0 else 0.0  # the core's target value per unit of target
        w = p.weight_before[a, :len(md.sleeve_names)]
        over_all = (w * total - md.target * scale).tolist()
        room_all = (TOLERANCE_SHARE * md.tolerance * scale).tolist()
        out_band = (np.abs(w - md.target) > md.tolerance).tolist()
        raising = bool(p.triggers[a] & Trigger.CASH_NEEDED)
        over = {x: over_all[x] for x in sleeves if x >= 0}
        room = {x: room_all[x] for x in sleeves if x >= 0}
        if -1 in sleeves:  # the holdings outside the model: their whole value is drift
            over[-1] = float(value[outside].sum())
            room[-1] = TOLERANCE_SHARE * p.policy.total_drift_limit * total
        free = (q > 0) & ~inp.no_sell[a] & (uv > 0) & np.isfinite(uv) & ~outside
        for j in np.flatnonzero(free).tolist():
            x = int(md.member[j])
            if x in over and (a, j) not in sold:
                reason = TradeReason.BAND if out_band[x] else (
                    TradeReason.RAISE_CASH if raising else TradeReason.TO_TARGET)
                ks.append(len(sells))
                sells.append(Sell(t, a, j, 0.0, float(uv[j]), float(inp.lot_size[j]),
                                  sleeve=x, reason=int(reason)))
        short = tuple(max(-over_all[u], 0.0) for u in sorted(buys) if u >= 0)
        spare = float(p.cash_before[a]) - float(p.cash_keep[a])
        core = dict.fromkeys(sleeves, 0.0)
        for k in ks:
            core[sells[k].sleeve] += sells[k].q0 * sells[k].uv
        cap = core if p.policy.trade_to is TradeTo.BAND_EDGE else None
        out.append((ks, AccountSale(total, spare, over, room, short, cap, sum(core.values()))))
    return out


def _lots(book: LotBook, s: Sell, k: int, hold: str, defer: str, rates: tuple[float, float]
          ) -> list[Lot]:
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


def _cost(lots: list[Lot], q: float) -> Cost:
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


def reallocate(sells: Sequence[Sell], groups: Sequence[tuple[list[int], AccountSale]],
               book: LotBook, holds: Sequence[str], defer: Sequence[str],
               policy: RebalancePolicy, names: Sequence[str]) -> None:
    """Re-allocate the sales of taxable accounts (each group: indices into ``sells`` and into
    ``book``, one account's sold and unsold sellable positions, and the account) by
    :mod:`.tax_account`, rounded to lots as the module docs say. Sets ``want`` (and ``moved``
    on the sells that shrink) where the allocation changes; else leaves the sells as they are."""
    rates = (policy.tax_rate_short_term, policy.tax_rate_long_term)
    jobs = []
    for group, acct in groups:
        ks = sorted(group, key=lambda k: sells[k].j)
        jobs.append((ks, {k: _lots(book, sells[k], k, holds[k], defer[k], rates) for k in ks},
                     acct))
    for (ks, lots, acct), cont in zip(jobs, split(sells, jobs, rates), strict=True):
        _round(sells, ks, lots, acct, cont, policy, names)


def _round(sells: Sequence[Sell], ks: list[int], lots: dict[int, list[Lot]],
           acct: AccountSale, cont: dict[int, float], policy: RebalancePolicy,
           names: Sequence[str]) -> None:
    """One account's continuous split ``cont`` in whole lots, used when it is better."""
    rates = (policy.tax_rate_short_term, policy.tax_rate_long_term)
    avail = {k: sum(r[2] for r in lots[k]) for k in ks}
    old = {k: min(sells[k].q0, avail[k]) for k in ks}
    total = sum(cont[k] * sells[k].uv for k in ks)
    new: dict[int, float] = {}
    for k in ks:
        s = sells[k]
        q = min(floor_lot(cont[k], s.lot), floor_lot(avail[k], s.lot))
        new[k] = q if q > 0 and tradable(q, s.uv, policy) else 0.0
    # Whole lots back, largest remainder first, while the sale stays within the total.
    sold = sum(new[k] * sells[k].uv for k in ks)

    def candidate(k: int) -> tuple[float, int, float] | None:
        """(−share of the next step still wanted, instrument, next quantity) of position k."""
        s = sells[k]
        step = _next_quantity(new[k], s, avail[k], policy)
        if (step is None or cont[k] <= new[k] + EPS or step > avail[k] * (1 + EPS) + EPS
                or not tradable(step, s.uv, policy)):
            return None
        return -(cont[k] - new[k]) / (step - new[k]), s.j, step

    cands = {k: c for k in ks if (c := candidate(k)) is not None}
    while True:
        fits = [(c, k) for k, c in cands.items()
                if sold + (c[2] - new[k]) * sells[k].uv <= total + CENT]
        if not fits:
            break
        (_, _, chosen), k = min(fits, key=lambda x: x[0][:2])
        sold += (chosen - new[k]) * sells[k].uv
        new[k] = chosen
        c = candidate(k)
        if c is None:
            del cands[k]
        else:
            cands[k] = c
    if all(abs(new[k] - sells[k].q0) <= EPS for k in ks):
        return
    c_old = _sum(_cost(lots[k], old[k]) for k in ks)
    c_new = _sum(_cost(lots[k], new[k]) for k in ks)
    f_old = objective(sells, old, c_old[0] * rates[0] + c_old[1] * rates[1], acct)
    f_new = objective(sells, new, c_new[0] * rates[0] + c_new[1] * rates[1], acct)
    if not f_new < f_old - CENT / acct.total:
        return
    more = [names[sells[k].j] for k in ks if new[k] > sells[k].q0 + EPS]
    kept = sold < sum(sells[k].q0 * sells[k].uv for k in ks) - CENT
    for k in ks:
        s = sells[k]
        s.want = new[k]
        if new[k] < s.q0 - EPS:
            what = ([f"sold from lower-tax lots of {', '.join(more)}"] if more else []) + (
                ["gain lots kept where their tax outweighs the drift left"] if kept else [])
            s.moved = (f"min-tax allocation: {' and '.join(what) or 'lower-tax lots'}"
                       f" (gains {_money(c_new)} instead of {_money(c_old)})")


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
