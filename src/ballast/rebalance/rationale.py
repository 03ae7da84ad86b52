"""Trade rationales in the words a portfolio manager would write."""

from __future__ import annotations

import numpy as np

from ballast.rebalance.inputs import RebalanceInput
from ballast.rebalance.proposals import Proposals, TradeReason, Trigger


def _pct(x: float) -> str:
    return f"{x * 100:.1f}".rstrip("0").rstrip(".") + "%"


def _qty(x: float) -> str:
    return f"{x:,.0f}" if x == round(x) else f"{x:,.6f}".rstrip("0")


def _why(proposals: Proposals, account: int) -> str:
    """The account-level trigger that made an in-band sleeve trade."""
    fired = proposals.trigger_of(account)
    policy = proposals.policy
    if Trigger.TOTAL_DRIFT in fired:
        return (f"total drift {_pct(float(proposals.drift_before[account]))} over limit "
                f"{_pct(policy.total_drift_limit)}")
    if Trigger.SLEEVE_BAND in fired:
        return "another sleeve is out of its band"
    if Trigger.UNASSIGNED in fired:
        return "holdings outside the model are sold"
    if Trigger.FORCED in fired:
        return "scheduled rebalance"
    return "cash is out of range"


def rationale(proposals: Proposals, inp: RebalanceInput, trade_index: int) -> str:
    """Why trade ``trade_index`` is proposed, e.g. "Sell 12 SPY: us_large_cap 36.1% vs target
    30% ±5%", "Buy 40 JNJ: deploy cash 8.2% vs target 2%", "Sell 10 XOM: not in the model"."""
    t = proposals.row(trade_index)
    a = t.account
    model = inp.models[int(inp.model_of[a])]
    head = f"{'Buy' if t.side > 0 else 'Sell'} {_qty(t.quantity)} {inp.instruments[t.instrument]}"
    total = float(proposals.total_value[a])
    cash_w = float(proposals.cash_before[a]) / total
    if t.reason is TradeReason.NOT_IN_MODEL:
        return f"{head}: not in the model"
    if t.reason is TradeReason.DEPLOY_CASH:
        text = f"{head}: deploy cash {_pct(cash_w)} vs target {_pct(model.cash_target)}"
    elif t.reason is TradeReason.RAISE_CASH:
        need = float(inp.cash_needed[a])
        text = f"{head}: raise cash {_pct(cash_w)} vs minimum {_pct(model.cash_minimum)}"
        text += f" plus {need:,.2f} requested" if need > 0 else ""
    else:
        s = t.sleeve
        text = (f"{head}: {model.sleeve_names[s]} {_pct(float(proposals.weight_before[a, s]))} "
                f"vs target {_pct(float(model.target[s]))} ±{_pct(float(model.tolerance[s]))}")
        if t.reason is TradeReason.TO_TARGET:
            text += f", to target while rebalancing ({_why(proposals, a)})"
    if t.side > 0 and model.preference[t.instrument] > 0:
        first = np.flatnonzero((model.member == t.sleeve) & (model.preference == 0))
        if first.size:
            text += f"; instead of {inp.instruments[int(first[0])]} (do not buy)"
    return text
