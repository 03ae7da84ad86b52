"""One day's decisions for one policy: the rebalancer's triggers over every account, then
propose → harvest → tax pass for the accounts that trade — the same stages, in the same order,
as the engine's rebalance use case (:mod:`ballast.engine.rebalance`)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from ballast.config import RebalancePolicy
from ballast.engine.backtest.state import LotColumns, PolicyState, ordinal_days
from ballast.ledger.snapshot import DayArray, FloatArray, IntArray
from ballast.rebalance import (
    HarvestSettings,
    ModelTargets,
    Proposals,
    RebalanceInput,
    TaxedProposals,
    TaxInput,
    harvest,
    propose,
    tax_pass,
)
from ballast.rebalance.harvest import WINDOW_DAYS


@dataclass
class Activity:
    """Purchases (any account) and loss sales (taxable accounts) of the last 30 days, by
    account and instrument index: what the wash-sale windows of the tax pass look at."""

    buy_account: list[int] = field(default_factory=list)
    buy_instrument: list[int] = field(default_factory=list)
    buy_day: list[int] = field(default_factory=list)  # date ordinals
    loss_account: list[int] = field(default_factory=list)
    loss_instrument: list[int] = field(default_factory=list)
    loss_day: list[int] = field(default_factory=list)

    def add(self, prefix: str, a: int, j: int, day: date) -> None:
        """Record a purchase (``buy``) or a loss sale (``loss``)."""
        getattr(self, f"{prefix}_account").append(a)
        getattr(self, f"{prefix}_instrument").append(j)
        getattr(self, f"{prefix}_day").append(day.toordinal())

    def prune(self, as_of: date) -> None:
        """Forget what is older than the window."""
        for prefix in ("buy", "loss"):
            days: list[int] = getattr(self, f"{prefix}_day")
            first = as_of.toordinal() - WINDOW_DAYS
            keep = [k for k, d in enumerate(days) if d >= first]
            if len(keep) < len(days):
                for name in ("account", "instrument", "day"):
                    col = getattr(self, f"{prefix}_{name}")
                    setattr(self, f"{prefix}_{name}", [col[k] for k in keep])

    def columns(self, prefix: str, where: IntArray) -> tuple[IntArray, IntArray, DayArray]:
        """(account, instrument, day) rows of ``prefix`` for the accounts mapped by ``where``
        (global index → subset index, -1 when left out)."""
        a = np.array(getattr(self, f"{prefix}_account"), dtype=np.int64)
        j = np.array(getattr(self, f"{prefix}_instrument"), dtype=np.int64)
        d = ordinal_days(getattr(self, f"{prefix}_day"))
        keep = where[a] >= 0 if a.size else np.zeros(0, dtype=bool)
        return where[a[keep]], j[keep], d[keep]


@dataclass(frozen=True)
class Setup:
    """What does not change from day to day for one policy's accounts."""

    policy: RebalancePolicy
    models: tuple[ModelTargets, ...]
    model_of: IntArray
    lot_size: FloatArray
    taxable: np.ndarray
    group_of: IntArray

    @property
    def harvests(self) -> bool:
        """Whether the policy harvests losses at all."""
        return self.policy.harvest_max_per_account > 0 and bool(self.taxable.any())


def full_input(state: PolicyState, setup: Setup, close: FloatArray,
               forced: bool) -> RebalanceInput:
    """Every account's rebalancer input on a day with closes ``close`` [M]."""
    n, m = state.quantity.shape
    no = np.zeros((n, m), dtype=bool)
    return RebalanceInput(
        accounts=tuple(a.id for a in state.accounts),
        instruments=tuple(i.id for i in state.instruments), model_of=setup.model_of,
        models=setup.models, quantity=state.quantity,
        unit_value=np.broadcast_to(np.where(close > 0, close, np.nan), (n, m)),
        cash=state.cash, cash_needed=np.zeros(n), lot_size=setup.lot_size, no_buy=no,
        no_sell=no, forced=np.full(n, forced), hold=np.zeros(n, dtype=bool))


def harvest_screen(lots: LotColumns, setup: Setup, close: FloatArray, n: int) -> IntArray:
    """Taxable accounts holding a lot deep enough in loss for the harvester to consider."""
    p = setup.policy
    with np.errstate(invalid="ignore"):
        loss = lots.basis - close[lots.instrument] * lots.quantity
        deep = (setup.taxable[lots.account] & (loss > p.harvest_min_loss)
                & (loss > p.harvest_min_loss_pct * lots.basis))
    return np.unique(lots.account[deep])


def _subset(inp: RebalanceInput, rows: IntArray) -> RebalanceInput:
    return replace(
        inp, accounts=tuple(inp.accounts[r] for r in rows.tolist()), model_of=inp.model_of[rows],
        quantity=inp.quantity[rows], unit_value=inp.unit_value[rows], cash=inp.cash[rows],
        cash_needed=inp.cash_needed[rows], no_buy=inp.no_buy[rows], no_sell=inp.no_sell[rows],
        forced=inp.forced[rows], hold=inp.hold[rows])


def tax_input(state: PolicyState, setup: Setup, activity: Activity, rows: IntArray,
              as_of: date) -> TaxInput:
    """The tax pass's columns for accounts ``rows``: each account is its own household."""
    n = len(state.accounts)
    lots = state.lots().select(rows, n)
    where = np.full(n, -1, dtype=np.int64)
    where[rows] = np.arange(len(rows))
    la, lj, ld = activity.columns("loss", where)
    ba, bj, bd = activity.columns("buy", where)
    budget = None
    if setup.policy.annual_gain_budget is not None:
        budget = np.array([_budget_left(state, int(r), as_of, setup) for r in rows.tolist()])
    return TaxInput(
        as_of=as_of, taxable=setup.taxable[rows],
        lot_method=tuple(state.accounts[r].lot_method for r in rows.tolist()),
        household=np.arange(len(rows), dtype=np.int64), group_of=setup.group_of,
        lot_account=lots.account, lot_instrument=lots.instrument,
        lot_id=tuple(lots.lot_id.tolist()),
        lot_quantity=lots.quantity, lot_basis=lots.basis, lot_acquired=lots.acquired,
        lot_holding_start=lots.holding_start, gain_budget=budget,
        loss_household=la, loss_instrument=lj, loss_date=ld,
        loss_quantity=np.ones(len(la)), buy_household=ba, buy_instrument=bj, buy_date=bd,
        buy_quantity=np.ones(len(ba)))


def _budget_left(state: PolicyState, a: int, as_of: date, setup: Setup) -> float:
    budget = setup.policy.annual_gain_budget
    if not setup.taxable[a] or budget is None:
        return float("inf")
    done = sum(float(g.reportable_gain) for g in state.book.realized(state.account_id(a))
               if g.sold.year == as_of.year)
    return budget - done


def _proposals_of(props: Proposals, rows: IntArray) -> Proposals:
    """The proposals of accounts ``rows`` alone, re-indexed 0..len(rows)-1 (the rebalancer
    and the harvester decide each account on its own, so this is what they give for them)."""
    where = np.full(len(props.skip), -1, dtype=np.int64)
    where[rows] = np.arange(len(rows))
    t = np.flatnonzero(where[props.trade_account] >= 0)
    return replace(
        props, trade_account=where[props.trade_account[t]],
        trade_instrument=props.trade_instrument[t], side=props.side[t],
        quantity=props.quantity[t], unit_value=props.unit_value[t], value=props.value[t],
        cost=props.cost[t], sleeve=props.sleeve[t], reason=props.reason[t],
        triggered=props.triggered[rows], triggers=props.triggers[rows], skip=props.skip[rows],
        skip_message=tuple(props.skip_message[r] for r in rows.tolist()),
        total_value=props.total_value[rows], weight_before=props.weight_before[rows],
        weight_after=props.weight_after[rows], drift_before=props.drift_before[rows],
        drift_after=props.drift_after[rows], cash_before=props.cash_before[rows],
        cash_after=props.cash_after[rows], cash_keep=props.cash_keep[rows])


@dataclass(frozen=True)
class Decision:
    """The accounts that trade (global indices) and their final, taxed proposals."""

    rows: IntArray
    taxed: TaxedProposals


def decide(state: PolicyState, setup: Setup, activity: Activity, close: FloatArray,
           as_of: date, *, forced: bool) -> Decision | None:
    """Check every account's triggers; harvest in the accounts the rebalancer trades or that
    hold a lot deep enough in loss; tax-check the trades of the accounts that trade. Each
    account is its own household, so every stage gives the same answer for an account whether
    it runs on all accounts or on a few. None when no account trades today."""
    inp = full_input(state, setup, close, forced)
    p = setup.policy
    first = propose(inp, p)
    rows = np.unique(first.trade_account)
    if setup.harvests:
        rows = np.union1d(rows, harvest_screen(state.lots(), setup, close, len(state.accounts)))
    if rows.size == 0:
        return None
    props = _proposals_of(first, rows)
    if setup.harvests:
        props = harvest(props, _subset(inp, rows), tax_input(state, setup, activity, rows, as_of),
                        HarvestSettings(p.harvest_min_loss, p.harvest_min_loss_pct,
                                        p.harvest_max_per_account))
        trading = np.unique(props.trade_account)
        if trading.size == 0:
            return None
        props, rows = _proposals_of(props, trading), rows[trading]
    taxed = tax_pass(props, _subset(inp, rows), tax_input(state, setup, activity, rows, as_of),
                     short_term_hard_band=p.short_term_hard_band)
    if taxed.proposals.n_trades == 0:
        return None
    return Decision(rows, taxed)
