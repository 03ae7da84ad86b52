"""Trade rationales in the words a portfolio manager would write."""

from __future__ import annotations

import numpy as np

from ballast.rebalance.inputs import RebalanceInput
from ballast.rebalance.proposals import Proposals, TradeReason, Trigger
from ballast.rebalance.tax_types import TaxedProposals

_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


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


def _money(x: float) -> str:
    return f"{'−' if x < 0 else '+'}${abs(x):,.0f}"


def _lots(taxed: TaxedProposals, i: int) -> str:
    """"lots: two losses −$420, one long-term gain +$95" for sell ``i``."""
    lo, hi = int(taxed.lot_start[i]), int(taxed.lot_start[i + 1])
    gain, long = taxed.lot_gain[lo:hi], taxed.lot_long[lo:hi]
    parts = []
    for mask, one, many in ((gain < 0, "loss", "losses"),
                            ((gain >= 0) & long, "long-term gain", "long-term gains"),
                            ((gain >= 0) & ~long, "short-term gain", "short-term gains")):
        k = int(mask.sum())
        if k:
            word = _WORDS[k] if k < len(_WORDS) else str(k)
            parts.append(f"{word} {one if k == 1 else many} {_money(float(gain[mask].sum()))}")
    text = "; lots: " + ", ".join(parts) if parts else ""
    a = int(taxed.proposals.trade_account[i])
    return text + ("" if taxed.taxable[a] else " (account not taxable: no tax)")


def rationale(proposals: Proposals, inp: RebalanceInput, trade_index: int,
              taxed: TaxedProposals | None = None) -> str:
    """Why trade ``trade_index`` is proposed, e.g. "Sell 12 SPY: us_large_cap 36.1% vs target
    30% ±5%", "Buy 40 JNJ: deploy cash 8.2% vs target 2%", "Sell 10 XOM: not in the model".

    With ``taxed`` (whose ``proposals`` must be the ``proposals`` given), a sell also names its
    lots ("; lots: two losses −$420, one long-term gain +$95") and a buy switched by the tax
    pass its first choice ("; IVV instead of VTI (wash-sale window: VTI sold at a loss on
    2021-03-02)"). Harvest trades read "Sell 40 XOM: harvest a loss of −$1,240 (two lots,
    −22%)" (the loss from the lots ``taxed`` relieves) and "Buy 35 CVX: replaces XOM in energy
    after the harvest (exposure kept)".
    """
    if proposals.reason[trade_index] == TradeReason.HARVEST:
        return _harvest(proposals, inp, trade_index, taxed)
    text = _rationale(proposals, inp, trade_index, taxed)
    if taxed is not None and proposals.side[trade_index] < 0:
        text += _lots(taxed, trade_index)
        note = taxed.wash_note[trade_index]
        text += f"; {note}" if note else ""
    return text


def _rationale(proposals: Proposals, inp: RebalanceInput, trade_index: int,
               taxed: TaxedProposals | None) -> str:
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
    first_choice = -1 if taxed is None else int(taxed.switched_from[trade_index])
    if first_choice >= 0:
        text += (f"; {inp.instruments[t.instrument]} instead of {inp.instruments[first_choice]}"
                 f" (wash-sale window: {taxed.wash_note[trade_index] if taxed else ''})")
    elif t.side > 0 and model.preference[t.instrument] > 0:
        first = np.flatnonzero((model.member == t.sleeve) & (model.preference == 0))
        if first.size:
            f = int(first[0])
            if inp.no_buy[a, f]:
                text += f"; instead of {inp.instruments[f]} (do not buy)"
            else:
                text += (f"; a lot of {inp.instruments[f]} costs more than what was left to "
                         "buy")
    return text


def _harvest(proposals: Proposals, inp: RebalanceInput, i: int,
             taxed: TaxedProposals | None) -> str:
    """The words for a tax-loss harvest trade (see :mod:`ballast.rebalance.harvest`)."""
    t = proposals.row(i)
    name = inp.instruments[t.instrument]
    head = f"{'Buy' if t.side > 0 else 'Sell'} {_qty(t.quantity)} {name}"
    note = "" if taxed is None else taxed.wash_note[i]
    tail = f"; {note}" if note else ""
    if t.side < 0:
        if taxed is None:
            return f"{head}: harvest a loss{tail}"
        lo, hi = int(taxed.lot_start[i]), int(taxed.lot_start[i + 1])
        gain = float(taxed.lot_gain[lo:hi].sum())
        k = hi - lo
        lots = f"{_WORDS[k] if k < len(_WORDS) else k} lot{'s' if k != 1 else ''}"
        basis = t.value - gain
        pct = f", {'−' if gain < 0 else '+'}{_pct(abs(gain) / basis)}" if basis > 0 else ""
        word = "a loss" if gain < 0 else "a position (no net loss after lot choice)"
        return f"{head}: harvest {word} of {_money(gain)} ({lots}{pct}){tail}"
    sold = [inp.instruments[int(proposals.trade_instrument[k])]
            for k in proposals.trades_of(t.account)
            if proposals.side[k] < 0 and proposals.reason[k] == TradeReason.HARVEST
            and proposals.sleeve[k] == t.sleeve]
    model = inp.models[int(inp.model_of[t.account])]
    first = -1 if taxed is None else int(taxed.switched_from[i])
    if first >= 0:
        tail = f"; {name} instead of {inp.instruments[first]} (wash-sale window: {note})"
    return (f"{head}: replaces {' and '.join(sold) or 'the harvested position'} in "
            f"{model.sleeve_names[t.sleeve]} after the harvest (exposure kept){tail}")
