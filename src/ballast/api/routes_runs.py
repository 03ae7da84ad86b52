"""Rebalance runs and their proposals: list, review (trades with rationale, violations),
approve or reject one or a batch (maker-checker on the server), and the run's orders and fills.
Proposing, checking and executing a run are requests made by a user with a reason."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from ballast.api.auth import CurrentUser, require, store_of
from ballast.api.cache import kept_json
from ballast.api.convert import proposal_out, trades_out
from ballast.api.routes_book import (
    Limit,
    Offset,
    book_of,
    generation_of,
    responses_of,
    run_of,
)
from ballast.api.schemas import (
    MAX_INT,
    BatchDecisionIn,
    DecisionOut,
    ExecutionOut,
    FillOut,
    OrderOut,
    Page,
    ProposalOut,
    ProposalReview,
    ReasonIn,
    RebalanceIn,
    RunOut,
    ViolationOut,
)
from ballast.engine import approvals, overview, service
from ballast.engine.users import Permission

router = APIRouter(prefix="/api/runs", tags=["proposals"],
                   dependencies=[Depends(require(Permission.READ))])
Status = Annotated[str | None, Query(pattern="^(trade|no_action|skipped)$")]
RunId = Annotated[int, Path(ge=1, le=MAX_INT, description="A rebalance run's id.")]


def _changed(request: Request) -> None:
    """After a change: the latest run's index now, the book view soon."""
    run_of(request).refresh()
    book_of(request).invalidate()


def _num(x: float) -> float | None:
    return x if math.isfinite(x) else None


@router.get("", response_model=list[RunOut])
def list_runs(request: Request) -> list[RunOut]:
    """Every rebalance run, newest first, with who proposed it."""
    return [RunOut(id=r.id, as_of=r.as_of, created_at=r.created_at, snapshot_id=r.snapshot_id,
                   policy_version=r.policy_version, accounts=r.accounts, triggered=r.triggered,
                   trades=r.trades, proposer=who) for r, who in service.runs(store_of(request))]


@router.post("", response_model=RunOut, status_code=201)
def propose(request: Request, body: RebalanceIn, principal: CurrentUser) -> RunOut:
    """Run the rebalancer (portfolio manager): a new run whose maker is the caller."""
    run_id = service.request_rebalance(store_of(request), principal, body.reason,
                                       account=body.account, as_of=body.as_of)
    _changed(request)
    run, who = next((r, w) for r, w in service.runs(store_of(request)) if r.id == run_id)
    return RunOut(id=run.id, as_of=run.as_of, created_at=run.created_at,
                  snapshot_id=run.snapshot_id, policy_version=run.policy_version,
                  accounts=run.accounts, triggered=run.triggered, trades=run.trades,
                  proposer=who)


@router.post("/{run_id}/check", response_model=Page[ProposalOut])
def check_run(request: Request, run_id: RunId, body: ReasonIn, principal: CurrentUser
              ) -> Page[ProposalOut]:
    """Check the run against the stored compliance rules; returns the first page of its
    proposals with their new state."""
    service.request_check(store_of(request), principal, run_id, body.reason)
    _changed(request)
    states, total = approvals.page_states(store_of(request), run_id, 0, 50)
    return Page[ProposalOut](total=total, offset=0, limit=50,
                             items=[proposal_out(s) for s in states])


@router.get("/{run_id}/proposals", response_model=Page[ProposalOut])
async def list_proposals(request: Request, run_id: RunId, offset: Offset = 0, limit: Limit = 50,
                         status: Status = None) -> Response:
    """The run's proposals by account with compliance verdict, trade value and approval."""
    generation = generation_of(request)
    index, run_at = await run_of(request).aget()
    key = ("proposals", run_id, offset, limit, status, generation, run_at)
    kept = responses_of(request)
    if index is not None and index.summary.run_id == run_id:
        chosen = index.states if status is None else [
            s for s in index.states if s.status == status]
        return kept_json(kept, key, lambda: _proposals(chosen[offset:offset + limit],
                                                       len(chosen), offset, limit))
    if (body := kept.get(key)) is not None:
        return Response(body, media_type="application/json")
    states, total = await run_in_threadpool(approvals.page_states, store_of(request),
                                            run_id, offset, limit, status)
    return kept_json(kept, key, lambda: _proposals(states, total, offset, limit))


def _proposals(states: list[approvals.ProposalState], total: int, offset: int, limit: int
               ) -> Page[ProposalOut]:
    return Page[ProposalOut](total=total, offset=offset, limit=limit,
                             items=[proposal_out(s) for s in states])


@router.get("/{run_id}/proposals/{account_id}", response_model=ProposalReview)
def review(request: Request, run_id: RunId, account_id: str) -> ProposalReview:
    """One proposal to review: its trades with rationale, the violations compliance found
    and where its approval stands."""
    store = store_of(request)
    view = overview.proposal_review(store, run_id, account_id)
    p = view.proposal
    return ProposalReview(
        run_id=run_id, account_id=account_id, model=p.model, model_version=p.model_version,
        reasons=p.reasons, value=p.value, cash_before=p.cash_before, cash_after=p.cash_after,
        drift_before=p.drift_before, drift_after=p.drift_after,
        est_short_term_gain=p.est_short_term_gain, est_long_term_gain=p.est_long_term_gain,
        approval=proposal_out(view.approval), trades=trades_out(view.trades),
        violations=[ViolationOut(account_id=v.account_id, rule_id=v.rule_id, scope=v.scope,
                                 kind=v.kind, action=v.action, subject=v.subject,
                                 measured=_num(v.measured), limit=_num(v.limit),
                                 trades=list(v.trades), explanation=v.explanation)
                    for v in service.violations(store, run_id, account_id)])


def _decide(request: Request, run_id: int, decision: str, reason: str, user: str,
            accounts: list[str] | None) -> list[DecisionOut]:
    done = approvals.decide(store_of(request), run_id, decision, user=user, reason=reason,
                            accounts=accounts)
    _changed(request)
    return [DecisionOut(run_id=r.run_id, account_id=r.account_id, decision=r.decision,
                        basis=r.basis, user=r.user, reason=r.reason, at=r.at) for r in done]


@router.post("/{run_id}/proposals/{account_id}/approve", response_model=list[DecisionOut],
             dependencies=[Depends(require(Permission.APPROVE))])
def approve_one(request: Request, run_id: RunId, account_id: str, body: ReasonIn,
                principal: CurrentUser) -> list[DecisionOut]:
    """Approve one proposal (approver; never the run's maker)."""
    return _decide(request, run_id, approvals.APPROVED, body.reason, principal.name,
                   [account_id])


@router.post("/{run_id}/proposals/{account_id}/reject", response_model=list[DecisionOut],
             dependencies=[Depends(require(Permission.APPROVE))])
def reject_one(request: Request, run_id: RunId, account_id: str, body: ReasonIn,
               principal: CurrentUser) -> list[DecisionOut]:
    """Reject one proposal (approver)."""
    return _decide(request, run_id, approvals.REJECTED, body.reason, principal.name,
                   [account_id])


@router.post("/{run_id}/approve", response_model=list[DecisionOut],
             dependencies=[Depends(require(Permission.APPROVE))])
def approve_batch(request: Request, run_id: RunId, body: BatchDecisionIn,
                  principal: CurrentUser) -> list[DecisionOut]:
    """Approve several proposals, or every pending one when ``accounts`` is omitted."""
    return _decide(request, run_id, approvals.APPROVED, body.reason, principal.name,
                   body.accounts)


@router.post("/{run_id}/reject", response_model=list[DecisionOut],
             dependencies=[Depends(require(Permission.APPROVE))])
def reject_batch(request: Request, run_id: RunId, body: BatchDecisionIn,
                 principal: CurrentUser) -> list[DecisionOut]:
    """Reject several proposals, or every pending one when ``accounts`` is omitted."""
    return _decide(request, run_id, approvals.REJECTED, body.reason, principal.name,
                   body.accounts)


@router.post("/{run_id}/execute", response_model=ExecutionOut)
def execute(request: Request, run_id: RunId, body: ReasonIn, principal: CurrentUser
            ) -> ExecutionOut:
    """Execute the run through the simulated broker (trader) once every proposal it would
    send is approved; 409 while approvals are missing or a kill switch is engaged."""
    report = service.execute_run(store_of(request), principal, run_id, body.reason)
    _changed(request)
    return ExecutionOut(run_id=report.run_id, blocks=report.blocks, orders=report.orders,
                        sent=report.sent, fills=report.fills, booked=report.booked,
                        states=report.states, unallocated=report.unallocated)


@router.get("/{run_id}/orders", response_model=list[OrderOut], tags=["orders"])
def list_orders(request: Request, run_id: RunId) -> list[OrderOut]:
    """The run's orders in their latest state."""
    return [OrderOut(client_order_id=o.client_order_id, block_id=o.block_id,
                     instrument_id=o.instrument_id, side=o.side, quantity=o.quantity,
                     order_type=o.order_type, limit_price=o.limit_price,
                     time_in_force=o.time_in_force, state=o.state,
                     filled_quantity=o.filled_quantity, broker=o.broker)
            for o in service.orders(store_of(request), run_id)]


@router.get("/{run_id}/fills", response_model=list[FillOut], tags=["orders"])
def list_fills(request: Request, run_id: RunId) -> list[FillOut]:
    """The fills of the run's orders."""
    return [FillOut(fill_id=f.fill_id, client_order_id=f.client_order_id,
                    instrument_id=f.instrument_id, side=f.side, quantity=f.quantity,
                    price=f.price, commission=f.commission, currency=f.currency, at=f.at)
            for f in service.fills(store_of(request), run_id)]


@router.get("/{run_id}/breaches", response_model=list[ViolationOut], tags=["compliance"])
def list_breaches(request: Request, run_id: RunId,
                  account: Annotated[str | None, Query(max_length=64)] = None
                  ) -> list[ViolationOut]:
    """The violations of the run's latest compliance check (of one account)."""
    return [ViolationOut(account_id=v.account_id, rule_id=v.rule_id, scope=v.scope,
                         kind=v.kind, action=v.action, subject=v.subject,
                         measured=_num(v.measured), limit=_num(v.limit),
                         trades=list(v.trades), explanation=v.explanation)
            for v in service.violations(store_of(request), run_id, account)]
