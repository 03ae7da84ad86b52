"""The tax pass: after :func:`~ballast.rebalance.core.propose`, choose the lots of every sell,
keep the household free of wash sales, defer short-term gains and fit the yearly gain budget.

Rules, in the order they apply (pure and deterministic; loops over trades, not accounts):

0. **Min-tax allocation** (taxable, MIN_TAX/SPECIFIC; :mod:`.tax_sleeves`,
   :mod:`.tax_account`): the account's sales are re-spread over its sleeves that do not buy,
   their instruments and lots (losses, then gains by estimated tax per dollar): each sleeve
   sells while a dollar's tax per dollar less twice its over-weight left (÷ the account's
   value) is below the value of a dollar of cash to the account's buys, within 0.9 × its
   band of target; the holdings outside the model are one more such sleeve, with target 0.
   Used only when it lowers squared drift + tax ÷ value below the core's sells.
1. **Lots.** Every sell relieves lots by its account's method through the ledger's
   ``select_lots`` (SPECIFIC is run as MIN_TAX: the pass names the lots), at the trade's unit
   value, on ``as_of``. Gains are estimated per lot; in accounts that are not taxable they are
   reported as lots but count 0 toward short- and long-term gain.
2. **Loss sells vs purchases** (IRS Pub. 550, across the household, by wash-sale group): in a
   taxable account, loss lots are not sold when the household bought the group within the last
   30 days; the sale takes other lots, shrinks to them (whole lots) or is dropped.
3. **Short-term deferral** (taxable): short-term gain lots are not sold unless the sleeve's
   drift |weight − target| exceeds ``short_term_hard_band`` (default: 2 × the sleeve's
   tolerance; for a holding outside the model, its weight against the policy's total drift
   limit). Sells that raise requested cash are exempt.
4. **Buys vs loss sells.** A buy of group g in household h is blocked when h sold g at a loss
   within 30 days or sells g at a loss in this run (taxable accounts). Losses harvested in this
   run win over the buy — unless the buy has no alternate and no recent loss blocks it: then
   those loss lots are held back instead (rule 2 with "bought in this run").
5. **Gain budget** (taxable, finite budget): when the account's net estimated gain exceeds
   the budget left, its gain-realizing sells are scaled by one factor, floored to whole lots;
   sells at a net loss are kept.
6. **Switch or drop.** A blocked buy moves to the sleeve's next preferred instrument of
   another group that is buyable, priced and not blocked itself, for the same value (floored
   to its lot); if there is none, or it is below the minimum trade, the buy is dropped.
7. **Refill** (:mod:`.tax_refill`). Where sells shrank or a buy was blocked, the account's
   buys are sized again by the core on the holdings after the final sells, with the groups the
   household may not buy excluded and the same cash kept — the cash the pass left goes to the
   underweight sleeves, and a blocked or too dear first choice passes its need down the
   sleeve's list; cash, weights and drift after are recomputed.

Every trade changed is listed in ``TaxedProposals.changes`` with its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial

import numpy as np

from ballast.config.rebalance import RebalancePolicy
from ballast.ledger.snapshot import DayArray, IntArray
from ballast.rebalance.inputs import BoolArray, RebalanceInput
from ballast.rebalance.proposals import Proposals, TradeReason
from ballast.rebalance.tax_output import Shaped, assemble, shaped
from ballast.rebalance.tax_parallel import SPLIT_FROM_TRADES, can_fork, household_parts, run_split
from ballast.rebalance.tax_refill import refill
from ballast.rebalance.tax_sells import Buy, LotBook, Sell, fit_budget, floor_lot, tradable
from ballast.rebalance.tax_sleeves import reallocate, sleeve_groups
from ballast.rebalance.tax_types import TaxedProposals, TaxInput

WINDOW_DAYS = 30
Key = tuple[int, int]  # (household, wash-sale group)


def _recent(household: IntArray, instrument: IntArray, day: DayArray, group_of: IntArray,
            as_of: date) -> dict[Key, tuple[date, int]]:
    """(household, group) -> (latest day, its instrument) over the 30 days up to ``as_of``."""
    end = np.datetime64(as_of, "D")
    d = day.astype("datetime64[D]")
    ok = (d <= end) & (d >= end - np.timedelta64(WINDOW_DAYS, "D"))
    out: dict[Key, tuple[date, int]] = {}
    for h, i, x in zip(household[ok].tolist(), instrument[ok].tolist(), d[ok].tolist(),
                       strict=True):
        key = (h, int(group_of[i]))
        if key not in out or x > out[key][0]:
            out[key] = (x, i)
    return out


def _pct(x: float) -> str:
    return f"{x * 100:.1f}".rstrip("0").rstrip(".") + "%"


def _defer_reasons(p: Proposals, inp: RebalanceInput, sells: list[Sell],
                   band: float | None) -> list[str]:
    """Why short-term gains of each sell are deferred ("" when they may be realized)."""
    cols = np.array([(x.a, x.sleeve, x.j, x.reason) for x in sells],
                    dtype=np.int64).reshape(-1, 4)
    a, s, j, reason = cols.T
    k = np.maximum(inp.model_of[a], 0)
    s_max = max((len(md.sleeve_names) for md in inp.models), default=0) or 1
    target, tol = np.zeros((len(inp.models) or 1, s_max)), np.zeros((len(inp.models) or 1,
                                                                     s_max))
    for i, md in enumerate(inp.models):
        target[i, :len(md.sleeve_names)], tol[i, :len(md.sleeve_names)] = md.target, md.tolerance
    ss = np.maximum(s, 0)
    in_sleeve = s >= 0
    drift = np.where(in_sleeve, np.abs(p.weight_before[a, ss] - target[k, ss]),
                     inp.quantity[a, j] * inp.unit_value[a, j] / p.total_value[a])
    hard = np.where(in_sleeve, 2 * tol[k, ss], p.policy.total_drift_limit) if band is None \
        else np.full(len(sells), band)
    defer = (drift <= hard) & (reason != TradeReason.RAISE_CASH)
    return [f"drift {_pct(d)} within the hard band {_pct(h)}" if x else ""
            for x, d, h in zip(defer.tolist(), drift.tolist(), hard.tolist(), strict=True)]


class _Sleeves:
    """Each (model, sleeve)'s instruments in order of preference, computed once."""

    def __init__(self, inp: RebalanceInput) -> None:
        self.inp = inp
        self.cache: dict[tuple[int, int], list[int]] = {}

    def alternate(self, a: int, j: int, group_of: IntArray, blocked: Callable[[int], bool]) -> int:
        """The next instrument of j's sleeve the account may buy instead of j, or -1."""
        k = int(self.inp.model_of[a])
        model = self.inp.models[k]
        s = int(model.member[j])
        if s < 0:
            return -1
        if (k, s) not in self.cache:
            mem = np.flatnonzero(model.member == s)
            self.cache[k, s] = mem[np.argsort(model.preference[mem], kind="stable")].tolist()
        g = int(group_of[j])
        for c in self.cache[k, s]:
            gc = int(group_of[c])
            if (gc != g and not self.inp.no_buy[a, c] and self.inp.unit_value[a, c] > 0
                    and not blocked(gc)):
                return c
        return -1


def tax_pass(proposals: Proposals, inp: RebalanceInput, tax: TaxInput, *,
             short_term_hard_band: float | None = None, workers: int = 1,
             split_from: int = SPLIT_FROM_TRADES) -> TaxedProposals:
    """The proposals with lots chosen, wash sales avoided, short-term gains deferred and the
    gain budget kept (see the module docs); raises DataError when ``tax`` does not fit the run
    or a sell exceeds its open lots.

    With ``workers`` > 1 and at least ``split_from`` trades, the households are split into
    ``workers`` parts of about equal trades, shaped in forked processes and joined: the result
    is the same as in one process (each household's trades depend on that household only)."""
    tax.check(len(inp.accounts), len(inp.instruments))
    shape = partial(_shape, proposals, inp, tax, short_term_hard_band)
    if workers > 1 and proposals.n_trades >= split_from and can_fork():
        parts = run_split(shape, household_parts(tax.household, proposals.trade_account,
                                                 workers))
    else:
        parts = [shape(None)]
    return assemble(proposals, inp, tax, parts)


def _shape(p: Proposals, inp: RebalanceInput, tax: TaxInput, short_term_hard_band: float | None,
           keep: BoolArray | None) -> Shaped:
    """Rules 0–7 on the trades ``keep`` marks (all when None; whole households only): the
    sells with their lots and the final buys, as columns."""
    policy, names = p.policy, inp.instruments
    m = len(names)
    hh, grp, taxable = tax.household.tolist(), tax.group_of, tax.taxable.tolist()
    recent_loss = _recent(tax.loss_household, tax.loss_instrument, tax.loss_date, grp, tax.as_of)
    recent_buy = _recent(tax.buy_household, tax.buy_instrument, tax.buy_date, grp, tax.as_of)
    acct, inst = p.trade_account.tolist(), p.trade_instrument.tolist()
    qty, uv, lot = p.quantity.tolist(), p.unit_value.tolist(), inp.lot_size.tolist()
    sleeve, reason = p.sleeve.tolist(), p.reason.tolist()
    side = p.side if keep is None else np.where(keep, p.side, 0)
    sells = [Sell(t, acct[t], inst[t], qty[t], uv[t], lot[inst[t]], sleeve=sleeve[t],
                  reason=reason[t]) for t in np.flatnonzero(side < 0).tolist()]
    groups = sleeve_groups(p, inp, tax, sells)
    book = LotBook(tax, m, np.array([s.a for s in sells], dtype=np.int64),
                   np.array([s.j for s in sells], dtype=np.int64))
    defer = _defer_reasons(p, inp, sells, short_term_hard_band)

    def key(a: int, j: int) -> Key:
        return hh[a], int(grp[j])

    def window(k: int) -> str:
        bought = recent_buy.get(key(sells[k].a, sells[k].j))
        return f"{names[bought[1]]} bought on {bought[0]}" if bought else ""

    holds = [window(k) for k in range(len(sells))]
    reallocate(sells, groups, book, holds, defer, policy, names)

    def pick(k: int, hold: str) -> None:
        s = sells[k]
        s.q, s.relief, s.note, s.why = 0.0, [], "", ""
        if s.q0 <= 0 and s.need <= 0:  # a position the allocation may sell from, not selling
            return
        book.choose(s, k, tax.lot_method[s.a], taxable=taxable[s.a], hold_losses=hold,
                    defer_short=defer[k], policy=policy)

    for k in range(len(sells)):
        pick(k, holds[k])

    def run_losses() -> dict[Key, Sell]:
        out: dict[Key, Sell] = {}
        for s in sells:
            if taxable[s.a] and s.has_loss:
                out.setdefault(key(s.a, s.j), s)
        return out

    sleeves = _Sleeves(inp)
    buys = [Buy(t, acct[t], inst[t], qty[t], inst[t], qty[t], uv[t], sleeve=int(p.sleeve[t]),
                reason=int(p.reason[t])) for t in np.flatnonzero(side > 0).tolist()]
    loss_now = run_losses()
    protect: set[Key] = set()
    for b in buys:
        kb = key(b.a, b.j)
        if (kb in loss_now and kb not in recent_loss
                and sleeves.alternate(b.a, b.j, grp,
                                      _blocked(hh[b.a], recent_loss, loss_now)) < 0):
            protect.add(kb)
    for k, s in enumerate(sells):
        if key(s.a, s.j) in protect:
            holds[k] = f"{names[s.j]} bought in this run in the household"
    again = [(g, acct) for g, acct in groups  # loss lots newly held back: allocated again
             if any(key(sells[k].a, sells[k].j) in protect for k in g)]
    for g, _ in again:
        for k in g:
            sells[k].want, sells[k].moved = -1.0, ""
    reallocate(sells, again, book, holds, defer, policy, names)
    for g, _ in again:
        for k in g:
            pick(k, holds[k])
    grouped = {k for g, _ in groups for k in g}
    for k, s in enumerate(sells):
        if key(s.a, s.j) in protect and k not in grouped:
            pick(k, holds[k])

    budget = tax.budget().tolist()
    by_account: dict[int, list[Sell]] = {}
    for s in sells:
        by_account.setdefault(s.a, []).append(s)
    for a, group in by_account.items():
        if taxable[a] and np.isfinite(budget[a]):
            fit_budget(group, budget[a], policy)

    loss_now = run_losses()
    for b in buys:
        _switch(b, hh[b.a], grp, recent_loss, loss_now, sleeves, inp, policy)
    by_house: dict[int, set[int]] = {}
    for house, grp_k in (*recent_loss, *loss_now):
        by_house.setdefault(house, set()).add(grp_k)
    return shaped(sells, refill(p, inp, sells, buys, lambda a: by_house.get(hh[a], set()), grp))


def _blocked(h: int, recent_loss: dict[Key, tuple[date, int]],
             loss_now: dict[Key, Sell]) -> Callable[[int], bool]:
    """Whether household ``h`` may not buy a group: a loss sale recent or in this run."""
    def blocked(g: int) -> bool:
        return (h, g) in recent_loss or (h, g) in loss_now
    return blocked


def _switch(b: Buy, h: int, grp: IntArray, recent_loss: dict[Key, tuple[date, int]],
            loss_now: dict[Key, Sell], sleeves: _Sleeves, inp: RebalanceInput,
            policy: RebalancePolicy) -> None:
    """Move a buy blocked by a wash-sale window to its sleeve's alternate, or drop it."""
    g = int(grp[b.j])
    names = inp.instruments
    if (h, g) in recent_loss:
        d, i = recent_loss[h, g]
        window = f"{names[i]} sold at a loss on {d}"
    elif (h, g) in loss_now:
        s = loss_now[h, g]
        window = f"{names[s.j]} sold at a loss in this run ({inp.accounts[s.a]})"
    else:
        return
    c = sleeves.alternate(b.a, b.j, grp, _blocked(h, recent_loss, loss_now))
    b.note = window
    if c < 0:
        b.q, b.why = 0.0, f"wash-sale window: {window}; no other instrument in the sleeve to buy"
        return
    c_uv = float(inp.unit_value[b.a, c])
    q = floor_lot(b.q * b.uv / c_uv, float(inp.lot_size[c]))
    if not tradable(q, c_uv, policy):
        b.q = 0.0
        b.why = f"wash-sale window: {window}; {names[c]} instead would be below the minimum trade"
        return
    b.j, b.q, b.uv = c, q, c_uv
    b.why = f"wash-sale window: {window}"
