"""Readable builders for rebalancer inputs: a few named instruments, models and accounts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ballast.rebalance import ModelTargets, RebalanceInput


def model(instruments: Sequence[str], name: str, sleeves: Mapping[str, tuple[float, float]],
          members: Mapping[str, tuple[str, int]], cash_target: float = 0.02,
          cash_minimum: float = 0.01) -> ModelTargets:
    """``sleeves``: name -> (target, tolerance); ``members``: instrument -> (sleeve, rank)."""
    names = tuple(sleeves)
    member = np.full(len(instruments), -1, dtype=np.int64)
    pref = np.full(len(instruments), -1, dtype=np.int64)
    for inst, (sleeve, rank) in members.items():
        member[instruments.index(inst)] = names.index(sleeve)
        pref[instruments.index(inst)] = rank
    return ModelTargets(
        name=name, version="1", cash_target=cash_target, cash_minimum=cash_minimum,
        sleeve_names=names, target=np.array([sleeves[s][0] for s in names]),
        tolerance=np.array([sleeves[s][1] for s in names]), member=member, preference=pref)


@dataclass
class Acct:
    """One account in words: holdings by instrument, cash, restrictions."""

    name: str
    holdings: Mapping[str, float]
    cash: float
    model: int = 0
    cash_needed: float = 0.0
    no_buy: Sequence[str] = ()
    no_sell: Sequence[str] = ()
    forced: bool = False
    hold: bool = False
    prices: Mapping[str, float] = field(default_factory=dict)


def book(instruments: Sequence[str], prices: Mapping[str, float],
         models: Sequence[ModelTargets], accounts: Sequence[Acct]) -> RebalanceInput:
    """Build the arrays; ``Acct.prices`` overrides the shared prices (NaN = no price)."""
    n, m = len(accounts), len(instruments)
    q, uv = np.zeros((n, m)), np.zeros((n, m))
    no_buy, no_sell = np.zeros((n, m), dtype=bool), np.zeros((n, m), dtype=bool)
    for i, a in enumerate(accounts):
        for j, inst in enumerate(instruments):
            q[i, j] = a.holdings.get(inst, 0.0)
            uv[i, j] = a.prices.get(inst, prices.get(inst, np.nan))
            no_buy[i, j] = inst in a.no_buy
            no_sell[i, j] = inst in a.no_sell
    return RebalanceInput(
        accounts=tuple(a.name for a in accounts), instruments=tuple(instruments),
        model_of=np.array([a.model for a in accounts], dtype=np.int64), models=tuple(models),
        quantity=q, unit_value=uv, cash=np.array([a.cash for a in accounts]),
        cash_needed=np.array([a.cash_needed for a in accounts]), lot_size=np.ones(m),
        no_buy=no_buy, no_sell=no_sell, forced=np.array([a.forced for a in accounts]),
        hold=np.array([a.hold for a in accounts]))
