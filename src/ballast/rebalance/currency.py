"""Multi-currency accounts: trades settle in their instrument's currency, cash is kept per
currency, and the conversions (FX legs) the trades need are proposed with a rationale.

A pass over the final proposals (after the tax pass), vectorized over accounts with a loop
over currencies only. Rules, for each account that trades:

* A trade's local price and value are its base-currency estimate divided by the FX rate of
  its currency; sells add their local value, buys take it, estimated costs take theirs.
* A foreign currency whose cash would end below zero is bought, the shortfall rounded up to
  its minor unit, in one leg when one currency can pay for it all: base-currency cash, else
  the foreign currency with the most cash to spare; otherwise base first, then the foreign
  currencies by value. Base cash short (buys in base paid for with foreign cash) is bought
  with the foreign currencies the same way.
* With ``fx_sweep_foreign_cash``, foreign cash left worth at least ``fx_min_conversion`` is
  converted back to the base currency: all of it to the minor unit, for its value in base
  rounded down.
* Each leg costs ``fx_cost_bps`` of its converted value, taken from the base-currency cash.
  The amount paid for a purchase is the amount bought × the rate, to the nearest minor unit.
* A currency no source can cover stays short, and the account says so (never silently).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from ballast.domain import DataError, minor_units
from ballast.ledger.snapshot import FloatArray, IntArray
from ballast.rebalance.inputs import BoolArray, RebalanceInput
from ballast.rebalance.proposals import Proposals

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
_FUND, _SWEEP = 0, 1


@dataclass(frozen=True)
class CurrencyInput:
    """Cash by currency and FX rates for a run of N accounts × M instruments.

    ``currencies`` [C] are ISO codes; ``cash`` [N, C] each account's cash in units of each
    currency; ``instrument_currency`` [M] and ``base`` [N] index ``currencies``; ``fx`` [N, C]
    is the base-currency value of one unit of each currency for the account (1 at its base,
    NaN where there is no rate). ``as_of`` dates the rates, for messages.
    """

    as_of: date
    currencies: tuple[str, ...]
    cash: FloatArray
    instrument_currency: IntArray
    base: IntArray
    fx: FloatArray

    def minor(self) -> FloatArray:
        """[C] each currency's minor unit (0.01 for USD, 1 for JPY)."""
        return np.array([10.0 ** -minor_units(c) for c in self.currencies])

    def check(self, n: int, m: int) -> None:
        """Raise DataError when the arrays do not fit a run of n accounts × m instruments."""
        c = len(self.currencies)
        for name, arr, shape in (("cash", self.cash, (n, c)), ("fx", self.fx, (n, c)),
                                 ("instrument_currency", self.instrument_currency, (m,)),
                                 ("base", self.base, (n,))):
            if arr.shape != shape:
                raise DataError(f"{name} has shape {arr.shape}, expected {shape}", field=name)
        for name, idx in (("instrument_currency", self.instrument_currency),
                          ("base", self.base)):
            if idx.size and (idx.min() < 0 or idx.max() >= c):
                raise DataError(f"{name} holds an index outside 0..{c - 1}", field=name)
        if n and not np.allclose(self.fx[np.arange(n), self.base], 1.0):
            raise DataError("fx must be 1 at each account's base currency", field="fx")
        self.minor()  # an unknown currency code raises DataError


@dataclass(frozen=True)
class CurrencyPlan:
    """The trades in their currencies, the FX legs and cash per currency after.

    Per trade [T]: ``trade_currency`` (an index into ``currencies``), ``local_price`` (the
    value of one unit, price × multiplier) and ``local_value`` in that currency. Per account
    and currency [N, C]: ``flow``, the trades' net cash (sells +, buys −, costs −),
    ``cash_before`` and ``cash_after`` (trades, legs and FX costs included). Per leg [L],
    sorted by account: the account, the currencies sold and bought (indices), the amounts,
    ``rate`` (units sold per unit bought), ``cost`` (base currency) and the rationale.
    ``short`` [N] says which currency no conversion could cover ("" when none).
    """

    currencies: tuple[str, ...]
    trade_currency: IntArray
    local_price: FloatArray
    local_value: FloatArray
    flow: FloatArray
    cash_before: FloatArray
    cash_after: FloatArray
    leg_account: IntArray
    sell_currency: IntArray
    buy_currency: IntArray
    sell_amount: FloatArray
    buy_amount: FloatArray
    rate: FloatArray
    cost: FloatArray
    rationale: tuple[str, ...]
    short: tuple[str, ...]

    @property
    def n_legs(self) -> int:
        """Number of FX legs proposed."""
        return len(self.leg_account)

    def legs_of(self, account: int) -> IntArray:
        """Indices of the legs of ``account``."""
        lo, hi = np.searchsorted(self.leg_account, [account, account + 1])
        return np.arange(lo, hi, dtype=np.int64)

    def fx_cost(self) -> FloatArray:
        """[N] the estimated cost of each account's legs, in its base currency."""
        out = np.bincount(self.leg_account, weights=self.cost, minlength=len(self.short))
        return np.asarray(out, dtype=np.float64)


def missing_rates(inp: RebalanceInput, cur: CurrencyInput) -> tuple[str, ...]:
    """Per account, "no FX rate EUR→USD as of 2021-01-05" when a currency it holds (cash or
    instruments) or its model buys in has no rate into its base currency, else ""."""
    n, m = len(inp.accounts), len(inp.instruments)
    cur.check(n, m)
    # One row per model and a last row of zeros, which model_of = -1 (no model) picks.
    in_model = np.zeros((len(inp.models) + 1, m), dtype=bool)
    for k, model in enumerate(inp.models):
        in_model[k] = model.member >= 0
    uses = (inp.quantity != 0) | in_model[inp.model_of]
    onehot = np.zeros((m, len(cur.currencies)))
    onehot[np.arange(m), cur.instrument_currency] = 1.0
    gap = (((uses @ onehot) > 0) | (cur.cash != 0)) & ~np.isfinite(cur.fx)
    out = [""] * n
    for a in np.flatnonzero(gap.any(axis=1)).tolist():
        base = cur.currencies[int(cur.base[a])]
        pairs = ", ".join(f"{cur.currencies[c]}→{base}" for c in np.flatnonzero(gap[a]))
        out[a] = f"no FX rate {pairs} as of {cur.as_of}"
    return tuple(out)


def _round(x: FloatArray, unit: FloatArray | float, how: str) -> FloatArray:
    """``x`` rounded to multiples of ``unit`` ("up", "down" or "nearest"), float noise aside."""
    q = np.round(x / unit, 6)
    r = np.ceil(q) if how == "up" else np.floor(q) if how == "down" else np.floor(q + 0.5)
    return np.asarray(r * unit, dtype=np.float64)


@dataclass
class _Book:
    """Cash per currency while legs are added (owned by one call of :func:`plan_currency`)."""

    cash: FloatArray
    fx: FloatArray  # 0 where there is no rate: such a currency is never converted
    base: IntArray
    minor: FloatArray
    k: float
    legs: list[tuple[IntArray, ...]] = field(default_factory=list)
    amounts: list[tuple[FloatArray, ...]] = field(default_factory=list)

    def convert(self, a: IntArray, s: IntArray, t: IntArray, x: FloatArray, why: int,
                y: FloatArray | None = None) -> None:
        """Buy ``x`` of currency ``t`` with ``s`` in accounts ``a`` (distinct), paying ``y``
        (by default ``x`` at the rate, to the nearest minor unit)."""
        cross = self.fx[a, t] / self.fx[a, s]
        y = _round(x * cross, self.minor[s], "nearest") if y is None else y
        keep = x > 0
        a, s, t, x, y, cross = a[keep], s[keep], t[keep], x[keep], y[keep], cross[keep]
        cost = self.k * x * self.fx[a, t]
        self.cash[a, s] -= y
        self.cash[a, t] += x
        self.cash[a, self.base[a]] -= cost
        self.legs.append((a, s, t, np.full(a.size, why, dtype=np.int64)))
        self.amounts.append((y, x, cross, cost))

    def fund(self, rows: IntArray, t: IntArray, need: FloatArray) -> None:
        """Buy ``need`` of currency ``t`` for each of ``rows``: with the base currency (unless
        it is ``t``) when it can pay for all of it, else with the foreign currency worth the
        most when that one can, else with base first and then foreign, most valuable first."""
        r, c = len(rows), self.cash.shape[1]
        ar = np.arange(r)
        cash, fx, base = self.cash[rows], self.fx[rows], self.base[rows]
        score = np.where((cash > 0) & (fx > 0), cash * fx, -np.inf)
        score[ar, t] = -np.inf
        score[ar, base] = -np.inf
        value = need * fx[ar, t]
        base_pays = cash[ar, base] >= value * (1 + self.k)
        other_pays = score.max(axis=1, initial=-np.inf) >= value
        score[ar, base] = np.select([t == base, base_pays | ~other_pays], [-np.inf, np.inf], 0.0)
        order = np.argsort(-score, axis=1, kind="stable")
        left = need.copy()
        for k in range(c):
            src = order[:, k]
            i = np.flatnonzero((left > self.minor[t] / 2) & (score[ar, src] > -np.inf))
            if i.size == 0:
                continue
            a, s, ti = rows[i], src[i], t[i]
            cross = self.fx[a, ti] / self.fx[a, s]
            avail = np.maximum(self.cash[a, s], 0.0) / np.where(s == base[i], 1 + self.k, 1)
            full = _round(left[i] * cross, self.minor[s], "nearest") <= avail + 1e-9
            part = _round(_round(avail, self.minor[s], "down") / cross, self.minor[ti], "down")
            x = np.where(full, left[i], part)
            self.convert(a, s, ti, x, _FUND)
            left[i] = _round(left[i] - x, self.minor[ti], "nearest")


def plan_currency(proposals: Proposals, inp: RebalanceInput,
                  cur: CurrencyInput) -> CurrencyPlan:
    """The final ``proposals`` in each instrument's currency, and the FX legs that keep every
    currency of every trading account at or above zero (see the module docs).

    Pure and deterministic; raises DataError when ``cur`` does not fit the run or a trade is
    in a currency without a rate (skip such accounts first: :func:`missing_rates`).
    """
    n, m = len(inp.accounts), len(inp.instruments)
    cur.check(n, m)
    p, policy = proposals, proposals.policy
    acct, tc = p.trade_account, cur.instrument_currency[p.trade_instrument]
    rate = cur.fx[acct, tc]
    if not (np.isfinite(rate) & (rate > 0)).all():
        raise DataError("a trade is in a currency without an FX rate into its account's base "
                        "currency", field="fx", hint="Skip such accounts: see missing_rates.")
    local_value = p.value / rate
    flow = np.zeros(cur.cash.shape)
    np.add.at(flow, (acct, tc), -p.side * local_value - p.cost / rate)
    fx = np.where(np.isfinite(cur.fx) & (cur.fx > 0), cur.fx, 0.0)
    minor = cur.minor()
    book = _Book(cur.cash + flow, fx, cur.base, minor, policy.fx_cost_bps / 1e4)
    ar = np.arange(n)
    active = np.zeros(n, dtype=bool)
    active[acct] = True
    foreign = np.ones(fx.shape, dtype=bool)
    foreign[ar, cur.base] = False
    multi = active & (((cur.cash != 0) | (flow != 0)) & foreign).any(axis=1)
    for c in range(len(cur.currencies)):  # foreign currencies short: bought
        rows = np.flatnonzero(active & foreign[:, c] & (fx[:, c] > 0)
                              & (book.cash[:, c] < -minor[c] / 2))
        book.fund(rows, np.full(rows.size, c), _round(-book.cash[rows, c], minor[c], "up"))
    base_cash = book.cash[ar, cur.base]
    rows = np.flatnonzero(multi & (base_cash < -minor[cur.base] / 2))  # base short: bought
    t = cur.base[rows]
    book.fund(rows, t, _round(-book.cash[rows, t] / (1 - book.k), minor[t], "up"))
    if policy.fx_sweep_foreign_cash:
        for c in range(len(cur.currencies)):
            worth = book.cash[:, c] * fx[:, c]
            rows = np.flatnonzero(active & foreign[:, c] & (worth >= policy.fx_min_conversion)
                                  & (book.cash[:, c] >= minor[c]))
            t = cur.base[rows]
            y = _round(book.cash[rows, c], minor[c], "down")
            book.convert(rows, np.full(rows.size, c), t,
                         _round(y * fx[rows, c], minor[t], "down"), _SWEEP, y)
    return _plan(p, inp, cur, book, tc, local_value, flow, multi)


def _plan(p: Proposals, inp: RebalanceInput, cur: CurrencyInput, book: _Book, tc: IntArray,
          local_value: FloatArray, flow: FloatArray, multi: BoolArray) -> CurrencyPlan:
    """Collect the legs (sorted by account), their rationales and the short notes."""
    legs = book.legs or [(np.zeros(0, dtype=np.int64),) * 4]
    amounts = book.amounts or [(np.zeros(0),) * 4]
    a, s, t, why = (np.concatenate(col) for col in zip(*legs, strict=True))
    y, x, cross, cost = (np.concatenate(col) for col in zip(*amounts, strict=True))
    order = np.argsort(a, kind="stable")
    a, s, t, why = (v[order] for v in (a, s, t, why))
    y, x, cross, cost = (v[order] for v in (y, x, cross, cost))
    minor = cur.minor()
    short = [""] * len(inp.accounts)
    low = (book.cash < -minor / 2) & multi[:, None]
    for r, c in zip(*np.nonzero(low), strict=True):
        text = (f"{cur.currencies[c]} cash short by {_money(-book.cash[r, c], cur.currencies[c])}"
                " after conversions: no other currency left to convert")
        short[r] = f"{short[r]}; {text}" if short[r] else text
    buys = _buys(p, inp, tc, a * len(cur.currencies) + t, len(cur.currencies))
    return CurrencyPlan(
        currencies=cur.currencies, trade_currency=tc,
        local_price=p.unit_value / cur.fx[p.trade_account, tc], local_value=local_value,
        flow=flow, cash_before=cur.cash, cash_after=book.cash, leg_account=a,
        sell_currency=s, buy_currency=t, sell_amount=y, buy_amount=x, rate=cross, cost=cost,
        rationale=_texts(cur, buys, a, s, t, why, y, x, cross), short=tuple(short))


def _buys(p: Proposals, inp: RebalanceInput, tc: IntArray, keys: IntArray, c: int
          ) -> dict[tuple[int, int], list[str]]:
    """The instruments bought per (account, currency), for the pairs in ``keys`` only."""
    out: dict[tuple[int, int], list[str]] = {}
    hit = np.flatnonzero((p.side > 0) & np.isin(p.trade_account * c + tc, keys))
    names = [inp.instruments[j] for j in p.trade_instrument[hit].tolist()]
    for a, ccy, name in zip(p.trade_account[hit].tolist(), tc[hit].tolist(), names,
                            strict=True):
        out.setdefault((a, ccy), []).append(name)
    return out


def _money(x: float, ccy: str) -> str:
    places = minor_units(ccy)
    sym = _SYMBOLS.get(ccy, f"{ccy} ")
    return f"{'−' if x < 0 else ''}{sym}{abs(x):,.{places}f}"


def _texts(cur: CurrencyInput, buys: dict[tuple[int, int], list[str]], a: IntArray,
           s: IntArray, t: IntArray, why: IntArray, y: FloatArray, x: FloatArray,
           cross: FloatArray) -> tuple[str, ...]:
    """Each leg's rationale: "Buy €12,450.00 with $13,520.70 at 1.0860 USD per EUR to pay for
    purchases of SAP, ASML (EUR)"; a sweep ends ": EUR cash left after the trades, back to
    USD". The rate is per unit of the pair's non-base currency, or of its dearer one."""
    base = cur.base[a]
    quoted, other = np.where(t != base, t, s), np.where(t != base, s, t)
    per = np.where(t != base, cross, 1 / cross)
    flip = per < 1
    quoted, other = np.where(flip, other, quoted), np.where(flip, quoted, other)
    per = np.where(flip, 1 / per, per)
    names = cur.currencies
    sign = [(_SYMBOLS.get(c, f"{c} "), minor_units(c)) for c in names]

    def money(amount: float, c: int) -> str:  # leg amounts are positive
        return f"{sign[c][0]}{amount:,.{sign[c][1]}f}"

    out = []
    for ak, sk, tk, bk, wk, yk, xk, pk, ok, qk in zip(
            a.tolist(), s.tolist(), t.tolist(), base.tolist(), why.tolist(), y.tolist(),
            x.tolist(), per.tolist(), other.tolist(), quoted.tolist(), strict=True):
        text = f"Buy {money(xk, tk)} with {money(yk, sk)} at {pk:.4f} {names[ok]} per {names[qk]}"
        if wk == _SWEEP:
            out.append(f"{text}: {names[sk]} cash left after the trades, back to {names[bk]}")
            continue
        bought = buys.get((ak, tk), [])
        more = f" and {len(bought) - 5} more" if len(bought) > 5 else ""
        text += (f" to pay for purchases of {', '.join(bought[:5])}{more} ({names[tk]})"
                 if bought else f" to bring {names[tk]} cash back to zero")
        out.append(text + (f" (not enough {names[bk]} cash)" if bk not in (sk, tk) else ""))
    return tuple(out)
