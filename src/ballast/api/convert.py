"""Engine results to response models."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ballast.api.schemas import (
    AccountOut,
    AccountPage,
    KillSwitchOut,
    LotOut,
    PositionOut,
    ProposalOut,
    RunSummaryOut,
    TradeOut,
)
from ballast.engine.approvals import ProposalState
from ballast.engine.overview import AccountView, KillSwitch, ProposedTrade, RunSummary
from ballast.engine.rows import AccountRow, LotRow, PositionRow


def finite(x: float) -> float | None:
    """``x``, or None when it is NaN or infinite (JSON has neither)."""
    return x if math.isfinite(x) else None


def account_out(r: AccountRow) -> AccountOut:
    return AccountOut(account_id=r.account_id, household_id=r.household_id,
                      household=r.household, name=r.name, type=r.type,
                      base_currency=r.base_currency, custodian=r.custodian, model=r.model,
                      value=finite(r.value), cash=finite(r.cash))


def position_out(p: PositionRow) -> PositionOut:
    return PositionOut(account_id=p.account_id, symbol=p.symbol, quantity=p.quantity,
                       price=finite(p.price), price_date=p.price_date,
                       market_value=finite(p.market_value), cost_basis=p.cost_basis,
                       unrealized=finite(p.unrealized), weight=finite(p.weight),
                       currency=p.currency)


def lot_out(x: LotRow) -> LotOut:
    return LotOut(account_id=x.account_id, symbol=x.symbol, lot_id=x.lot_id,
                  quantity=x.quantity, cost_basis=x.cost_basis, unit_cost=x.unit_cost,
                  acquired=x.acquired, holding_start=x.holding_start,
                  wash_sale_adjustment=x.wash_sale_adjustment)


def proposal_out(s: ProposalState) -> ProposalOut:
    return ProposalOut(run_id=s.run_id, account_id=s.account_id, status=s.status,
                       compliance=s.compliance, trades=s.trades, trade_value=s.trade_value,
                       route=s.route, decision=s.decision, basis=s.basis, user=s.user,
                       reason=s.reason, at=s.at)


def trades_out(trades: Sequence[ProposedTrade]) -> list[TradeOut]:
    return [TradeOut(seq=k, instrument_id=t.instrument_id, side=t.side, quantity=t.quantity,
                     est_price=t.est_price, est_value=t.est_value, est_cost=t.est_cost,
                     sleeve=t.sleeve, lots=t.lots, est_short_term_gain=t.est_short_term_gain,
                     est_long_term_gain=t.est_long_term_gain, rationale=t.rationale,
                     currency=t.currency) for k, t in enumerate(trades, start=1)]


def switch_out(k: KillSwitch) -> KillSwitchOut:
    return KillSwitchOut(scope=k.scope, engaged_by=k.engaged_by, engaged_at=k.engaged_at,
                         reason=k.reason)


def summary_out(s: RunSummary) -> RunSummaryOut:
    return RunSummaryOut(run_id=s.run_id, as_of=s.as_of, created_at=s.created_at,
                         accounts=s.accounts, out_of_band=s.out_of_band, trades=s.trades,
                         checked=s.checked, breaches=s.breaches,
                         pending_approval=s.pending_approval)


def account_page(v: AccountView) -> AccountPage:
    return AccountPage(account=account_out(v.account),
                       positions=[position_out(p) for p in v.positions],
                       lots=[lot_out(x) for x in v.lots],
                       proposal=proposal_out(v.approval) if v.approval else None,
                       trades=trades_out(v.trades))
