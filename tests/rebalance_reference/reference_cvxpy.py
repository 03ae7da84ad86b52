"""The slow, obviously correct reference: one account's rebalancing problem as a convex QP.

For one account of a :class:`RebalanceInput` following a model, with ``T`` its value before
trading (Σ quantity × unit value + cash) and, per instrument ``j`` in play (held or in the
model), ``b_j ≥ 0`` units bought and, per open lot ``ℓ`` of a sellable ``j``, ``z_ℓ ≥ 0``
units sold, ``s_j = Σ_{ℓ of j} z_ℓ`` (continuous: the relaxation of whole shares and lots)::

    w_k  = Σ_{j in sleeve k} (q_j + b_j − s_j) · uv_j / T        sleeve weight after
    u    = Σ_{j outside the model} (q_j − s_j) · uv_j / T          weight outside the model
    f    = Σ_k (w_k − τ_k)²  +  u²                                 squared drift
         + rate · Σ_j (b_j + s_j) · uv_j / T                       trading cost (proportional)
         + Σ_ℓ c_ℓ · z_ℓ / T                                       tax cost (taxable accounts)

    c_ℓ = r_short · max(g_ℓ, 0) for a short-term lot, r_long · max(g_ℓ, 0) for a long-term one,
    g_ℓ = uv_j − the lot's unit basis (the position's average under AVERAGE)

    subject to  z_ℓ ≤ cap_ℓ,  s_j ≤ max(q_j, 0),  s_j = 0 if do-not-sell      lots, no shorts
                b_j = 0 unless j is in the model, not do-not-buy, not wash-blocked
                cash + (1 − rate) Σ s_j uv_j − (1 + rate) Σ b_j uv_j ≥ keep*
                Σ_ℓ g_ℓ z_ℓ ≤ max(gain budget left, 0)                  (taxable, finite budget)

* ``rate`` is the CostModel's proportional part, (half spread + impact) bps / 1e4; the fixed
  commission is left out (it is not convex), so the reference is a relaxation of the engine's
  cost rule too.
* ``τ_k`` is the sleeve's *effective* target, exactly as ``ballast.rebalance.core`` defines its
  target value: cash to keep = max(cash target, cash minimum) × T + cash requested; the rest,
  less do-not-sell holdings outside the model, split over the sleeves in proportion to their
  targets; τ_k = that target value / T. It equals the model's target whenever nothing is
  requested, nothing is stuck outside the model and the targets sum to 1 − cash target.
* ``keep*`` = min(cash to keep, cash + (1 − rate) × everything sellable within the lot caps):
  when even selling all cannot raise the cash to keep, the constraint asks for the most that
  can be raised.
* Weights are over the value before trading, so ``f`` is a quadratic; the value after differs
  only by the costs (bps), which would not change the comparison.
* The drift term is the TARGET policy's aim (every sleeve to its target). Under BAND_EDGE the
  engine stops at the band edge on purpose, so its gap against this reference is not a defect:
  compare gaps under ``TradeTo.TARGET`` only (constraints are checked under either).

Taxes (with a ``TaxInput``; without one, every held sellable position is one lot with
``c = 0`` and no cap but its quantity — the pure-drift problem). The hard rules of the tax
pass (``ballast.rebalance.tax``), as caps and exclusions:

* **Blocked buys** (any account): no buy of a wash-sale group the household sold at a loss in
  the 30 days up to ``as_of`` — or, with ``taxed``, that another account of the household
  sells at a loss in this run's final trades (a taxable account relieving a lot at a loss).
* **Loss lots in a buy window** (taxable): ``cap_ℓ = 0`` for a loss lot (uv < unit basis) of a
  group the household bought in the last 30 days — or, with ``taxed``, that another account
  of the household buys in this run.
* **Short-term deferral** (taxable): ``cap_ℓ = 0`` for a short-term lot that is not a loss
  unless the drift of its sleeve, |weight before − model target|, exceeds the hard band —
  ``policy.short_term_hard_band`` when set (pass the tax pass the same), else 2 × the
  sleeve's tolerance; for a holding outside the model its weight against
  ``policy.total_drift_limit``. As in the pass, an in-band sleeve's sale that raises requested
  cash (the account is below cash minimum × T + requested) is exempt.
* **Gain budget**: see above (the engine scales gains so the net fits; a budget already
  overdrawn leaves it only losses, whose net is ≤ 0).
* Otherwise ``cap_ℓ`` = the lot's open quantity.

The account's OWN wash-sale disjunction (not buy a group and sell its loss lots in one
taxable account) is not convex and is left out — a relaxation, like whole shares. Conditioning
on the other accounts' final trades (``taxed``) decomposes the household by account; the
engine's trades satisfy all of it (``check_tax``), so they stay feasible here.

**Tax rates are the reference's**: :data:`RATES` (37 % short, 20 % long — US top federal
rates) turn gains into the cost ``c_ℓ`` on the scale of the drift term (÷ T). The engine does
not minimize this cost: it chooses lots by the account's method (MIN_TAX: losses, then gains
by estimated tax at its policy's rates, which default to these), keeps gain lots by a rule and
defers short-term gains by rule. **Losses give no benefit** (``c_ℓ ≥ 0``): a loss
credit would make this per-account relaxation harvest — sell loss lots and buy the same group
back, the wash sale it cannot exclude (the disjunction above) — which is not the rebalancing
problem; harvesting is measured apart. Non-taxable accounts have ``c = 0``.

The engine's objective ``f_eng`` is the same ``f`` at its final trades, with ``z`` the lots the
tax pass actually relieved (``TaxedProposals.lots_of``); ``Gap.engine_within_caps`` says they
respect the caps above (they must: it is the same problem).

Objective gap of the engine's (rounded) trades ``f_eng`` against the reference optimum
``f_ref``, with ``f_start`` = f of trading nothing (f_ref ≤ f_start, and f_ref ≤ f_eng since the
engine's trades are feasible here; tiny negative gaps are solver tolerance or the engine
raising slightly less than the cash to keep by lot rounding):

* ``gap`` (the headline) = (f_eng − f_ref) / max(f_start − f_ref, EPS): the share of the
  achievable improvement that the engine missed. It does not depend on the objective's scale,
  and an engine that trades nothing scores 1 (100 %) however small the drift.
* ``gap_vs_start`` = (f_eng − f_ref) / max(f_start, EPS): the same loss on the scale of the
  starting objective (always ≤ ``gap``); reported alongside.

Both are computed only for accounts that trade (triggered, not skipped, not held back).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import cvxpy as cp
import numpy as np
import numpy.typing as npt

from ballast.config.rebalance import RebalancePolicy
from ballast.domain import LotMethod, Term, holding_term
from ballast.rebalance import (
    Proposals,
    RebalanceInput,
    Skip,
    TaxedProposals,
    TaxInput,
    Trigger,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

EPS = 1e-12  # squared-weight units: the gap's denominator never goes below this


@dataclass(frozen=True)
class TaxRates:
    """The reference's tax rates on realized short- and long-term gains (the engine has none)."""

    short: float = 0.37
    long: float = 0.20


RATES = TaxRates()


@dataclass(frozen=True)
class AccountProblem:
    """One account's data, restricted to the instruments in play (``cols``) and the open lots
    of its sellable ones (``lot_*``, ``lot_col`` indexing ``cols``)."""

    account: int
    cols: IntArray  # instrument indices: held (≠ 0) or in the model
    quantity: FloatArray
    unit_value: FloatArray
    lot: FloatArray
    sleeve: IntArray  # per col: its sleeve in the model, -1 outside
    sellable: BoolArray  # held long and not do-not-sell
    buyable: BoolArray  # in the model, not do-not-buy, not blocked by a wash-sale window
    target: FloatArray  # τ: effective sleeve target weights
    total: float  # T
    cash: float
    keep: float  # cash to keep, as core.py defines it
    rate: float
    lot_col: IntArray
    lot_id: tuple[str, ...]  # "" for the one pseudo-lot per position without a TaxInput
    lot_cap: FloatArray  # units that may be sold
    lot_gain: FloatArray  # g: gain per unit
    lot_long: BoolArray
    lot_cost: FloatArray  # c: tax cost per unit sold
    budget: float  # net realized gain allowed (inf: none)

    @property
    def sleeves(self) -> int:
        return len(self.target)


@dataclass(frozen=True)
class Solution:
    """Reference trades as full-width arrays (units), per-lot sells, the objective values."""

    buy: FloatArray
    sell: FloatArray
    lot_sell: FloatArray  # per lot of ``problem``
    objective: float
    objective_start: float
    seconds: float
    problem: AccountProblem


_LOT_INDEX: list[tuple[TaxInput, IntArray, IntArray]] = []


def _lots_of(tax: TaxInput, account: int) -> IntArray:
    """Indices of the open lots of ``account`` (an index built once per TaxInput)."""
    if not _LOT_INDEX or _LOT_INDEX[0][0] is not tax:
        order = np.argsort(tax.lot_account, kind="stable").astype(np.int64)
        bounds = np.searchsorted(tax.lot_account[order],
                                 np.arange(len(tax.taxable) + 1)).astype(np.int64)
        _LOT_INDEX[:] = [(tax, order, bounds)]
    _, order, bounds = _LOT_INDEX[0]
    return order[bounds[account]:bounds[account + 1]]


def _window_groups(tax: TaxInput, household: IntArray, instrument: IntArray,
                   day: npt.NDArray[np.datetime64], h: int) -> set[int]:
    """Groups of the rows of household ``h`` dated in the 30 days up to ``as_of``."""
    end = np.datetime64(tax.as_of, "D")
    d = day.astype("datetime64[D]")
    ok = (household == h) & (d >= end - np.timedelta64(WASH_DAYS, "D")) & (d <= end)
    return {int(g) for g in tax.group_of[instrument[ok]].tolist()}


def _household_run(tax: TaxInput, taxed: TaxedProposals, account: int) -> tuple[set[int],
                                                                                 set[int]]:
    """(groups bought, groups sold at a loss by a taxable account) in the final trades of the
    OTHER accounts of ``account``'s household."""
    p = taxed.proposals
    bought: set[int] = set()
    lost: set[int] = set()
    for a in np.flatnonzero(tax.household == tax.household[account]).tolist():
        if a == account:
            continue
        for i in p.trades_of(a).tolist():
            g = int(tax.group_of[p.trade_instrument[i]])
            if p.side[i] > 0:
                bought.add(g)
            elif tax.taxable[a] and (taxed.lot_gain[taxed.lot_start[i]:taxed.lot_start[i + 1]]
                                     < 0).any():
                lost.add(g)
    return bought, lost


def account_problem(inp: RebalanceInput, account: int, policy: RebalancePolicy, *,
                    tax: TaxInput | None = None, taxed: TaxedProposals | None = None,
                    rates: TaxRates = RATES) -> AccountProblem:
    """Extract the problem of ``account`` (which must follow a model and have valid prices);
    with ``tax`` its lots, caps and tax costs, with ``taxed`` also the household's other
    accounts' final trades (see the module docstring)."""
    k = int(inp.model_of[account])
    if k < 0:
        raise ValueError(f"account {account} has no model")
    md = inp.models[k]
    q, uv = inp.quantity[account], inp.unit_value[account]
    in_model = md.member >= 0
    cols = np.flatnonzero((q != 0) | in_model)
    if not (uv[cols] > 0).all():
        raise ValueError(f"account {account} lacks a price for an instrument in play")
    value = q[cols] * uv[cols]
    total = float(value.sum() + inp.cash[account])
    sellable = (q[cols] > 0) & ~inp.no_sell[account, cols]
    need = float(inp.cash_needed[account])
    keep = max(md.cash_target, md.cash_minimum) * total + need
    legacy = float(value[~(sellable | in_model[cols])].sum())
    base = max(total - keep - legacy, 0.0)
    tsum = float(md.target.sum())
    target = md.target * (base / tsum / total if tsum > 0 else 0.0)
    c = policy.costs
    buyable = in_model[cols] & ~inp.no_buy[account, cols]
    sleeve = md.member[cols].astype(np.int64)
    qc, uvc = q[cols].astype(np.float64), uv[cols].astype(np.float64)

    if tax is None:
        lot_col = np.flatnonzero(sellable).astype(np.int64)
        lot_id: tuple[str, ...] = ("",) * lot_col.size
        cap = qc[lot_col]
        gain = np.zeros(lot_col.size)
        long = np.ones(lot_col.size, dtype=bool)
        cost = np.zeros(lot_col.size)
        budget = math.inf
    else:
        h = int(tax.household[account])
        loss_window = _window_groups(tax, tax.loss_household, tax.loss_instrument,
                                     tax.loss_date, h)
        buy_window = _window_groups(tax, tax.buy_household, tax.buy_instrument, tax.buy_date, h)
        if taxed is not None:
            bought, lost = _household_run(tax, taxed, account)
            buy_window |= bought
            loss_window |= lost
        blocked = np.isin(tax.group_of[cols], list(loss_window))
        buyable &= ~blocked

        idx = _lots_of(tax, account)
        pos = np.searchsorted(cols, tax.lot_instrument[idx])
        pos = np.minimum(pos, cols.size - 1)
        mine = cols[pos] == tax.lot_instrument[idx]
        idx, pos = idx[mine], pos[mine]
        unit = tax.lot_basis[idx] / tax.lot_quantity[idx]
        if tax.lot_method[account] is LotMethod.AVERAGE:
            qsum = np.bincount(pos, weights=tax.lot_quantity[idx], minlength=cols.size)
            bsum = np.bincount(pos, weights=tax.lot_basis[idx], minlength=cols.size)
            unit = bsum[pos] / qsum[pos]
        keep_lot = sellable[pos]
        idx, pos, unit = idx[keep_lot], pos[keep_lot], unit[keep_lot]
        lot_col = pos.astype(np.int64)
        lot_id = tuple(tax.lot_id[x] for x in idx.tolist())
        gain = uvc[lot_col] - unit
        long = np.array([holding_term(d, tax.as_of) is Term.LONG for d in
                         tax.lot_holding_start[idx].astype("datetime64[D]").tolist()],
                        dtype=bool)
        cap = tax.lot_quantity[idx].astype(np.float64).copy()
        taxable = bool(tax.taxable[account])
        budget = math.inf
        if taxable:
            loss = gain < 0
            in_window = np.isin(tax.group_of[cols[lot_col]], list(buy_window))
            cap[loss & in_window] = 0.0
            defer = _defer_cols(inp, account, policy, cols, sleeve, qc * uvc, total, need)
            cap[~loss & ~long & defer[lot_col]] = 0.0
            if tax.gain_budget is not None and np.isfinite(tax.gain_budget[account]):
                budget = max(float(tax.gain_budget[account]), 0.0)
            cost = np.where(long, rates.long, rates.short) * np.maximum(gain, 0.0)
        else:
            cost = np.zeros(lot_col.size)
    return AccountProblem(
        account=account, cols=cols, quantity=qc, unit_value=uvc,
        lot=inp.lot_size[cols].astype(np.float64), sleeve=sleeve, sellable=sellable,
        buyable=buyable, target=target.astype(np.float64), total=total,
        cash=float(inp.cash[account]), keep=keep, rate=(c.half_spread_bps + c.impact_bps) / 1e4,
        lot_col=lot_col, lot_id=lot_id, lot_cap=cap, lot_gain=gain, lot_long=long,
        lot_cost=cost, budget=budget)


def _defer_cols(inp: RebalanceInput, account: int, policy: RebalancePolicy, cols: IntArray,
                sleeve: IntArray, value: FloatArray, total: float, need: float) -> BoolArray:
    """Per col: its short-term gain lots are deferred (the tax pass's rule 3)."""
    md = inp.models[int(inp.model_of[account])]
    inside = sleeve >= 0
    w = np.bincount(sleeve[inside], weights=value[inside], minlength=len(md.target)) / total
    ss = np.maximum(sleeve, 0)
    band = policy.short_term_hard_band
    drift = np.where(inside, np.abs(w - md.target)[ss], value / total)
    hard = np.where(inside, 2 * md.tolerance[ss], policy.total_drift_limit) if band is None \
        else np.full(cols.size, band)
    raising = float(inp.cash[account]) < md.cash_minimum * total + need
    exempt = inside & (np.abs(w - md.target)[ss] <= md.tolerance[ss]) & raising
    return np.asarray((drift <= hard) & ~exempt, dtype=bool)


def objective(p: AccountProblem, buy: FloatArray, sell: FloatArray,
              lot_sell: FloatArray | None = None) -> float:
    """f for trades given per col of ``p`` (units) and per lot (units; needed when a lot has a
    tax cost), in plain numpy."""
    after = (p.quantity + buy - sell) * p.unit_value / p.total
    inside = p.sleeve >= 0
    w = np.bincount(p.sleeve[inside], weights=after[inside], minlength=p.sleeves)
    u = float(after[~inside].sum())
    traded = float(((buy + sell) * p.unit_value).sum())
    if lot_sell is None:
        if (p.lot_cost > 0).any() and (sell > 0).any():
            raise ValueError("lots have a tax cost: pass the per-lot sells")
        tax = 0.0
    else:
        tax = float((p.lot_cost * lot_sell).sum())
    return float(((w - p.target) ** 2).sum() + u * u + p.rate * traded / p.total
                 + tax / p.total)


def solve(p: AccountProblem) -> tuple[FloatArray, FloatArray, FloatArray, float]:
    """Minimize f with cvxpy + Clarabel; returns (buy, sell) per col and the sells per lot, in
    units, and seconds.

    Variables are trade values as weights of T (x = b·uv/T, y = z·uv/T per lot with a cap > 0)
    so the problem is well scaled whatever the account's size; quantities are recovered
    exactly from them.
    """
    start = time.perf_counter()
    n = len(p.cols)
    bi = np.flatnonzero(p.buyable)
    li = np.flatnonzero(p.lot_cap > 0)  # lots that may be sold
    lc = p.lot_col[li]
    luv = p.unit_value[lc]
    cap_w = p.lot_cap[li] * luv / p.total
    held_w = p.quantity * p.unit_value / p.total
    inside = p.sleeve >= 0
    w0 = np.bincount(p.sleeve[inside], weights=held_w[inside], minlength=p.sleeves)
    u0 = float(held_w[~inside].sum())
    a_buy = np.zeros((p.sleeves, bi.size))
    a_buy[p.sleeve[bi], np.arange(bi.size)] = 1.0
    a_sell = np.zeros((p.sleeves, li.size))
    l_in = p.sleeve[lc] >= 0
    a_sell[p.sleeve[lc][l_in], np.flatnonzero(l_in)] = 1.0
    out_sell = (~l_in).astype(np.float64)
    tax_w = p.lot_cost[li] / luv  # per unit of weight sold: c / uv (÷ T after × T)
    gain_w = p.lot_gain[li] / luv * p.total

    x = cp.Variable(bi.size, nonneg=True)
    y = cp.Variable(li.size, nonneg=True)
    w = w0 + (a_buy @ x if bi.size else 0) - (a_sell @ y if li.size else 0)
    u = u0 - (out_sell @ y if li.size else 0)
    drift = cp.sum_squares(w - p.target) + cp.square(u)
    cost = p.rate * (cp.sum(x) + cp.sum(y)) if bi.size + li.size else 0
    tax = tax_w @ y if li.size else 0
    # Per col, the lots' caps may exceed the holding (data): never sell more than held.
    per_col = np.bincount(lc, weights=cap_w, minlength=n)
    raisable_w = np.minimum(per_col, np.where(p.sellable, held_w, 0.0))
    raisable = p.cash + (1 - p.rate) * float(raisable_w.sum()) * p.total
    keep = min(p.keep, raisable) / p.total
    cash_after = p.cash / p.total + (1 - p.rate) * cp.sum(y) - (1 + p.rate) * cp.sum(x)
    cons = [cash_after >= keep - 1e-12]
    if li.size:
        cons.append(y <= cap_w)
        over = np.flatnonzero(per_col > held_w * (1 + 1e-12))
        if over.size:
            onehot = (lc[None, :] == over[:, None]).astype(np.float64)
            cons.append(onehot @ y <= held_w[over])
        if math.isfinite(p.budget):
            cons.append(gain_w @ y <= p.budget)
    prob = cp.Problem(cp.Minimize(drift + cost + tax), cons)
    prob.solve(solver=cp.CLARABEL, tol_gap_abs=1e-10, tol_gap_rel=1e-10, tol_feas=1e-10)
    if prob.status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE):
        raise RuntimeError(f"account {p.account}: reference status {prob.status}")
    buy, lot_sell = np.zeros(n), np.zeros(len(p.lot_col))
    if bi.size:
        buy[bi] = np.maximum(np.asarray(x.value), 0.0) * p.total / p.unit_value[bi]
    if li.size:
        lot_sell[li] = np.clip(np.asarray(y.value), 0.0, cap_w) * p.total / luv
    sell = np.bincount(p.lot_col, weights=lot_sell, minlength=n)
    return buy, sell, lot_sell, time.perf_counter() - start


def widen(p: AccountProblem, per_col: FloatArray, m: int) -> FloatArray:
    out = np.zeros(m)
    out[p.cols] = per_col
    return out


def reference(inp: RebalanceInput, account: int, policy: RebalancePolicy, *,
              tax: TaxInput | None = None, taxed: TaxedProposals | None = None,
              rates: TaxRates = RATES) -> Solution:
    """Solve the account's problem; quantities over all instruments of ``inp``."""
    p = account_problem(inp, account, policy, tax=tax, taxed=taxed, rates=rates)
    return _reference(p, len(inp.instruments))


def _reference(p: AccountProblem, m: int) -> Solution:
    buy, sell, lot_sell, seconds = solve(p)
    zero = np.zeros(len(p.cols))
    return Solution(buy=widen(p, buy, m), sell=widen(p, sell, m), lot_sell=lot_sell,
                    objective=objective(p, buy, sell, lot_sell),
                    objective_start=objective(p, zero, zero, np.zeros(len(p.lot_col))),
                    seconds=seconds, problem=p)


def engine_trades(proposals: Proposals, account: int, m: int) -> tuple[FloatArray, FloatArray]:
    """The engine's (buy, sell) units of ``account`` over all ``m`` instruments."""
    buy, sell = np.zeros(m), np.zeros(m)
    for i in proposals.trades_of(account):
        side = buy if proposals.side[i] > 0 else sell
        side[proposals.trade_instrument[i]] += proposals.quantity[i]
    return buy, sell


def engine_lots(p: AccountProblem, taxed: TaxedProposals) -> tuple[FloatArray, bool]:
    """The units of each lot of ``p`` the tax pass relieved in the account's final trades, and
    whether those reliefs are lots of ``p`` within their caps."""
    at = {lid: x for x, lid in enumerate(p.lot_id)}
    out = np.zeros(len(p.lot_col))
    ok = True
    for i in taxed.proposals.trades_of(p.account).tolist():
        for lid, units in taxed.lots_of(i):
            x = at.get(lid)
            if x is None or int(p.cols[p.lot_col[x]]) != int(taxed.proposals.trade_instrument[i]):
                ok = False
                continue
            out[x] += units
    return out, ok and bool((out <= p.lot_cap * (1 + 1e-9) + 1e-9).all())


def _engine_objective(p: AccountProblem, proposals: Proposals, m: int,
                      taxed: TaxedProposals | None) -> tuple[float, bool]:
    buy, sell = engine_trades(proposals, p.account, m)
    if taxed is None:
        return objective(p, buy[p.cols], sell[p.cols]), True
    lots, ok = engine_lots(p, taxed)
    return objective(p, buy[p.cols], sell[p.cols], lots), ok


def _check_final(proposals: Proposals, tax: TaxInput | None,
                 taxed: TaxedProposals | None) -> None:
    if tax is not None and (taxed is None or proposals is not taxed.proposals):
        raise ValueError("with tax, compare the final trades: pass taxed.proposals and taxed")


def engine_objective(inp: RebalanceInput, proposals: Proposals, account: int,
                     policy: RebalancePolicy, *, tax: TaxInput | None = None,
                     taxed: TaxedProposals | None = None, rates: TaxRates = RATES) -> float:
    """The SAME f for the engine's trades of ``account``: with ``tax`` (then ``proposals`` must
    be ``taxed.proposals``) its tax cost over the lots the tax pass relieved."""
    _check_final(proposals, tax, taxed)
    p = account_problem(inp, account, policy, tax=tax, taxed=taxed, rates=rates)
    return _engine_objective(p, proposals, len(inp.instruments),
                             taxed if tax is not None else None)[0]


@dataclass(frozen=True)
class Gap:
    engine: float
    reference: float
    start: float
    gap: float  # share of the achievable improvement missed
    gap_vs_start: float  # the same loss over f_start
    reference_seconds: float
    engine_within_caps: bool  # the engine's lot reliefs respect the reference's caps


def objective_gap(inp: RebalanceInput, proposals: Proposals, account: int,
                  policy: RebalancePolicy, *, tax: TaxInput | None = None,
                  taxed: TaxedProposals | None = None, rates: TaxRates = RATES) -> Gap:
    """Engine against reference for one trading account (see the module docstring). With
    ``tax`` the tax-aware problem on the final trades (``proposals`` is ``taxed.proposals``);
    without it the pure-drift problem on any trades."""
    _check_final(proposals, tax, taxed)
    p = account_problem(inp, account, policy, tax=tax, taxed=taxed, rates=rates)
    sol = _reference(p, len(inp.instruments))
    f_eng, ok = _engine_objective(p, proposals, len(inp.instruments),
                                  taxed if tax is not None else None)
    loss = f_eng - sol.objective
    return Gap(engine=f_eng, reference=sol.objective, start=sol.objective_start,
               gap=loss / max(sol.objective_start - sol.objective, EPS),
               gap_vs_start=loss / max(sol.objective_start, EPS),
               reference_seconds=sol.seconds, engine_within_caps=ok)


def trades_account(inp: RebalanceInput, proposals: Proposals, account: int) -> bool:
    """The engine sized trades for it: triggered, not skipped, not held back (cooldown)."""
    if proposals.skip[account] != Skip.NONE or not proposals.triggered[account]:
        return False
    return not (bool(inp.hold[account])
                and not proposals.triggers[account] & Trigger.CASH_NEEDED)


def check_constraints(inp: RebalanceInput, proposals: Proposals, account: int,
                      policy: RebalancePolicy, *, taxed: TaxedProposals | None = None,
                      tax: TaxInput | None = None) -> list[str]:
    """The hard constraints the engine's trades of ``account`` violate (empty: none).

    With ``taxed`` and ``tax`` (the tax pass's output and input), ``proposals`` must be
    ``taxed.proposals`` (the final trades) and :func:`check_tax` adds ``lot_relief`` and
    ``wash_sale``. Otherwise:

    * ``short``: a sale of more than is held long. ``lot``: a quantity that is not a whole
      multiple of the lot size, unless it sells the whole position. ``no_buy``/``no_sell``/
      ``buy_outside_model``: restrictions. ``trades_not_due``: trades for an account skipped,
      not triggered or held back.
    * ``cash_accounting``: the reported cash after ≠ cash + sales − buys − estimated costs.
    * ``cash_reserve``: with any buy, cash after < cash to keep (max(cash target, minimum) × T
      + requested); in any case, cash after < the hard reserve (cash minimum × T + requested)
      by more than one lot of the dearest sellable holding while something sellable is left —
      a withdrawal or the minimum cash that was not raised although it could have been.
    * ``band:<sleeve>``: untriggered — a sleeve outside its band (a missed trigger); trading — a
      sleeve after trading outside its band (scaled like the targets, see the module docstring)
      by more than the rounding slack (Σ over its instruments of one lot plus the smallest
      trade the policy keeps), unless explained: underweight with nothing buyable or buys cut
      by the cash budget; overweight with nothing sellable left.
    """
    if taxed is not None:
        if tax is None or proposals is not taxed.proposals:
            raise ValueError("check the final trades: pass taxed.proposals with taxed and tax")
        return _check_core(inp, proposals, account, policy) + check_tax(inp, taxed, tax,
                                                                        account)
    return _check_core(inp, proposals, account, policy)


def _check_core(inp: RebalanceInput, proposals: Proposals, account: int,
                policy: RebalancePolicy) -> list[str]:
    bad: list[str] = []
    m = len(inp.instruments)
    tol = 1e-9
    q, uv, lot = inp.quantity[account], inp.unit_value[account], inp.lot_size
    buy, sell = engine_trades(proposals, account, m)
    bought, sold = np.flatnonzero(buy > 0), np.flatnonzero(sell > 0)
    trading = trades_account(inp, proposals, account)
    if not trading:
        if bought.size or sold.size:
            bad.append("trades_not_due")
        if (proposals.skip[account] == Skip.NONE and not proposals.triggered[account]):
            bad += _untriggered_bands(inp, account)
        return bad
    k = int(inp.model_of[account])
    md = inp.models[k]
    if (sell[sold] > np.maximum(q[sold], 0.0) * (1 + tol) + tol).any():
        bad.append("short")
    whole = np.isclose(sell[sold], q[sold], rtol=1e-12, atol=0)
    ratio = np.r_[buy[bought] / lot[bought], sell[sold] / lot[sold]]
    off = np.abs(ratio - np.round(ratio)) > 1e-6 * np.maximum(1.0, np.abs(ratio))
    off[bought.size:] &= ~whole
    if off.any():
        bad.append("lot")
    if inp.no_buy[account, bought].any():
        bad.append("no_buy")
    if inp.no_sell[account, sold].any():
        bad.append("no_sell")
    if (md.member[bought] < 0).any():
        bad.append("buy_outside_model")

    c = policy.costs
    rate = (c.half_spread_bps + c.impact_bps) / 1e4
    total = float(proposals.total_value[account])
    cost = ((c.commission + rate * buy[bought] * uv[bought]).sum()
            + (c.commission + rate * sell[sold] * uv[sold]).sum())
    cash = float(inp.cash[account])
    cash_after = cash + float((sell[sold] * uv[sold]).sum() - (buy[bought] * uv[bought]).sum()
                              - cost)
    if not math.isclose(cash_after, float(proposals.cash_after[account]),
                        rel_tol=1e-9, abs_tol=1e-6):
        bad.append("cash_accounting")
    keep = float(proposals.cash_keep[account])
    q_after = q - sell + buy
    sellable_left = (q_after > 0) & ~inp.no_sell[account] & (q_after * np.nan_to_num(uv) > 0)
    md_min = inp.models[k].cash_minimum
    reserve = md_min * total + float(inp.cash_needed[account])
    was = np.flatnonzero((q > 0) & ~inp.no_sell[account])  # sellable before trading
    one_lot = float((lot[was] * uv[was]).max(initial=0.0))
    if bought.size and cash_after < keep - 1e-9 * total:
        bad.append("cash_reserve")  # buys never eat into the cash to keep
    elif cash_after < reserve - one_lot - 1e-9 * total and sellable_left.any():
        bad.append("cash_reserve")  # the minimum cash plus the requests were not raised
    bad += _trading_bands(inp, proposals, account, policy, buy, sell, cash_after, keep, rate)
    return bad


def _min_trade(policy: RebalancePolicy, rate: float, uv: FloatArray) -> FloatArray:
    """Per instrument: the smallest trade value the engine keeps (minimums and the cost rule)."""
    c = policy.costs
    benefit = policy.drift_benefit_bps / 1e4
    cost_floor = c.commission / (benefit - rate) if benefit > rate else math.inf
    if c.commission == 0 and benefit >= rate:
        cost_floor = 0.0
    return np.maximum.reduce([np.full(uv.shape, policy.min_trade_value),
                              policy.min_trade_quantity * np.nan_to_num(uv),
                              np.full(uv.shape, cost_floor)])


def _untriggered_bands(inp: RebalanceInput, account: int) -> list[str]:
    k = int(inp.model_of[account])
    md = inp.models[k]
    q, uv = inp.quantity[account], inp.unit_value[account]
    value = np.where(q != 0, q * uv, 0.0)
    total = float(value.sum() + inp.cash[account])
    inside = md.member >= 0
    w = np.bincount(md.member[inside], weights=value[inside], minlength=len(md.target)) / total
    out = np.abs(w - md.target) > md.tolerance + 1e-12
    return [f"band:{md.sleeve_names[s]}" for s in np.flatnonzero(out)]


def _trading_bands(inp: RebalanceInput, proposals: Proposals, account: int,
                   policy: RebalancePolicy, buy: FloatArray, sell: FloatArray,
                   cash_after: float, keep: float, rate: float) -> list[str]:
    md = inp.models[int(inp.model_of[account])]
    p = account_problem(inp, account, policy)
    cols = p.cols
    q_after = p.quantity + buy[cols] - sell[cols]
    value_after = q_after * p.unit_value
    total_after = float(value_after.sum() + cash_after)
    inside = p.sleeve >= 0
    w = np.bincount(p.sleeve[inside], weights=value_after[inside],
                    minlength=p.sleeves) / total_after
    tsum = float(md.target.sum())
    rho = float(p.target.sum() / tsum) if tsum > 0 else 0.0  # τ = target × rho
    lo = np.maximum(md.target - md.tolerance, 0.0) * rho
    hi = (md.target + md.tolerance) * rho
    per_col = p.lot * p.unit_value + _min_trade(policy, rate, p.unit_value)
    slack = np.bincount(p.sleeve[inside], weights=per_col[inside], minlength=p.sleeves)
    slack = slack / total_after + 1e-9
    buyable = np.bincount(p.sleeve[inside], weights=p.buyable[inside].astype(float),
                          minlength=p.sleeves) > 0
    left = p.sellable & (q_after > 0)
    sell_left = np.bincount(p.sleeve[inside], weights=(left * value_after)[inside],
                            minlength=p.sleeves) / total_after
    max_lot = np.zeros(p.sleeves)
    np.maximum.at(max_lot, p.sleeve[inside], (p.lot * p.unit_value)[inside])
    cash_cut = cash_after - keep <= float(max_lot.sum()) * (1 + rate) + (
        policy.costs.commission * p.sleeves) + 1e-6 * p.total
    bad: list[str] = []
    for s in range(p.sleeves):
        under = w[s] < lo[s] - slack[s] and buyable[s] and not cash_cut
        over = w[s] > hi[s] + slack[s] and sell_left[s] > slack[s]
        if under or over:
            bad.append(f"band:{md.sleeve_names[s]}")
    return bad


WASH_DAYS = 30  # IRS Pub. 550: 30 days before (and after) the sale; before as_of is checkable


def check_tax(inp: RebalanceInput, taxed: TaxedProposals, tax: TaxInput,
              account: int) -> list[str]:
    """The tax pass's hard constraints on the FINAL trades of ``account`` (empty: none).

    Worked out from the ``TaxInput`` alone (lot bases, recent activity), not from the gains the
    pass reports:

    * ``lot_relief``: a sell whose relieved lots do not sum to its quantity, or relieve lots
      that are not open lots of the account and instrument, or more than such a lot holds; a
      buy that relieves lots.
    * ``wash_sale``: a buy of group g when the household sold g at a loss within the last 30
      days (``as_of`` − 30 … ``as_of``) or sells g at a loss in this run in a taxable account;
      a sale of loss lots in a taxable account when the household bought g within the last 30
      days or buys g in this run (in any of its accounts). A lot is a loss lot when the trade's
      unit value is below its unit basis (the position's average under AVERAGE).
    """
    bad: list[str] = []
    p = taxed.proposals
    grp = tax.group_of

    mine = np.flatnonzero(tax.lot_account == account)
    lots = {tax.lot_id[k]: k for k in mine.tolist()}
    for i in p.trades_of(account).tolist():
        relief = taxed.lots_of(i)
        if p.side[i] > 0:
            if relief:
                bad.append("lot_relief")
            continue
        total = sum(units for _, units in relief)
        j = int(p.trade_instrument[i])
        if (not math.isclose(total, float(p.quantity[i]), rel_tol=1e-9, abs_tol=1e-9)
                or any(lid not in lots or int(tax.lot_instrument[lots[lid]]) != j
                       or units > float(tax.lot_quantity[lots[lid]]) * (1 + 1e-9) + 1e-9
                       or units <= 0 for lid, units in relief)):
            bad.append("lot_relief")

    def loss_groups(a: int) -> set[int]:
        """Groups whose lots account ``a`` (taxable) sells at a loss in this run."""
        if not tax.taxable[a]:
            return set()
        own = np.flatnonzero(tax.lot_account == a) if a != account else mine
        unit = {tax.lot_id[k]: float(tax.lot_basis[k] / tax.lot_quantity[k])
                for k in own.tolist()}
        avg: dict[int, float] = {}
        if tax.lot_method[a] is LotMethod.AVERAGE:
            for j in np.unique(tax.lot_instrument[own]).tolist():
                sel = own[tax.lot_instrument[own] == j]
                avg[j] = float(tax.lot_basis[sel].sum() / tax.lot_quantity[sel].sum())
        out: set[int] = set()
        for i in p.trades_of(a).tolist():
            if p.side[i] > 0:
                continue
            j = int(p.trade_instrument[i])
            for lid, units in taxed.lots_of(i):
                basis = avg.get(j, unit.get(lid, math.inf))
                if units > 0 and float(p.unit_value[i]) < basis:
                    out.add(int(grp[j]))
        return out

    def bought_groups(a: int) -> set[int]:
        return {int(grp[p.trade_instrument[i]]) for i in p.trades_of(a).tolist()
                if p.side[i] > 0}

    h = int(tax.household[account])
    house = np.flatnonzero(tax.household == h).tolist()
    end = np.datetime64(tax.as_of, "D")
    start = end - np.timedelta64(WASH_DAYS, "D")

    def recent(hh: IntArray, inst: IntArray, day: npt.NDArray[np.datetime64]) -> set[int]:
        d = day.astype("datetime64[D]")
        ok = (hh == h) & (d >= start) & (d <= end)
        return {int(g) for g in grp[inst[ok]].tolist()}

    loss_recent = recent(tax.loss_household, tax.loss_instrument, tax.loss_date)
    buy_recent = recent(tax.buy_household, tax.buy_instrument, tax.buy_date)
    loss_run = set().union(*(loss_groups(a) for a in house)) if house else set()
    buy_run = set().union(*(bought_groups(a) for a in house)) if house else set()
    if bought_groups(account) & (loss_recent | loss_run):
        bad.append("wash_sale")
    if loss_groups(account) & (buy_recent | buy_run) and "wash_sale" not in bad:
        bad.append("wash_sale")
    return bad
