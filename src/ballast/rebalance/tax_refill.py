"""The tax pass's buy refill: where the pass changed an account's sells or blocked one of its
buys, the account's buys are sized again by the core on the holdings after the final sells.

The refill is :func:`~ballast.rebalance.core.propose` on a copy of those accounts in which
the final sells are done (quantities reduced, proceeds less costs in cash), nothing more may
be sold, every instrument of a wash-sale group the household may not buy is do-not-buy, and
the cash to keep is exactly the first pass's. So the cash the pass left is spread over the
underweight sleeves by the core's own rules (the sleeves held above target by the pass give
way, a blocked or too dear first choice passes its need to the next instrument of the sleeve)
instead of every buy being cut by one factor. Internal to :mod:`ballast.rebalance.tax`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from ballast.ledger.snapshot import IntArray
from ballast.rebalance.core import propose
from ballast.rebalance.inputs import RebalanceInput
from ballast.rebalance.proposals import Proposals, TradeReason
from ballast.rebalance.tax_sells import EPS, Buy, Sell

_CASH = "cash: the sells funding it were reduced by the tax pass"
_ADDED = "cash left by the tax pass's changes deployed to the sleeve"


def refill(p: Proposals, inp: RebalanceInput, sells: list[Sell], buys: list[Buy],
           blocked: Callable[[int], set[int]], group_of: IntArray) -> list[Buy]:
    """Re-size the buys of every account whose sells changed or whose buys were blocked;
    returns the new buy list (existing records updated in place, new buys appended).

    ``blocked(account)`` gives the wash-sale groups the account's household may not buy.
    """
    shrunk = {s.a for s in sells if abs(s.q - s.q0) > EPS}
    switched = {b.a for b in buys if b.j != b.j0 or b.q < b.q0 - EPS}
    rows = np.array(sorted(shrunk | switched), dtype=np.int64)
    if rows.size == 0:
        return buys
    sub = _after_sells(p, inp, sells, rows, blocked, group_of)
    new = propose(sub, p.policy)
    fresh: dict[tuple[int, int], tuple[float, int]] = {}
    for i in np.flatnonzero(new.side > 0).tolist():
        a = int(rows[new.trade_account[i]])
        fresh[a, int(new.trade_instrument[i])] = (float(new.quantity[i]), int(new.sleeve[i]))
    at_rows = set(rows.tolist())
    for b in buys:
        if b.a not in at_rows:
            continue
        q, _ = fresh.pop((b.a, b.j), (0.0, -1))
        if q < b.q - EPS and b.a in shrunk:
            b.why = f"{b.why}; {_CASH}" if b.why else _CASH
        b.q = q
    out = list(buys)
    blocked_buys: dict[tuple[int, int], list[Buy]] = {}
    for b in buys:
        if b.a in at_rows and b.q <= 0 and b.note:
            blocked_buys.setdefault((b.a, b.sleeve), []).append(b)
    for (a, j), (q, sleeve) in sorted(fresh.items()):
        uv = float(inp.unit_value[a, j])
        donor = next((b for b in blocked_buys.get((a, sleeve), []) if b.q <= 0 and b.j != j),
                     None)
        if donor is not None:  # the blocked first choice's need went to this instrument
            donor.j, donor.q, donor.uv = j, q, uv
            donor.why = f"wash-sale window: {donor.note}"
            continue
        out.append(Buy(-1, a, j, 0.0, j, q, uv, why=_ADDED, sleeve=sleeve,
                       reason=int(TradeReason.TO_TARGET)))
    return out


def _after_sells(p: Proposals, inp: RebalanceInput, sells: list[Sell], rows: IntArray,
                 blocked: Callable[[int], set[int]], group_of: IntArray) -> RebalanceInput:
    """The accounts ``rows`` of ``inp`` with the final sells done and no further sales."""
    pos = np.full(len(inp.accounts), -1, dtype=np.int64)
    pos[rows] = np.arange(rows.size)
    live = [s for s in sells if s.q > 0 and pos[s.a] >= 0]
    r = np.array([pos[s.a] for s in live], dtype=np.int64)
    j = np.array([s.j for s in live], dtype=np.int64)
    sold = np.array([s.q for s in live], dtype=np.float64)
    value = sold * np.array([s.uv for s in live], dtype=np.float64)
    q = inp.quantity[rows].copy()
    np.add.at(q, (r, j), -sold)
    cash = inp.cash[rows].astype(np.float64).copy()
    np.add.at(cash, r, value - p.policy.costs.cost(value))
    no_buy = inp.no_buy[rows].copy()
    for k, a in enumerate(rows.tolist()):  # few households have blocked groups
        bad = blocked(a)
        if bad:
            no_buy[k] |= np.isin(group_of, list(bad))
    uv = inp.unit_value[rows]
    total = np.where((q != 0) & (uv > 0), q * uv, 0.0).sum(axis=1) + cash
    share = np.array([max(md.cash_target, md.cash_minimum) for md in inp.models] or [0.0])
    # The core keeps share × total + requested: request what makes it the first pass's keep.
    need = np.maximum(p.cash_keep[rows] - share[np.maximum(inp.model_of[rows], 0)] * total, 0.0)
    n = rows.size
    return replace(
        inp, accounts=tuple(inp.accounts[a] for a in rows.tolist()),
        model_of=inp.model_of[rows], quantity=q, unit_value=uv, cash=cash,
        cash_needed=np.nan_to_num(need), no_buy=no_buy, no_sell=np.ones_like(no_buy),
        forced=np.ones(n, dtype=bool), hold=np.zeros(n, dtype=bool))
