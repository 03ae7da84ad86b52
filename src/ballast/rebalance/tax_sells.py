"""Lot choice for the sells of the tax pass: the ledger's ``select_lots`` per sell, with loss lots
held back inside a wash-sale window and short-term gain lots deferred; then the gain budget.

Internal to :mod:`ballast.rebalance.tax`; the mutable records here live for one call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from ballast.config.rebalance import RebalancePolicy
from ballast.domain import (
    DataError,
    LotMethod,
    Term,
    holding_term,
)
from ballast.ledger.relief import relief_order
from ballast.ledger.snapshot import IntArray
from ballast.rebalance.tax_types import TaxInput

EPS = 1e-9
Relief = tuple[str, float, float, bool]  # lot id, quantity, gain, long-term
_AVERAGE, _MIN_TAX, _SPECIFIC = LotMethod.AVERAGE, LotMethod.MIN_TAX, LotMethod.SPECIFIC


@dataclass(slots=True)
class Sell:
    """One proposed sell being shaped: its lots relieved and, when changed, why."""

    t: int
    a: int
    j: int
    q0: float
    uv: float
    lot: float
    q: float = 0.0
    relief: list[Relief] = field(default_factory=list)
    note: str = ""
    why: str = ""
    want: float = -1.0  # units to sell when the sleeve's sale was re-allocated (-1: q0)
    moved: str = ""  # why the re-allocation changed it ("" when it did not)
    sleeve: int = -1  # the model sleeve it sells from (-1: outside the model)
    reason: int = 0  # its TradeReason

    @property
    def need(self) -> float:
        """The units to relieve: ``q0``, or what the min-tax allocation gave it."""
        return self.q0 if self.want < 0 else self.want

    @property
    def gain(self) -> float:
        return sum(r[2] for r in self.relief)

    @property
    def has_loss(self) -> bool:
        return any(r[2] < 0 for r in self.relief)


@dataclass(slots=True)
class Buy:
    """One proposed buy: ``j``/``q``/``uv`` become the alternate's when it is switched."""

    t: int
    a: int
    j0: int
    q0: float
    j: int
    q: float
    uv: float
    note: str = ""
    why: str = ""
    sleeve: int = -1
    reason: int = 0


def tradable(qty: float, uv: float, policy: RebalancePolicy) -> bool:
    """The core's size and cost rule for one trade (see ``core._tradable``)."""
    c = policy.costs
    val = qty * uv
    cost = c.cost(val)
    return (qty > 0 and val >= policy.min_trade_value and qty >= policy.min_trade_quantity
            and cost <= policy.drift_benefit_bps / 1e4 * val)


def first_tradable(start: float, lot: float, limit: float, uv: float,
                   policy: RebalancePolicy) -> float | None:
    """The smallest multiple of ``lot`` at or above ``start`` and at most ``limit`` that passes
    the size and cost rule, or None — computed, not searched lot by lot."""
    c = policy.costs
    need = max(start, policy.min_trade_quantity, policy.min_trade_value / uv if uv > 0 else 0.0)
    margin = policy.drift_benefit_bps / 1e4 - c.rate
    if c.commission > 0:
        if margin <= 0 or uv <= 0:
            return None
        need = max(need, c.commission / (margin * uv))
    elif margin < 0:
        return None
    q = max(math.ceil(need / lot - EPS), 1) * lot
    for candidate in (q, q + lot):  # one more lot absorbs float noise at the boundary
        if candidate <= limit + EPS and tradable(candidate, uv, policy):
            return candidate
    return None


def floor_lot(x: float, lot: float) -> float:
    return math.floor(x / lot + EPS) * lot


def _qty(x: float) -> str:
    return f"{x:,.0f}" if x == round(x) else f"{x:,.6f}".rstrip("0")


class LotBook:
    """The open lots of the sold positions, gathered once as Python values (sell k's lots are
    ``start[k]:start[k + 1]``)."""

    def __init__(self, tax: TaxInput, m: int, acct: IntArray, inst: IntArray) -> None:
        key = tax.lot_account * m + tax.lot_instrument
        order = np.argsort(key, kind="stable")
        skey = key[order]
        want = acct * m + inst
        lo = np.searchsorted(skey, want, "left")
        counts = np.searchsorted(skey, want, "right") - lo
        ends = np.cumsum(counts)
        idx = order[np.repeat(lo - (ends - counts), counts) + np.arange(int(ends[-1]) if
                                                                         ends.size else 0)]
        self.start: list[int] = [0, *ends.tolist()]
        self.ids: list[str] = [tax.lot_id[k] for k in idx.tolist()]
        self.qty: list[float] = tax.lot_quantity[idx].tolist()
        self.basis: list[float] = tax.lot_basis[idx].tolist()
        self.acquired: list[date] = tax.lot_acquired[idx].astype("datetime64[D]").tolist()
        held_from = tax.lot_holding_start[idx].astype("datetime64[D]")
        self.held_from: list[date] = held_from.tolist()
        self.as_of = tax.as_of
        days, at = np.unique(held_from, return_inverse=True)  # few distinct dates: term once each
        term = np.array([holding_term(d, tax.as_of) is Term.LONG for d in days.tolist()],
                        dtype=bool)
        self.long: list[bool] = term[at].tolist() if days.size else []

    def choose(self, s: Sell, k: int, method: LotMethod, *, taxable: bool, hold_losses: str,
               defer_short: str, policy: RebalancePolicy) -> None:
        """Relieve lots for ``s`` (its k-th position) by ``method``. In a taxable account, loss
        lots are skipped when ``hold_losses`` names a wash-sale window and short-term gain lots
        when ``defer_short`` says why; the sale shrinks (to whole lots) or is dropped when the
        remaining lots cannot cover it."""
        lo, hi = self.start[k], self.start[k + 1]
        held = sum(self.qty[lo:hi])
        units = max(s.q0, s.need)
        if units > held * (1 + EPS) + EPS:
            raise DataError(f"sell of {units} units (account {s.a}, instrument {s.j}) but the "
                            f"open lots hold {held}", field="lot_quantity")
        if s.need <= 0:
            return
        avg = sum(self.basis[lo:hi]) / held if method is _AVERAGE else -1.0
        cand, held_loss, held_short = [], False, False
        for x in range(lo, hi):
            unit = avg if avg >= 0 else self.basis[x] / self.qty[x]
            loss = s.uv < unit
            if taxable and hold_losses and loss:
                held_loss = True
            elif taxable and defer_short and not loss and not self.long[x]:
                held_short = True
            else:
                cand.append(x)
        if held_loss:
            s.note = f"loss lots kept (wash-sale window: {hold_losses})"
        avail = sum(self.qty[x] for x in cand)
        q = s.need
        if q > avail * (1 + EPS) + EPS:
            q = floor_lot(avail, s.lot)
            why = []
            if held_loss:
                why.append(f"wash-sale window ({hold_losses}): loss lots not sold")
            if held_short:
                why.append(f"short-term gains deferred ({defer_short})")
            s.why = "; ".join(why) + f"; {_qty(avail)} units in the other lots"
            if not tradable(q, s.uv, policy):
                return
        s.q = q
        self._relieve(s, cand, method, avg, policy)

    def _relieve(self, s: Sell, cand: list[int], method: LotMethod, avg: float,
                 policy: RebalancePolicy) -> None:
        """The ledger's relief order over the candidate lots (in floats: an estimate); under
        AVERAGE they are first re-based to the whole position's average unit cost, so that
        leaving lots out does not change it."""
        cost = [self.basis[x] / self.qty[x] if avg < 0 else avg for x in cand]
        if len(cand) == 1:  # one lot: every method takes from it
            order = [0]
        else:
            order = relief_order(
                _MIN_TAX if method is _SPECIFIC else method, [self.ids[x] for x in cand], cost,
                [self.acquired[x] for x in cand], [self.held_from[x] for x in cand],
                sale_date=self.as_of, price=s.uv,
                rates=(policy.tax_rate_short_term, policy.tax_rate_long_term))
        out: list[Relief] = []
        left = s.q
        for k in order:
            if left <= EPS:
                break
            x = cand[k]
            units = min(self.qty[x], left)
            left -= units
            out.append((self.ids[x], units, units * (s.uv - cost[k]), self.long[x]))
        s.relief = out


def _prefix(relief: list[Relief], x: float) -> list[Relief]:
    """The first ``x`` units of a relief (the same lots a smaller sale would take)."""
    out: list[Relief] = []
    left = x
    for lot_id, units, gain, long in relief:
        if left <= EPS:
            break
        take = min(units, left)
        out.append((lot_id, take, gain * take / units, long))
        left -= take
    return out


def fit_budget(sells: list[Sell], budget: float, policy: RebalancePolicy) -> None:
    """Scale the gain-realizing sells of one account by one factor (floored to whole lots) so
    that its net estimated realized gain fits ``budget``; sells at a net loss are kept."""
    live = [s for s in sells if s.q > 0]
    net = sum(s.gain for s in live)
    if net <= budget + 1e-6:
        return
    gainers = [s for s in live if s.gain > 0]
    allowed = budget - sum(s.gain for s in live if s.gain <= 0)

    def size(s: Sell, f: float) -> float:
        q = floor_lot(f * s.q, s.lot)
        return q if q > 0 and tradable(q, s.uv, policy) else 0.0

    def total(f: float) -> float:  # the gain of the sells as they would be made at f
        return sum(sum(r[2] for r in _prefix(s.relief, size(s, f))) for s in gainers)

    lo, hi = 0.0, 1.0
    if total(0.0) <= allowed:
        for _ in range(40):  # until lo and hi give the same whole-lot sizes
            if all(size(s, lo) == size(s, hi) for s in gainers):
                break
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if total(mid) <= allowed + 1e-6 else (lo, mid)
    for s in gainers:
        q = size(s, lo)
        text = f"gain budget: {net:,.0f} estimated vs {max(budget, 0.0):,.0f} left this year"
        s.why = f"{s.why}; {text}" if s.why else text
        s.q, s.relief = q, _prefix(s.relief, q)
