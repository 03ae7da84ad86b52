"""From the book to the rebalancer's arrays: a snapshot and resolved models, in index space.

The rebalancer is a pure function of dense (account × instrument) arrays; this module builds
them from a snapshot (quantities and values in each account's base currency), the accounts'
restrictions and their assigned models.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from ballast.config.models import ResolvedModel
from ballast.domain import Account, Instrument, InstrumentId
from ballast.engine.market import MarketData
from ballast.ledger.snapshot import Snapshot
from ballast.rebalance import ModelTargets, RebalanceInput
from ballast.rebalance.currency import CurrencyInput, missing_rates


def model_targets(model: ResolvedModel, index: Mapping[str, int], n: int) -> ModelTargets:
    """A resolved model in the instrument-index space of a run of ``n`` instruments."""
    member = np.full(n, -1, dtype=np.int64)
    preference = np.full(n, -1, dtype=np.int64)
    for s, sleeve in enumerate(model.sleeves):
        for rank, iid in enumerate(sleeve.instruments):
            member[index[iid]] = s
            preference[index[iid]] = rank
    return ModelTargets(
        name=model.name, version=model.version, cash_target=model.cash_target,
        cash_minimum=model.cash_minimum,
        sleeve_names=tuple(s.name for s in model.sleeves),
        target=np.array([s.target for s in model.sleeves], dtype=np.float64),
        tolerance=np.array([model.tolerance(s) for s in model.sleeves], dtype=np.float64),
        member=member, preference=preference,
    )


def build_input(
    snap: Snapshot,
    accounts: Sequence[Account],
    instruments: Mapping[InstrumentId, Instrument],
    models: Mapping[str, ResolvedModel],
    market: MarketData,
    unpriceable: frozenset[str] = frozenset(),
) -> tuple[RebalanceInput, CurrencyInput]:
    """Arrays for ``accounts`` (in snapshot order) over the held and model instruments, and
    their cash per currency with the FX rates into each account's base currency.

    A unit's value is its close as of the snapshot × multiplier × the FX rate into the
    account's base currency. ``unpriceable`` instruments (stale prices) and instruments with no
    close get NaN, so an account that holds or would buy them is skipped with that reason
    rather than traded on data that could not be validated. So is every instrument of an
    account that needs a missing FX rate (see :func:`~ballast.rebalance.missing_rates`).
    """
    by_id = {a.id: a for a in accounts}
    acct = [by_id[a] for a in snap.accounts]
    universe = sorted({*snap.instruments,
                       *(i for m in models.values() for s in m.sleeves for i in s.instruments)})
    index = {iid: k for k, iid in enumerate(universe)}
    n, m = len(acct), len(universe)
    col = np.array([index[i] for i in snap.instruments], dtype=np.int64)[snap.pos_instrument]
    quantity = np.zeros((n, m))
    quantity[snap.pos_account, col] = snap.quantity

    closes, _ = market.closes(universe, snap.as_of)
    per_unit = closes * np.array([float(instruments[InstrumentId(i)].multiplier)
                                  for i in universe])
    per_unit[[index[i] for i in unpriceable if i in index]] = np.nan
    cur = _currency_input(snap, acct, [instruments[InstrumentId(i)].currency for i in universe],
                          market)
    unit_value = per_unit[None, :] * cur.fx[:, cur.instrument_currency]

    names = list(models)
    model_of = np.array([names.index(a.model) if a.model in models else -1 for a in acct],
                        dtype=np.int64)
    no_buy = np.zeros((n, m), dtype=bool)
    no_sell = np.zeros((n, m), dtype=bool)
    for i, a in enumerate(acct):  # restrictions are sparse: loop over the few named
        r = a.restrictions
        no_buy[i, [index[x] for x in r.do_not_buy | r.excluded if x in index]] = True
        no_sell[i, [index[x] for x in r.do_not_sell if x in index]] = True
    inp = RebalanceInput(
        accounts=tuple(a.id for a in acct), instruments=tuple(universe), model_of=model_of,
        models=tuple(model_targets(models[k], index, m) for k in names),
        quantity=quantity, unit_value=unit_value, cash=snap.cash_value.copy(),
        cash_needed=np.zeros(n),
        lot_size=np.array([float(instruments[InstrumentId(i)].lot_size) for i in universe]),
        no_buy=no_buy, no_sell=no_sell, forced=np.zeros(n, dtype=bool),
        hold=np.zeros(n, dtype=bool),
    )
    gap = np.array([bool(text) for text in missing_rates(inp, cur)], dtype=bool)
    if gap.any():
        inp = replace(inp, unit_value=np.where(gap[:, None], np.nan, unit_value))
    return inp, cur


def _currency_input(snap: Snapshot, accounts: Sequence[Account], inst_ccy: Sequence[str],
                    market: MarketData) -> CurrencyInput:
    """Cash per currency and the rate of every currency into each account's base (NaN where
    the market has none)."""
    bases = [a.base_currency for a in accounts]
    ccys = tuple(sorted({*inst_ccy, *bases, *snap.cash_currency}))
    rate = np.full((len(ccys), len(ccys)), np.nan)  # [from, to]: units of to per unit of from
    for b in set(bases):
        j = ccys.index(b)
        rate[:, j] = [float(market.fx_rate_or_nan(c, b, snap.as_of)) for c in ccys]
    base = np.array([ccys.index(b) for b in bases], dtype=np.int64)
    cash = np.zeros((len(accounts), len(ccys)))
    cash[:, [ccys.index(c) for c in snap.cash_currency]] = snap.cash_amount
    return CurrencyInput(
        as_of=snap.as_of, currencies=ccys, cash=cash,
        instrument_currency=np.array([ccys.index(c) for c in inst_ccy], dtype=np.int64),
        base=base, fx=rate[:, base].T.copy())
