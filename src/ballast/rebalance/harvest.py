"""Tax-loss harvesting: between :func:`~ballast.rebalance.core.propose` and
:func:`~ballast.rebalance.tax.tax_pass`, sell deep-loss lots and buy the sleeve's substitute.

Rules (pure and deterministic; vectorized over lots, then a loop over candidate positions):

1. **Accounts.** Taxable, not skipped, with a model, not held by a cooldown (``hold``).
2. **Lots.** An open lot is a harvest lot when its unrealized loss (basis − unit value × qty)
   exceeds both ``min_loss`` and ``min_loss_pct`` × its basis. A position with harvest lots is
   a candidate when it is in a model sleeve (outside one there is no substitute), priced,
   sellable (not do-not-sell) and not already sold by the proposals. Its sale is the harvest
   lots' total quantity (never more than held), floored to the lot size.
3. **Wash-sale windows** (30 days up to ``as_of`` inclusive, by household and group): no
   harvest of a group the household sold at a loss (already harvested) or bought in the window,
   nor of a group bought in this run in the household (the proposals' buys and earlier
   harvest buys).
4. **Substitute.** The next instrument of the same sleeve in preference order whose group
   differs, that is buyable, priced, not traded by the proposals in the account, and whose
   group the household neither sold at a loss in the window (no switch back) nor sells at a
   loss in this run (a taxable sell of a position holding a loss lot, or a harvest). It is
   bought for the sale's value, floored to its lot — less when the sale's net proceeds plus
   the cash above the cash to keep cannot pay for it, so cash stays at or above what the
   proposals left. Both legs must reach the minimum trade value and quantity; else the next
   substitute is tried, and without one the position is not harvested.
5. **Limits.** At most ``max_per_account`` harvests per account, largest loss first.

Harvest trades carry :attr:`TradeReason.HARVEST`; an account that harvests gets the
:attr:`Trigger.HARVEST` bit and is triggered. Existing trades are never changed; cash, weights
and drift after are recomputed for the accounts that harvest.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ballast.domain import ConfigError
from ballast.ledger.snapshot import DayArray, FloatArray, IntArray
from ballast.rebalance.after import weights_after
from ballast.rebalance.inputs import RebalanceInput
from ballast.rebalance.proposals import Proposals, TradeReason, Trigger
from ballast.rebalance.tax_sells import floor_lot
from ballast.rebalance.tax_types import TaxInput

WINDOW_DAYS = 30
Key = tuple[int, int]  # (household, wash-sale group)


@dataclass(frozen=True)
class HarvestSettings:
    """When a loss is worth harvesting.

    ``min_loss``: a lot's unrealized loss must exceed this, in the account's currency (500);
    ``min_loss_pct``: and this fraction of the lot's basis (0.10); ``max_per_account``: the
    most positions one account harvests in a run (2; 0 turns harvesting off).
    """

    min_loss: float = 500.0
    min_loss_pct: float = 0.10
    max_per_account: int = 2

    def __post_init__(self) -> None:
        if not self.min_loss >= 0 or not self.min_loss_pct >= 0 or self.max_per_account < 0:
            raise ConfigError("harvest settings must not be negative", field="harvest")


@dataclass(frozen=True)
class _Candidates:
    """Positions with harvest lots, by account then largest loss first."""

    account: IntArray
    instrument: IntArray
    sleeve: IntArray
    quantity: FloatArray
    loss: FloatArray


def _window(household: IntArray, instrument: IntArray, day: DayArray, group_of: IntArray,
            tax: TaxInput) -> set[Key]:
    """(household, group) pairs with activity in the 30 days up to ``as_of``."""
    end = np.datetime64(tax.as_of, "D")
    d = day.astype("datetime64[D]")
    ok = (d <= end) & (d >= end - np.timedelta64(WINDOW_DAYS, "D"))
    return set(zip(household[ok].tolist(), group_of[instrument[ok]].tolist(), strict=True))


def _members(inp: RebalanceInput) -> IntArray:
    """[models, M] sleeve of each instrument per model (-1: none)."""
    m = len(inp.instruments)
    if not inp.models:
        return np.full((1, m), -1, dtype=np.int64)
    return np.stack([md.member for md in inp.models]).astype(np.int64)


def _candidates(props: Proposals, inp: RebalanceInput, tax: TaxInput,
                settings: HarvestSettings) -> _Candidates:
    m = len(inp.instruments)
    ok_acct = tax.taxable & (props.skip == 0) & (inp.model_of >= 0) & ~inp.hold
    a, j, basis = tax.lot_account, tax.lot_instrument, tax.lot_basis
    uv = inp.unit_value[a, j]
    loss = basis - np.where(uv > 0, uv, np.nan) * tax.lot_quantity
    with np.errstate(invalid="ignore"):
        deep = (ok_acct[a] & (loss > settings.min_loss)
                & (loss > settings.min_loss_pct * basis))
    keys, inv = np.unique(a[deep] * m + j[deep], return_inverse=True)
    qty = np.bincount(inv, tax.lot_quantity[deep], minlength=keys.size)
    total_loss = np.bincount(inv, loss[deep], minlength=keys.size)
    pa, pj = keys // m, keys % m
    sleeve = _members(inp)[np.maximum(inp.model_of[pa], 0), pj]
    sold = props.trade_account[props.side < 0] * m + props.trade_instrument[props.side < 0]
    keep = ((sleeve >= 0) & ~inp.no_sell[pa, pj] & ~np.isin(keys, sold)
            & (inp.quantity[pa, pj] > 0))
    pa, pj, sleeve, total_loss = pa[keep], pj[keep], sleeve[keep], total_loss[keep]
    qty = np.minimum(qty[keep], inp.quantity[pa, pj])
    order = np.lexsort((pj, -total_loss, pa))
    return _Candidates(pa[order], pj[order], sleeve[order], qty[order], total_loss[order])


def _loss_positions(inp: RebalanceInput, tax: TaxInput) -> IntArray:
    """Keys (account × M + instrument) of taxable positions holding a lot at a loss."""
    a, j = tax.lot_account, tax.lot_instrument
    uv = inp.unit_value[a, j]
    with np.errstate(invalid="ignore"):
        at_loss = tax.taxable[a] & (tax.lot_basis > uv * tax.lot_quantity + 1e-9)
    return np.unique(a[at_loss] * len(inp.instruments) + j[at_loss])


def harvest(props: Proposals, inp: RebalanceInput, tax: TaxInput,
            settings: HarvestSettings | None = None) -> Proposals:
    """The proposals with tax-loss harvests added (see the module docs); pure and deterministic.

    Raises DataError when ``inp`` or ``tax`` do not fit the run.
    """
    settings = settings or HarvestSettings()
    inp.check()
    n, m = len(inp.accounts), len(inp.instruments)
    tax.check(n, m)
    if settings.max_per_account == 0 or not tax.taxable.any():
        return props
    loss_pos = _loss_positions(inp, tax)
    cand = _candidates(props, inp, tax, settings)
    if cand.account.size == 0:
        return props
    grp, hh = tax.group_of, tax.household
    recent_loss = _window(tax.loss_household, tax.loss_instrument, tax.loss_date, grp, tax)
    recent_buy = _window(tax.buy_household, tax.buy_instrument, tax.buy_date, grp, tax)
    buys = props.side > 0
    bought = set(zip(hh[props.trade_account[buys]].tolist(),
                     grp[props.trade_instrument[buys]].tolist(), strict=True))
    sells = np.flatnonzero(props.side < 0)
    s_key = props.trade_account[sells] * m + props.trade_instrument[sells]
    lossy = sells[np.isin(s_key, loss_pos)]
    sold_loss = set(zip(hh[props.trade_account[lossy]].tolist(),
                        grp[props.trade_instrument[lossy]].tolist(), strict=True))
    traded = set(zip(props.trade_account.tolist(), props.trade_instrument.tolist(),
                     strict=True))

    policy = props.policy
    c = policy.costs
    rate = c.rate
    lot, uv_all, no_buy = inp.lot_size.tolist(), inp.unit_value, inp.no_buy
    members = _members(inp)
    prefs: dict[tuple[int, int], list[int]] = {}

    def size_ok(q: float, uv: float) -> bool:
        return (q > 0 and q * uv >= policy.min_trade_value
                and q >= policy.min_trade_quantity)

    def sleeve_list(k: int, s: int) -> list[int]:
        if (k, s) not in prefs:
            mem = np.flatnonzero(members[k] == s)
            order = np.argsort(inp.models[k].preference[mem], kind="stable")
            prefs[k, s] = mem[order].tolist()
        return prefs[k, s]

    spare = np.maximum(props.cash_after - props.cash_keep, 0.0)
    count: dict[int, int] = {}
    new_sells: list[tuple[int, int, float, float, int]] = []
    new_buys: dict[tuple[int, int], list[float]] = {}  # (a, c) -> [qty, uv, sleeve]
    for a, j, s, q0 in zip(cand.account.tolist(), cand.instrument.tolist(),
                           cand.sleeve.tolist(), cand.quantity.tolist(), strict=True):
        if count.get(a, 0) >= settings.max_per_account:
            continue
        h, g = int(hh[a]), int(grp[j])
        if (h, g) in recent_loss or (h, g) in recent_buy or (h, g) in bought:
            continue
        uvj = float(uv_all[a, j])
        q = floor_lot(q0, lot[j])
        if not size_ok(q, uvj):
            continue
        sell_val = q * uvj
        net = sell_val * (1 - rate) - c.commission
        pick = None
        for sub in sleeve_list(int(inp.model_of[a]), s):
            gs = int(grp[sub])
            uvs = float(uv_all[a, sub])
            if (gs == g or no_buy[a, sub] or not uvs > 0 or (a, sub) in traded
                    or (h, gs) in recent_loss or (h, gs) in sold_loss):
                continue
            fee = 0.0 if (a, sub) in new_buys else c.commission
            budget = max(net + float(spare[a]) - fee, 0.0) / (1 + rate)
            qb = floor_lot(min(sell_val, budget) / uvs, lot[sub])
            if size_ok(qb, uvs):
                pick = (sub, gs, uvs, qb, fee)
                break
        if pick is None:
            continue
        sub, gs, uvs, qb, fee = pick
        new_sells.append((a, j, q, uvj, s))
        row = new_buys.setdefault((a, sub), [0.0, uvs, float(s)])
        row[0] += qb
        spare[a] = max(float(spare[a]) + net - qb * uvs * (1 + rate) - fee, 0.0)
        sold_loss.add((h, g))
        bought.add((h, gs))
        count[a] = count.get(a, 0) + 1
    if not new_sells:
        return props
    return _merge(props, inp, new_sells, new_buys)


def _merge(props: Proposals, inp: RebalanceInput,
           new_sells: list[tuple[int, int, float, float, int]],
           new_buys: dict[tuple[int, int], list[float]]) -> Proposals:
    """The proposals with the harvest rows added, sorted, and cash, weights, drift after."""
    n = len(inp.accounts)
    rows = [(a, -1, j, q, uv, s) for a, j, q, uv, s in new_sells]
    rows += [(a, 1, sub, q, uv, int(s)) for (a, sub), (q, uv, s) in new_buys.items()]
    h_acct = np.array([r[0] for r in rows], dtype=np.int64)
    h_side = np.array([r[1] for r in rows], dtype=np.int64)
    h_inst = np.array([r[2] for r in rows], dtype=np.int64)
    h_qty = np.array([r[3] for r in rows], dtype=np.float64)
    h_uv = np.array([r[4] for r in rows], dtype=np.float64)
    h_sleeve = np.array([r[5] for r in rows], dtype=np.int64)
    h_value = h_qty * h_uv
    c = props.policy.costs
    h_cost = c.cost(h_value)

    acct = np.r_[props.trade_account, h_acct]
    inst = np.r_[props.trade_instrument, h_inst]
    side = np.r_[props.side, h_side]
    order = np.lexsort((inst, side, acct))
    harvested = np.unique(h_acct)
    cash_after = props.cash_after - np.bincount(h_acct, h_side * h_value + h_cost, minlength=n)
    triggers = props.triggers.copy()
    triggers[harvested] |= int(Trigger.HARVEST)
    triggered = props.triggered.copy()
    triggered[harvested] = True
    merged = replace(
        props, trade_account=acct[order], trade_instrument=inst[order], side=side[order],
        quantity=np.r_[props.quantity, h_qty][order],
        unit_value=np.r_[props.unit_value, h_uv][order],
        value=np.r_[props.value, h_value][order], cost=np.r_[props.cost, h_cost][order],
        sleeve=np.r_[props.sleeve, h_sleeve][order],
        reason=np.r_[props.reason, np.full(len(rows), int(TradeReason.HARVEST))][order],
        triggered=triggered, triggers=triggers, cash_after=cash_after)
    w_after, d_after = weights_after(merged, inp, harvested, merged.trade_account,
                                     merged.trade_instrument, merged.side * merged.quantity,
                                     merged.cash_after)
    return replace(merged, weight_after=w_after, drift_after=d_after)
