"""Pre-trade compliance in a backtest: the day's taxed proposals of the accounts that trade go
through :func:`ballast.compliance.check` with the spec's rule sets, as a stored run goes
through ``ballast check``. A denied account trades nothing that day; an ``auto_fix`` rule's
cut applies (a sell keeps the tax pass's lots, in its order, up to the new quantity)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from ballast.compliance import CheckInput, check, rules_of
from ballast.config.compliance import RuleSet
from ballast.engine.backtest.decide import Activity, Decision, Setup
from ballast.engine.backtest.state import PolicyState
from ballast.ledger.snapshot import FloatArray


@dataclass(frozen=True)
class Checked:
    """Each trade's quantity after the check (0: not traded) and the accounts denied and
    fixed that day."""

    quantity: FloatArray
    denied: int
    fixed: int


def check_decision(state: PolicyState, setup: Setup, dec: Decision, activity: Activity,
                   close: FloatArray, returns: FloatArray, as_of: date,
                   sets: Sequence[RuleSet]) -> Checked:
    """Check ``dec`` against the rules of ``sets``; ``returns`` [D, M] are the daily returns
    up to ``as_of`` (for the VaR and tracking-error rules)."""
    props, rows = dec.taxed.proposals, dec.rows
    n, m = len(rows), len(state.instruments)
    qty = state.quantity[rows]
    target = np.zeros((n, m))
    for i, r in enumerate(rows.tolist()):
        md = setup.models[int(setup.model_of[r])]
        first = (md.member >= 0) & (md.preference == 0)
        target[i, first] = md.target[md.member[first]]
    where = np.full(len(state.accounts), -1, dtype=np.int64)
    where[rows] = np.arange(n)
    la, lj, ld = activity.columns("loss", where)
    levels = {k: v for s in sets for k, v in s.risk_profiles.models.items()}
    scores = {k: v for s in sets for k, v in s.risk_profiles.accounts.items()}
    ids = tuple(state.accounts[r].id for r in rows.tolist())
    models = tuple(state.accounts[r].model for r in rows.tolist())
    insts = state.instruments
    symbols = tuple(i.id for i in insts)
    inp = CheckInput(
        as_of=as_of, accounts=ids, models=models, household=np.arange(n, dtype=np.int64),
        instruments=symbols, quantity_before=qty,
        value_before=qty * np.nan_to_num(close)[None, :], cash_before=state.cash[rows],
        trade_account=props.trade_account, trade_instrument=props.trade_instrument,
        trade_side=props.side, trade_quantity=props.quantity, trade_value=props.value,
        trade_cost=props.cost, trade_gain=dec.taxed.st_gain + dec.taxed.lt_gain,
        issuer=tuple(i.issuer for i in insts), asset_class=tuple(i.asset_class for i in insts),
        sector=tuple(i.sector for i in insts), country=tuple(i.country for i in insts),
        currency=tuple(i.currency for i in insts), kind=tuple(i.kind.value for i in insts),
        wash_group=tuple(i.wash_sale_group or i.id for i in insts), lot_size=setup.lot_size,
        adv=np.full(m, np.nan), risk_score=np.array([scores.get(a, np.nan) for a in ids]),
        model_risk_level=np.array([levels.get(k, np.nan) for k in models]),
        restricted=np.zeros((n, m), dtype=bool), target_weight=target, returns=returns,
        loss_household=la, loss_group=tuple(symbols[j] for j in lj.tolist()), loss_date=ld)
    outcome = check(inp, rules_of(sets))
    quantity = outcome.checked.trade_quantity.copy()
    denied = [i for i, d in enumerate(outcome.decisions) if not d.approved]
    quantity[np.isin(props.trade_account, denied)] = 0.0
    fixed = sum(1 for d in outcome.decisions if d.approved and d.fixes)
    return Checked(quantity, len(denied), fixed)
