"""Weights and drift after a set of trades, recomputed for the accounts they touch."""

from __future__ import annotations

import numpy as np

from ballast.ledger.snapshot import FloatArray, IntArray
from ballast.rebalance.core import model_families
from ballast.rebalance.inputs import RebalanceInput
from ballast.rebalance.proposals import Proposals


def weights_after(p: Proposals, inp: RebalanceInput, changed: IntArray, acct: IntArray,
           inst: IntArray, delta: FloatArray, cash_after: FloatArray) -> tuple[FloatArray,
                                                                               FloatArray]:
    """Weights and drift after, recomputed for the ``changed`` accounts only, from their
    holdings plus the trade deltas (``acct``, ``inst``, signed ``delta``) and ``cash_after``."""
    w_after, d_after = p.weight_after.copy(), p.drift_after.copy()
    if changed.size == 0:
        return w_after, d_after
    pos = np.full(len(inp.accounts), -1, dtype=np.int64)
    pos[changed] = np.arange(changed.size)
    sel = pos[acct] >= 0
    q = inp.quantity[changed].copy()
    np.add.at(q, (pos[acct[sel]], inst[sel]), delta[sel])
    uv = inp.unit_value[changed]
    value = np.where(uv > 0, q * uv, 0.0)
    total = value.sum(axis=1) + cash_after[changed]
    k_of = inp.model_of[changed]
    for family in model_families(inp.models):
        r = np.flatnonzero(np.isin(k_of, family))
        if r.size == 0:
            continue
        model = inp.models[int(family[0])]
        target = np.stack([inp.models[x].target for x in family])[
            np.searchsorted(family, k_of[r])]
        s = len(model.sleeve_names)
        cols = np.flatnonzero(model.member >= 0)
        onehot = np.zeros((len(inp.instruments), s))
        onehot[cols, model.member[cols]] = 1.0
        w = (value[r] @ onehot) / total[r, None]
        w_after[changed[r], :s] = w
        d_after[changed[r]] = (np.abs(w - target).sum(axis=1)
                               + value[r][:, model.member < 0].sum(axis=1) / total[r])
    return w_after, d_after
