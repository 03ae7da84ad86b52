"""The tax pass's last step: the final columns, with every change listed and cash, weights and
drift after recomputed for every account that changed."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ballast.rebalance.after import weights_after
from ballast.rebalance.inputs import RebalanceInput
from ballast.rebalance.proposals import Proposals
from ballast.rebalance.tax_sells import EPS, Buy, Relief, Sell
from ballast.rebalance.tax_types import Change, TaxChange, TaxedProposals, TaxInput


def _changes(sells: list[Sell], buys: list[Buy]) -> tuple[TaxChange, ...]:
    out: list[tuple[int, TaxChange]] = []
    for s in sells:
        if s.q < s.q0 - EPS:
            kind = Change.DROPPED if s.q <= 0 else Change.REDUCED
            why = "; ".join(x for x in (s.moved, s.why) if x)
            out.append((s.t, TaxChange(s.a, s.j, -1, s.q0, kind, s.j, s.q, why)))
    for b in buys:
        if b.q <= 0:
            kind = Change.DROPPED
        elif b.j != b.j0:
            kind = Change.SWITCHED
        elif b.q < b.q0 - EPS:
            kind = Change.REDUCED
        elif b.q > b.q0 + EPS:
            kind = Change.ADDED
        else:
            continue
        out.append((b.t, TaxChange(b.a, b.j0, 1, b.q0, kind, b.j, b.q, b.why)))
    out.sort(key=lambda x: x[0])
    return tuple(c for _, c in out)


def assemble(p: Proposals, inp: RebalanceInput, tax: TaxInput, sells: list[Sell],
             buys: list[Buy]) -> TaxedProposals:
    """The final columns, sorted by (account, side, instrument) like the core's."""
    rows: list[tuple[int, int, int, int, float, float, list[Relief], str, int, int, int]] = [
        (s.a, -1, s.j, s.t, s.q, s.uv, s.relief, s.note, -1, s.sleeve, s.reason)
        for s in sells if s.q > 0]
    rows += [(b.a, 1, b.j, b.t, b.q, b.uv, [], b.note if b.j != b.j0 else "",
              b.j0 if b.j != b.j0 else -1, b.sleeve, b.reason) for b in buys if b.q > 0]
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    n = len(inp.accounts)
    acct = np.array([r[0] for r in rows], dtype=np.int64)
    side = np.array([r[1] for r in rows], dtype=np.int64)
    inst = np.array([r[2] for r in rows], dtype=np.int64)
    qty = np.array([r[4] for r in rows], dtype=np.float64)
    uv = np.array([r[5] for r in rows], dtype=np.float64)
    value = qty * uv
    c = p.policy.costs
    cost = c.cost(value)
    counts = np.array([len(r[6]) for r in rows], dtype=np.int64)
    flat = [x for r in rows for x in r[6]]
    lot_gain = np.array([x[2] for x in flat], dtype=np.float64)
    lot_long = np.array([x[3] for x in flat], dtype=bool)
    owner = np.repeat(np.arange(len(rows)), counts)
    taxed = tax.taxable[acct[owner]] if flat else np.zeros(0, dtype=bool)
    st = np.bincount(owner, np.where(taxed & ~lot_long, lot_gain, 0.0),
                     minlength=len(rows)).astype(np.float64)
    lt = np.bincount(owner, np.where(taxed & lot_long, lot_gain, 0.0),
                     minlength=len(rows)).astype(np.float64)

    changes = _changes(sells, buys)
    changed = np.unique(np.array([ch.account for ch in changes], dtype=np.int64))
    delta = side * qty
    recomputed = (p.cash_before - np.bincount(acct, delta * uv, minlength=n)
                  - np.bincount(acct, cost, minlength=n))
    is_changed = np.zeros(n, dtype=bool)
    is_changed[changed] = True
    cash_after = np.where(is_changed, recomputed, p.cash_after)
    w_after, d_after = weights_after(p, inp, changed, acct, inst, delta, cash_after)
    final = replace(
        p, trade_account=acct, trade_instrument=inst, side=side, quantity=qty, unit_value=uv,
        value=value, cost=cost, sleeve=np.array([r[9] for r in rows], dtype=np.int64),
        reason=np.array([r[10] for r in rows], dtype=np.int64), cash_after=cash_after,
        weight_after=w_after, drift_after=d_after)
    return TaxedProposals(
        proposals=final, taxable=tax.taxable, lot_start=np.r_[0, np.cumsum(counts)].astype(
            np.int64), lot_id=tuple(x[0] for x in flat),
        lot_quantity=np.array([x[1] for x in flat], dtype=np.float64), lot_gain=lot_gain,
        lot_long=lot_long, st_gain=st, lt_gain=lt,
        switched_from=np.array([r[8] for r in rows], dtype=np.int64),
        wash_note=tuple(r[7] for r in rows),
        realized_st=np.bincount(acct, st, minlength=n).astype(np.float64),
        realized_lt=np.bincount(acct, lt, minlength=n).astype(np.float64), changes=changes)
