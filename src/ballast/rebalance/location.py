"""Household asset location: tax-inefficient sleeves in tax-deferred accounts, a step before
:func:`~ballast.rebalance.propose`.

The household (the unit of tax coordination) keeps exactly its model's exposure, but its
accounts stop each holding a slice of every sleeve: :func:`locate` gives every account of a
household its own sleeve targets so that

* the household's combined target per sleeve — value-weighted over its accounts that follow
  the model — is the model's target exactly;
* the tax-inefficient (``low``) sleeves go first into tax-deferred accounts, then tax-exempt,
  then taxable ones; the tax-efficient (``high``) sleeves fill taxable accounts first, then
  tax-exempt, then tax-deferred;
* each account still targets 1 − cash target in sleeves (its *capacity* is its value × the
  sum of the model's sleeve targets, i.e. × (1 − cash target)), and its cash target is kept.

The fill is greedy over accounts and pro rata within a tax class: the household's low share
(Σ low targets × its value) is poured into its accounts in location order (deferred, exempt,
taxable; ties by account order), each up to its capacity; what an account does not take of it
is its high share. Within its low (high) share an account holds the low (high) sleeves in the
model's proportions, so an account that straddles the boundary holds both classes, and there
is no finer ranking of sleeves than low and high.

Households mixing models are located per model: the accounts of a household that follow the
same model form a group and are located among themselves; a group of one account, or whose
accounts are all of one tax type, keeps the model's targets. So do accounts with no model, a
value ≤ 0 or a missing price on a held or model instrument (the rebalancer skips them) — they
are left out of their group, which is located without them — and models whose sleeves are all
low or all high.

A located account gets a :class:`ModelTargets` of its own, appended to ``inp.models`` with the
account's ``model_of`` pointing at it; it keeps the model's name, version, cash, sleeves and
instruments (the ``member`` and ``preference`` arrays are shared, not copied). Its tolerance
keeps each sleeve's absolute band and recomputes the relative one on the located target:
min(absolute, relative × located target) over the bounds the sleeve has — so a sleeve located
to 0 in an account under the 5/25 rule has no tolerance there, and any of it held triggers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import IntEnum

import numpy as np

from ballast.config.models import ResolvedModel, TaxEfficiency
from ballast.domain import AccountType, DataError
from ballast.ledger.snapshot import FloatArray, IntArray
from ballast.rebalance.inputs import BoolArray, RebalanceInput


class Location(IntEnum):
    """An account's tax treatment, in the order low-efficiency sleeves are placed."""

    TAX_DEFERRED = 0
    TAX_EXEMPT = 1
    TAXABLE = 2


_OF_TYPE = {AccountType.TAX_DEFERRED: Location.TAX_DEFERRED,
            AccountType.TAX_EXEMPT: Location.TAX_EXEMPT,
            AccountType.TAXABLE: Location.TAXABLE}


def account_locations(types: Sequence[AccountType]) -> IntArray:
    """The :class:`Location` code of each account type, as :func:`locate` takes them."""
    return np.array([_OF_TYPE[t] for t in types], dtype=np.int64)


@dataclass(frozen=True)
class SleeveTax:
    """Per sleeve of one model (in its ``ModelTargets`` order): whether it is tax-inefficient,
    and its band bounds (``inf`` where the sleeve has no such bound)."""

    low: BoolArray
    band_absolute: FloatArray
    band_relative: FloatArray

    @classmethod
    def of(cls, model: ResolvedModel) -> SleeveTax:
        """From a resolved model, in the sleeve order the engine's ``ModelTargets`` use."""
        inf = float("inf")
        return cls(
            low=np.array([s.tax_efficiency is TaxEfficiency.LOW for s in model.sleeves],
                         dtype=bool),
            band_absolute=np.array([inf if s.band_absolute is None else s.band_absolute
                                    for s in model.sleeves], dtype=np.float64),
            band_relative=np.array([inf if s.band_relative is None else s.band_relative
                                    for s in model.sleeves], dtype=np.float64))

    def tolerance(self, target: FloatArray) -> FloatArray:
        """min(absolute, relative × target) over the bounds given, per sleeve (last axis)."""
        bounded = np.isfinite(self.band_relative)
        rel = np.where(bounded, np.where(bounded, self.band_relative, 0.0) * target, np.inf)
        return np.asarray(np.minimum(self.band_absolute, rel), dtype=np.float64)


@dataclass(frozen=True)
class LocatedTargets:
    """Per-account sleeve targets after location: ``target`` and ``tolerance`` are [N, S_max]
    (S_max the most sleeves of any model), in the account's model's sleeve order, NaN past its
    last sleeve and for accounts without a model; ``located`` marks the accounts whose targets
    differ from their model's (the others hold the model's)."""

    located: BoolArray
    target: FloatArray
    tolerance: FloatArray


def located_targets(inp: RebalanceInput, household: IntArray, location: IntArray,
                    sleeves: Sequence[SleeveTax]) -> LocatedTargets:
    """Every account's located sleeve targets, as arrays (see the module's doc).

    ``household`` labels each account's household (any integers), ``location`` its
    :class:`Location` code, and ``sleeves[k]`` describes ``inp.models[k]``. Pure and
    deterministic; raises DataError when the arrays do not fit ``inp``.
    """
    _check(inp, household, location, sleeves)
    n, k_of = len(inp.accounts), inp.model_of
    s_max = max((len(md.sleeve_names) for md in inp.models), default=0)
    out = LocatedTargets(np.zeros(n, dtype=bool), np.full((n, s_max), np.nan),
                         np.full((n, s_max), np.nan))
    for kk, md in enumerate(inp.models):
        s = len(md.sleeve_names)
        out.target[k_of == kk, :s], out.tolerance[k_of == kk, :s] = md.target, md.tolerance
    if not inp.models:
        return out
    total = _value(inp)
    low_t = np.array([md.target[st.low].sum() for md, st in zip(inp.models, sleeves,
                                                                  strict=True)])
    sum_t = np.array([md.target.sum() for md in inp.models])
    mixed = (low_t > 0) & (low_t < sum_t)  # a model of only low or only high: nothing to do
    ok = (k_of >= 0) & np.isfinite(total) & (total > 0) & mixed[np.maximum(k_of, 0)]
    ok[ok] = ~_missing_price(inp, np.flatnonzero(ok))
    rows = np.flatnonzero(ok)
    if rows.size == 0:
        return out
    # Groups: (household, model), accounts in location order, then account order.
    rows = rows[np.lexsort((rows, location[rows], k_of[rows], household[rows]))]
    h, k, loc = household[rows], k_of[rows], location[rows]
    start = np.flatnonzero(np.r_[True, (h[1:] != h[:-1]) | (k[1:] != k[:-1])])
    size = np.diff(np.r_[start, rows.size])
    spread = np.maximum.reduceat(loc, start) != np.minimum.reduceat(loc, start)
    rows, k = rows[np.repeat(spread, size)], k[np.repeat(spread, size)]
    if rows.size == 0:
        return out
    size = size[spread]
    start = np.r_[0, np.cumsum(size)[:-1]]
    cap = total[rows] * sum_t[k]
    gk = k[start]
    low_left = np.add.reduceat(cap, start) * low_t[gk] / sum_t[gk]
    low_part = np.zeros(rows.size)
    for p in range(int(size.max())):  # greedy fill, position by position in every group
        g = np.flatnonzero(size > p)
        idx = start[g] + p
        take = np.minimum(low_left[g], cap[idx])
        low_part[idx] = take
        low_left[g] -= take
    share = np.clip(low_part / cap, 0.0, 1.0)  # of its capacity, in the low sleeves
    out.located[rows] = True
    for kk, md in enumerate(inp.models):  # one vectorized block per model
        sel = k == kk
        if not sel.any():
            continue
        st, s_low, s = sleeves[kk], share[sel, None], len(md.sleeve_names)
        low_w = np.where(st.low, md.target / low_t[kk], 0.0)
        high_w = np.where(st.low, 0.0, md.target / (sum_t[kk] - low_t[kk]))
        target = sum_t[kk] * (s_low * low_w + (1.0 - s_low) * high_w)
        tol = st.tolerance(target)
        out.target[rows[sel], :s] = target
        out.tolerance[rows[sel], :s] = np.where(np.isfinite(tol), tol, md.tolerance)
    return out


def locate(inp: RebalanceInput, household: IntArray, location: IntArray,
           sleeves: Sequence[SleeveTax]) -> RebalanceInput:
    """``inp`` with each located account given a :class:`ModelTargets` of its own (appended
    after the input's models, which keep their order; ``model_of`` repointed, in account
    order). Arguments as :func:`located_targets`; pure and deterministic."""
    lt = located_targets(inp, household, location, sleeves)
    rows = np.flatnonzero(lt.located)
    if rows.size == 0:
        return inp
    models = list(inp.models)
    model_of = inp.model_of.copy()
    model_of[rows] = len(models) + np.arange(rows.size)
    for a in rows:
        md = inp.models[int(inp.model_of[a])]
        s = len(md.sleeve_names)
        models.append(replace(md, target=lt.target[a, :s], tolerance=lt.tolerance[a, :s]))
    return replace(inp, models=tuple(models), model_of=model_of)


def _check(inp: RebalanceInput, household: IntArray, location: IntArray,
           sleeves: Sequence[SleeveTax]) -> None:
    n = len(inp.accounts)
    if household.shape != (n,) or location.shape != (n,):
        raise DataError("household and location need one value per account", field="location")
    if len(sleeves) != len(inp.models):
        raise DataError("sleeves needs one SleeveTax per model", field="sleeves")
    if n and ((location < Location.TAX_DEFERRED) | (location > Location.TAXABLE)).any():
        raise DataError("location holds an unknown code", field="location")
    for md, st in zip(inp.models, sleeves, strict=True):
        s = (len(md.sleeve_names),)
        if st.low.shape != s or st.band_absolute.shape != s or st.band_relative.shape != s:
            raise DataError(f"model {md.name}: SleeveTax needs one value per sleeve",
                            field="sleeves")


def _value(inp: RebalanceInput) -> FloatArray:
    """Each account's total value as the rebalancer counts it: priced holdings + cash."""
    held_priced = (inp.quantity != 0) & (inp.unit_value > 0)
    value = np.where(held_priced, inp.quantity * np.where(held_priced, inp.unit_value, 0.0), 0.0)
    return np.asarray(value.sum(axis=1) + inp.cash, dtype=np.float64)


def _missing_price(inp: RebalanceInput, rows: IntArray) -> BoolArray:
    """For ``rows``: a held or model instrument has no valid price (the rebalancer skips it)."""
    out = np.zeros(rows.size, dtype=bool)
    for k, md in enumerate(inp.models):
        sel = np.flatnonzero(inp.model_of[rows] == k)
        if sel.size:
            r = rows[sel]
            bad = ((inp.quantity[r] != 0) | (md.member >= 0)) & ~(inp.unit_value[r] > 0)
            out[sel] = bad.any(axis=1)
    return out
