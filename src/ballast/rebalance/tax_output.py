"""The tax pass's last step: each part's shaped trades as columns (:class:`Shaped`, cheap to send
from a forked part), then the final columns of all parts, with every change listed and cash,
weights and drift after recomputed for every account that changed."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from ballast.ledger.snapshot import FloatArray, IntArray
from ballast.rebalance.after import weights_after
from ballast.rebalance.inputs import BoolArray, RebalanceInput
from ballast.rebalance.proposals import Proposals
from ballast.rebalance.tax_sells import EPS, Buy, Relief, Sell
from ballast.rebalance.tax_types import Change, TaxChange, TaxedProposals, TaxInput

ChangeAt = tuple[tuple[int, int], TaxChange]  # (proposed trade, account), the change


def _changes(sells: list[Sell], buys: list[Buy]) -> list[ChangeAt]:
    out: list[ChangeAt] = []
    for s in sells:
        if s.q < s.q0 - EPS:
            kind = Change.DROPPED if s.q <= 0 else Change.REDUCED
            why = "; ".join(x for x in (s.moved, s.why) if x)
            out.append(((s.t, s.a), TaxChange(s.a, s.j, -1, s.q0, kind, s.j, s.q, why)))
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
        out.append(((b.t, b.a), TaxChange(b.a, b.j0, 1, b.q0, kind, b.j, b.q, b.why)))
    return out


@dataclass(frozen=True)
class Shaped:
    """One part's final trades as columns sorted by (account, side, instrument): the lots each
    relieves flattened (``reliefs`` per trade), the wash-sale notes, and every change."""

    account: IntArray
    side: IntArray
    instrument: IntArray
    quantity: FloatArray
    unit_value: FloatArray
    sleeve: IntArray
    reason: IntArray
    switched_from: IntArray
    wash_note: tuple[str, ...]
    reliefs: IntArray
    lot_id: tuple[str, ...]
    lot_quantity: FloatArray
    lot_gain: FloatArray
    lot_long: BoolArray
    changes: tuple[ChangeAt, ...]


def shaped(sells: list[Sell], buys: list[Buy]) -> Shaped:
    """The columns of one part's sells (with their lots) and buys that trade."""
    rows: list[tuple[int, int, int, float, float, list[Relief], str, int, int, int]] = [
        (s.a, -1, s.j, s.q, s.uv, s.relief, s.note, -1, s.sleeve, s.reason)
        for s in sells if s.q > 0]
    rows += [(b.a, 1, b.j, b.q, b.uv, [], b.note if b.j != b.j0 else "",
              b.j0 if b.j != b.j0 else -1, b.sleeve, b.reason) for b in buys if b.q > 0]
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    flat = [x for r in rows for x in r[5]]

    def col(i: int, dtype: type) -> npt.NDArray[Any]:
        return np.array([r[i] for r in rows], dtype=dtype)

    return Shaped(
        account=col(0, np.int64), side=col(1, np.int64), instrument=col(2, np.int64),
        quantity=col(3, np.float64), unit_value=col(4, np.float64), sleeve=col(8, np.int64),
        reason=col(9, np.int64), switched_from=col(7, np.int64),
        wash_note=tuple(r[6] for r in rows),
        reliefs=np.array([len(r[5]) for r in rows], dtype=np.int64),
        lot_id=tuple(x[0] for x in flat),
        lot_quantity=np.array([x[1] for x in flat], dtype=np.float64),
        lot_gain=np.array([x[2] for x in flat], dtype=np.float64),
        lot_long=np.array([x[3] for x in flat], dtype=bool),
        changes=tuple(_changes(sells, buys)))


def assemble(p: Proposals, inp: RebalanceInput, tax: TaxInput, parts: list[Shaped]
             ) -> TaxedProposals:
    """The final columns of the parts (each holding whole accounts), sorted by (account, side,
    instrument) like the core's, as one pass over all of them would give."""
    def cat(name: str) -> npt.NDArray[Any]:
        return np.concatenate([getattr(x, name) for x in parts])

    acct, side, inst = cat("account"), cat("side"), cat("instrument")
    order = np.lexsort((inst, side, acct))  # stable: a part's ties keep their order
    acct, side, inst = acct[order], side[order], inst[order]
    qty, uv = cat("quantity")[order], cat("unit_value")[order]
    counts_in = cat("reliefs")
    first_in = np.r_[0, np.cumsum(counts_in)[:-1]].astype(np.int64)
    counts = counts_in[order]
    take = np.repeat(first_in[order] - np.r_[0, np.cumsum(counts)[:-1]], counts) + np.arange(
        int(counts.sum()))
    lot_ids = [x for part in parts for x in part.lot_id]
    lot_gain, lot_long = cat("lot_gain")[take], cat("lot_long")[take]
    notes = [x for part in parts for x in part.wash_note]
    n = len(inp.accounts)
    value = qty * uv
    cost = p.policy.costs.cost(value)
    owner = np.repeat(np.arange(acct.size), counts)
    taxed = tax.taxable[acct[owner]]
    st = np.bincount(owner, np.where(taxed & ~lot_long, lot_gain, 0.0),
                     minlength=acct.size).astype(np.float64)
    lt = np.bincount(owner, np.where(taxed & lot_long, lot_gain, 0.0),
                     minlength=acct.size).astype(np.float64)

    changes = sorted((c for part in parts for c in part.changes), key=lambda x: x[0])
    changed = np.unique(np.array([ch.account for _, ch in changes], dtype=np.int64))
    delta = side * qty
    recomputed = (p.cash_before - np.bincount(acct, delta * uv, minlength=n)
                  - np.bincount(acct, cost, minlength=n))
    is_changed = np.zeros(n, dtype=bool)
    is_changed[changed] = True
    cash_after = np.where(is_changed, recomputed, p.cash_after)
    w_after, d_after = weights_after(p, inp, changed, acct, inst, delta, cash_after)
    final = replace(
        p, trade_account=acct, trade_instrument=inst, side=side, quantity=qty, unit_value=uv,
        value=value, cost=cost, sleeve=cat("sleeve")[order], reason=cat("reason")[order],
        cash_after=cash_after, weight_after=w_after, drift_after=d_after)
    return TaxedProposals(
        proposals=final, taxable=tax.taxable, lot_start=np.r_[0, np.cumsum(counts)].astype(
            np.int64), lot_id=tuple(lot_ids[k] for k in take.tolist()),
        lot_quantity=cat("lot_quantity")[take], lot_gain=lot_gain, lot_long=lot_long,
        st_gain=st, lt_gain=lt, switched_from=cat("switched_from")[order],
        wash_note=tuple(notes[k] for k in order.tolist()),
        realized_st=np.bincount(acct, st, minlength=n).astype(np.float64),
        realized_lt=np.bincount(acct, lt, minlength=n).astype(np.float64),
        changes=tuple(c for _, c in changes))
