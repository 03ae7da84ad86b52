"""Drift, triggers and trade sizing for every account in one vectorized pass per model.

Rules (each a policy or model setting; see docs in :func:`propose`):

* Value = Σ quantity × unit value + cash. Sleeve weights come from a membership matrix per
  model; holdings in no sleeve are *unassigned*. Drift = Σ|weight − target| + unassigned weight.
* Cash to keep = max(cash target, cash minimum) × value + cash requested. The rest, less
  do-not-sell holdings outside the model, is split over the sleeves in proportion to their
  targets: that is each sleeve's *target value*.
* TARGET moves every sleeve to its target value; BAND_EDGE moves out-of-band sleeves to their
  nearer band edge, then deploys any cash surplus into sleeves below target (up to target) or
  raises a shortfall from sleeves above target (down to target, then pro rata).
* A sleeve never aims below what it holds and may not sell; the excess is taken from the
  other sleeves (above target first, then their buys pro rata, then sales pro rata), so the
  cash to keep is still raised.
* Sells: pro rata to value across the sleeve's sellable holdings, floored to the lot, then one
  more lot to the largest fractional remainders while the sleeve's sale gets closer to its
  need; never more than held; the whole position when the remainder would fall below the
  minimum trade and at least half was to be sold. Sellable holdings outside the model are sold
  whole.
* Buys: the sleeve's need goes down its preference list (do-not-buy skipped), each instrument
  floored to its lot, so an instrument dearer than what is left passes it to the next. If
  cash + sales − costs − cash to keep cannot pay for them, the needs of the buying sleeves are
  scaled down by one factor and filled again (the last buys dropped if extra commissions still
  do not fit), so cash never falls below the cash to keep by buying. Cash that flooring or
  that fit left is then spent a lot at a time (up to 4 rounds) where a lot most reduces the
  squared shortfall of a sleeve — only when the lot is worth less than twice that shortfall.
* A trade is dropped when below the minimum value or quantity, or when its estimated cost
  (commission + (half spread + impact) bps × value) exceeds drift_benefit_bps × value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ballast.config.rebalance import RebalancePolicy, TradeTo
from ballast.ledger.snapshot import FloatArray, IntArray
from ballast.rebalance.inputs import BoolArray, ModelTargets, RebalanceInput
from ballast.rebalance.proposals import Proposals, Skip, TradeReason, Trigger
from ballast.rebalance.sizing import (
    buy_options,
    fill_buys,
    floor_at_held,
    round_sales,
    top_up,
    water_fill,
)

_SKIP_TEXT = {
    Skip.NO_MODEL: "no model assigned",
    Skip.NON_POSITIVE_VALUE: "total value is zero or negative",
    Skip.ALL_RESTRICTED: "every model instrument is do-not-buy and every holding do-not-sell",
}


@dataclass
class _Out:
    """Per-account results, filled model by model (owned by one call of :func:`propose`)."""

    n: int
    s_max: int
    skip: IntArray = field(init=False)
    messages: dict[int, str] = field(default_factory=dict)
    triggers: IntArray = field(init=False)
    total: FloatArray = field(init=False)
    w_before: FloatArray = field(init=False)
    w_after: FloatArray = field(init=False)
    drift_before: FloatArray = field(init=False)
    drift_after: FloatArray = field(init=False)
    cash_after: FloatArray = field(init=False)
    keep: FloatArray = field(init=False)
    trades: list[tuple[IntArray, IntArray, IntArray, FloatArray, FloatArray, IntArray,
                       IntArray]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.skip = np.zeros(self.n, dtype=np.int64)
        self.triggers = np.zeros(self.n, dtype=np.int64)
        self.total, self.drift_before, self.drift_after, self.cash_after, self.keep = (
            np.full(self.n, np.nan) for _ in range(5))
        self.w_before, self.w_after = (np.full((self.n, self.s_max), np.nan) for _ in range(2))
        i, f = np.zeros(0, dtype=np.int64), np.zeros(0)
        self.trades.append((i, i, i, f, f, i, i))


def propose(inp: RebalanceInput, policy: RebalancePolicy) -> Proposals:
    """Find the accounts to trade and size their trades; pure and deterministic.

    Skipped accounts (no model, a held or model instrument without a valid positive price,
    value ≤ 0, nothing buyable nor sellable) get a :class:`Skip` code and a message, no trades.
    Raises DataError only when the arrays are inconsistent.
    """
    inp.check()
    n = len(inp.accounts)
    out = _Out(n, max((len(md.sleeve_names) for md in inp.models), default=0))
    out.skip[inp.model_of < 0] = Skip.NO_MODEL
    out.cash_after[:] = inp.cash
    for family in model_families(inp.models):
        rows = np.flatnonzero(np.isin(inp.model_of, family))
        if rows.size:
            k = inp.model_of[rows]
            target = np.stack([inp.models[x].target for x in family])
            tol = np.stack([inp.models[x].tolerance for x in family])
            at = np.searchsorted(family, k)
            _model_pass(inp, policy, inp.models[family[0]], rows, out, target[at], tol[at])
    acct, inst, side, qty, uv, sleeve, reason = (
        np.concatenate(c) for c in zip(*out.trades, strict=True))
    order = np.lexsort((inst, side, acct))
    qty, uv = qty[order], uv[order]
    value = qty * uv
    c = policy.costs
    cost = c.cost(value)
    messages = tuple(out.messages.get(i, _SKIP_TEXT.get(Skip(int(code)), ""))
                     for i, code in enumerate(out.skip))
    return Proposals(
        policy=policy, trade_account=acct[order].astype(np.int64),
        trade_instrument=inst[order].astype(np.int64), side=side[order].astype(np.int64),
        quantity=qty, unit_value=uv, value=value, cost=cost,
        sleeve=sleeve[order].astype(np.int64), reason=reason[order].astype(np.int64),
        triggered=out.triggers != 0, triggers=out.triggers, skip=out.skip,
        skip_message=messages, total_value=out.total, weight_before=out.w_before,
        weight_after=out.w_after, drift_before=out.drift_before, drift_after=out.drift_after,
        cash_before=inp.cash.astype(np.float64), cash_after=out.cash_after, cash_keep=out.keep)


def _tradable(qty: FloatArray, unit_value: FloatArray, policy: RebalancePolicy) -> BoolArray:
    """Trades kept: positive, at least the minimums, and worth their estimated cost."""
    c = policy.costs
    val = qty * unit_value
    cost = c.cost(val)
    return ((qty > 0) & (val >= policy.min_trade_value) & (qty >= policy.min_trade_quantity)
            & (cost <= policy.drift_benefit_bps / 1e4 * val))


def _cost(qty: FloatArray, unit_value: FloatArray, policy: RebalancePolicy) -> FloatArray:
    c = policy.costs
    rate = c.rate
    return np.where(qty > 0, c.commission + rate * qty * unit_value, 0.0)


def _buys(need: FloatArray, opts: IntArray, uv: FloatArray, lot: FloatArray, no_buy: BoolArray,
          policy: RebalancePolicy) -> FloatArray:
    """[n, S, K] buys filling ``need`` down the preference lists, untradable ones dropped."""
    buy_q = fill_buys(need, opts, uv, lot, no_buy)
    return np.where(_tradable(buy_q, _option_values(uv, opts), policy), buy_q, 0.0)


def _option_values(uv: FloatArray, opts: IntArray) -> FloatArray:
    """[n, S, K] unit value of each buy option (1 past a sleeve's last option)."""
    return np.where(opts >= 0, uv[:, np.maximum(opts, 0)], 1.0)


def model_families(models: tuple[ModelTargets, ...]) -> list[IntArray]:
    """Indices of the models that differ only in their targets and tolerances (asset location
    gives each located account such a copy of its model), in order: one pass sizes each."""
    groups: dict[tuple[object, ...], list[int]] = {}
    for k, md in enumerate(models):
        key = (md.name, md.version, md.cash_target, md.cash_minimum, md.sleeve_names,
               md.member.tobytes(), md.preference.tobytes())
        groups.setdefault(key, []).append(k)
    return [np.array(g, dtype=np.int64) for g in groups.values()]


def _model_pass(inp: RebalanceInput, policy: RebalancePolicy, model: ModelTargets,
                rows: IntArray, out: _Out, target: FloatArray, tol: FloatArray) -> None:
    """Value, trigger and size the accounts ``rows`` that follow ``model``'s sleeves and
    instruments, with their own sleeve ``target`` and ``tol`` [rows, S]."""
    s = len(model.sleeve_names)
    in_model = model.member >= 0
    member_cols = np.flatnonzero(in_model)
    onehot = np.zeros((len(inp.instruments), s))
    onehot[member_cols, model.member[member_cols]] = 1.0
    q, uv = inp.quantity[rows], inp.unit_value[rows]
    cash, need = inp.cash[rows], inp.cash_needed[rows]
    held = q != 0
    priced = uv > 0
    value = np.where(held & priced, q * uv, 0.0)
    total = value.sum(axis=1) + cash
    sellable = (q > 0) & ~inp.no_sell[rows]
    no_buy = inp.no_buy[rows]
    bad_price = (held | in_model) & ~priced
    missing = bad_price.any(axis=1)
    restricted = ~sellable.any(axis=1) & no_buy[:, member_cols].all(axis=1)
    skip = np.select([missing, total <= 0, restricted],
                     [Skip.MISSING_PRICE, Skip.NON_POSITIVE_VALUE, Skip.ALL_RESTRICTED], 0)
    out.skip[rows] = skip
    for r in np.flatnonzero(missing):
        names = [inp.instruments[c] for c in np.flatnonzero(bad_price[r])]
        more = f" and {len(names) - 5} more" if len(names) > 5 else ""
        out.messages[int(rows[r])] = "no valid price for " + ", ".join(names[:5]) + more
    ok = skip == 0
    rows, value, total, cash, need = rows[ok], value[ok], total[ok], cash[ok], need[ok]
    q, uv, sellable, no_buy = q[ok], uv[ok], sellable[ok], no_buy[ok]
    target, tol = target[ok], tol[ok]

    sleeve_val = value @ onehot
    w = sleeve_val / total[:, None]
    unassigned = value[:, ~in_model].sum(axis=1)
    drift = np.abs(w - target).sum(axis=1) + unassigned / total
    out_band = np.abs(w - target) > tol
    keep = max(model.cash_target, model.cash_minimum) * total + need
    flags = (
        Trigger.SLEEVE_BAND * out_band.any(axis=1)
        | Trigger.TOTAL_DRIFT * (drift > policy.total_drift_limit)
        | Trigger.CASH_EXCESS * (cash / total - model.cash_target > policy.cash_excess_trigger)
        | Trigger.CASH_NEEDED * (cash < model.cash_minimum * total + need)
        | Trigger.UNASSIGNED * (sellable & ~in_model).any(axis=1)
        | Trigger.FORCED * inp.forced[rows])
    out.triggers[rows] = flags
    out.total[rows], out.keep[rows] = total, keep
    out.w_before[rows, :s] = out.w_after[rows, :s] = w
    out.drift_before[rows] = out.drift_after[rows] = drift

    held_back = inp.hold[rows] & ((flags & Trigger.CASH_NEEDED) == 0)
    t = np.flatnonzero((flags != 0) & ~held_back)
    if t.size == 0:
        return
    rows, value, total, cash, keep = rows[t], value[t], total[t], cash[t], keep[t]
    q, uv, sellable, no_buy = q[t], uv[t], sellable[t], no_buy[t]
    sleeve_val, out_band, flags = sleeve_val[t], out_band[t], flags[t]

    legacy = np.where(sellable | in_model, 0.0, value).sum(axis=1)
    base = np.maximum(total - keep - legacy, 0.0)
    target, tol = target[t], tol[t]
    tsum = target.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(tsum > 0, base / tsum, 0.0)
    tv = target * scale[:, None]
    if policy.trade_to is TradeTo.TARGET:
        desired = tv
    else:
        lo = np.maximum(target - tol, 0.0) * scale[:, None]
        hi = (target + tol) * scale[:, None]
        desired = water_fill(np.clip(sleeve_val, lo, hi), tv, base)

    # A sleeve cannot go below what it may not sell: the others give way (cash to keep first).
    lot = inp.lot_size
    sellable_val = np.where(sellable, value, 0.0) @ onehot
    desired = floor_at_held(desired, tv, sleeve_val, sleeve_val - sellable_val)

    # Sells: pro rata within each overweight sleeve, rounded so the sleeve's total sale is as
    # close as lots allow to its need; then everything sellable outside the model.
    sell_need = np.maximum(sleeve_val - desired, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(sellable_val > 0, np.minimum(sell_need / sellable_val, 1.0), 0.0)
    frac_inst = np.zeros_like(q)
    frac_inst[:, member_cols] = frac[:, model.member[member_cols]]
    want = np.where(sellable, frac_inst * q, 0.0)
    sell_q = round_sales(want, q, uv, lot, model.member, frac * sellable_val)
    rem = q - sell_q
    small = (rem * uv < policy.min_trade_value) | (rem < policy.min_trade_quantity)
    whole = (sellable & ~in_model) | (sellable & (rem > 0) & small & (want >= q / 2))
    sell_q = np.where(whole, q, sell_q)
    sell_q = np.where(_tradable(sell_q, uv, policy), sell_q, 0.0)
    sell_val = np.where(sell_q > 0, sell_q * uv, 0.0)
    sell_cost = _cost(sell_q, uv, policy)

    # Buys: each underweight sleeve's need down its preference list, within the cash budget.
    opts = buy_options(model)
    o_uv = _option_values(uv, opts)
    buy_need = np.maximum(desired - sleeve_val, 0.0)
    rate = policy.costs.rate
    budget = cash + (sell_val - sell_cost).sum(axis=1) - keep
    buy_q = _buys(buy_need, opts, uv, lot, no_buy, policy)
    gross = (buy_q * o_uv * (1 + rate)).sum(axis=(1, 2))
    fees = policy.costs.commission * (buy_q > 0).sum(axis=(1, 2))
    over = gross + fees > budget
    if over.any():
        # Scale the needs of the sleeves that buy by one factor so they fit, and refill.
        aim = (buy_need * (buy_q > 0).any(axis=2) * (1 + rate)).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.nan_to_num(np.maximum(budget - fees, 0.0) / aim)
        o = np.flatnonzero(over)
        buy_q[o] = _buys(buy_need[o] * f[o, None], opts, uv[o], lot, no_buy[o], policy)
        # More buys may mean more commissions: drop the last buys that no longer fit.
        spend = np.where(buy_q > 0, buy_q * o_uv * (1 + rate) + policy.costs.commission, 0.0)
        cum = np.cumsum(spend.reshape(len(cash), -1), axis=1).reshape(buy_q.shape)
        cut = over & (cum[:, -1, -1] > budget)
        buy_q = np.where(cut[:, None, None] & (cum > budget[:, None, None]), 0.0, buy_q)
    # Cash that flooring and the budget fit left: a few more lots where they cut drift most.
    spent = np.where(buy_q > 0, buy_q * o_uv * (1 + rate) + policy.costs.commission, 0.0)
    o_lot = np.where(opts >= 0, lot[np.maximum(opts, 0)], 1.0)[None, :, :]
    o_lot = np.broadcast_to(o_lot, buy_q.shape)
    allowed = (opts >= 0)[None] & ~no_buy[:, np.maximum(opts, 0)]
    buy_q = top_up(buy_q, buy_need - (buy_q * o_uv).sum(axis=2), o_uv, o_lot, allowed,
                   _tradable(o_lot, o_uv, policy), budget - spent.sum(axis=(1, 2)),
                   policy.costs.commission, rate)
    buy_cost = _cost(buy_q, o_uv, policy)

    # After: quantities, cash net of estimated costs, weights and drift.
    q_after = q - sell_q
    rr, ss, kk = np.nonzero(buy_q > 0)
    bi = opts[ss, kk]
    q_after[rr, bi] += buy_q[rr, ss, kk]
    cash_after = (cash + sell_val.sum(axis=1) - (buy_q * o_uv).sum(axis=(1, 2))
                  - sell_cost.sum(axis=1) - buy_cost.sum(axis=(1, 2)))
    value_after = np.where(uv > 0, q_after * uv, 0.0)
    total_after = value_after.sum(axis=1) + cash_after
    w_after = (value_after @ onehot) / total_after[:, None]
    out.w_after[rows, :s] = w_after
    out.drift_after[rows] = (np.abs(w_after - target).sum(axis=1)
                             + value_after[:, ~in_model].sum(axis=1) / total_after)
    out.cash_after[rows] = cash_after

    raising = (flags & Trigger.CASH_NEEDED) != 0
    deploying = (flags & Trigger.CASH_EXCESS) != 0
    sr, sc = np.nonzero(sell_q > 0)
    s_sleeve = model.member[sc]
    s_band = out_band[sr, np.maximum(s_sleeve, 0)]
    s_reason = np.select(
        [s_sleeve < 0, s_band, raising[sr]],
        [TradeReason.NOT_IN_MODEL, TradeReason.BAND, TradeReason.RAISE_CASH], TradeReason.TO_TARGET)
    b_reason = np.select([out_band[rr, ss], deploying[rr]],
                         [TradeReason.BAND, TradeReason.DEPLOY_CASH], TradeReason.TO_TARGET)
    out.trades.append((
        np.r_[rows[sr], rows[rr]], np.r_[sc, bi],
        np.r_[np.full(sr.size, -1), np.ones(rr.size, dtype=np.int64)],
        np.r_[sell_q[sr, sc], buy_q[rr, ss, kk]], np.r_[uv[sr, sc], uv[rr, bi]],
        np.r_[s_sleeve, ss], np.r_[s_reason, b_reason]))
