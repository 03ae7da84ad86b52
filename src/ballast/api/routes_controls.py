"""Compliance and controls: the kill switch (status, engage, disengage — compliance only, with a
reason), the approval policy, risk and performance."""

from __future__ import annotations

import math
from dataclasses import asdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from ballast.api.auth import CurrentUser, require, store_of
from ballast.api.convert import switch_out
from ballast.api.routes_book import run_of
from ballast.api.schemas import (
    KillSwitchChange,
    KillSwitchIn,
    PerformanceOut,
    PolicyIn,
    PolicyOut,
)
from ballast.engine import approvals, kill_switch, service
from ballast.engine.users import Permission

router = APIRouter(prefix="/api", tags=["compliance"],
                   dependencies=[Depends(require(Permission.READ))])
Ident = Annotated[str | None, Query(min_length=1, max_length=64)]


def _change(request: Request, scope: str, changed: bool) -> KillSwitchChange:
    run_of(request).refresh()
    return KillSwitchChange(scope=scope, changed=changed, engaged=[
        switch_out(k) for k in kill_switch.status(store_of(request))])


@router.get("/kill-switch", response_model=KillSwitchChange)
def kill_switch_status(request: Request) -> KillSwitchChange:
    """The kill switches engaged now (``changed`` is always false here)."""
    return KillSwitchChange(scope="", changed=False, engaged=[
        switch_out(k) for k in kill_switch.status(store_of(request))])


@router.post("/kill-switch/engage", response_model=KillSwitchChange,
             dependencies=[Depends(require(Permission.ENGAGE_KILL_SWITCH))])
def engage(request: Request, body: KillSwitchIn, principal: CurrentUser) -> KillSwitchChange:
    """Engage the global switch, or a broker's or an account's: no order leaves."""
    scope = service.scope_of(body.account, body.broker)
    changed = kill_switch.engage(store_of(request), reason=body.reason, user=principal.name,
                                 account=body.account, broker=body.broker)
    return _change(request, scope, changed)


@router.post("/kill-switch/disengage", response_model=KillSwitchChange,
             dependencies=[Depends(require(Permission.DISENGAGE_KILL_SWITCH))])
def disengage(request: Request, body: KillSwitchIn, principal: CurrentUser
              ) -> KillSwitchChange:
    """Disengage a switch (compliance role and a reason required)."""
    scope = service.scope_of(body.account, body.broker)
    changed = kill_switch.disengage(store_of(request), reason=body.reason,
                                    user=principal.name, account=body.account,
                                    broker=body.broker)
    return _change(request, scope, changed)


def _policy_out(policy: approvals.ApprovalPolicy) -> PolicyOut:
    return PolicyOut(version=policy.version, mode=policy.mode.value,
                     auto_approve_below=policy.auto_approve_below, yaml=policy.to_yaml())


@router.get("/approval-policy", response_model=PolicyOut)
def get_policy(request: Request) -> PolicyOut:
    """The approval policy in force."""
    return _policy_out(approvals.load_policy(store_of(request)))


@router.put("/approval-policy", response_model=PolicyOut,
            dependencies=[Depends(require(Permission.RULES))])
def put_policy(request: Request, body: PolicyIn, principal: CurrentUser) -> PolicyOut:
    """Store a new approval policy (compliance)."""
    policy = approvals.set_policy(store_of(request), body.yaml, actor=principal.name,
                                  reason=body.reason)
    run_of(request).refresh()
    return _policy_out(policy)


@router.get("/risk", response_model=service.RiskReport, tags=["analytics"])
def get_risk(request: Request, account: Ident = None, household: Ident = None,
             model: Ident = None, as_of: date | None = None,
             lookback_days: Annotated[int, Query(ge=20, le=5000)] = 756
             ) -> service.RiskReport:
    """Risk of one account, household or model: volatility, beta, tracking error, VaR and
    CVaR, drawdown, stress scenarios."""
    return service.risk(store_of(request), account=account, household=household, model=model,
                        as_of=as_of, lookback_days=lookback_days)


@router.get("/performance", response_model=PerformanceOut, tags=["analytics"])
def get_performance(request: Request,
                    scope: Annotated[str, Query(pattern="^(account|household|model|firm)$")],
                    period: Annotated[str, Query(min_length=4, max_length=40)],
                    ident: Annotated[str, Query(max_length=64)] = "",
                    benchmark: Ident = None) -> PerformanceOut:
    """Returns (time-weighted gross and net, Modified Dietz, money-weighted, benchmark and
    excess) and notes of a scope (``ident`` names the account, household or model) over a
    period (``2020Q1``, ``2020-03``, ``2020``, ``YTD``…)."""
    r = service.performance(store_of(request), scope, ident, period, benchmark)
    returns = {k: v if v is None or math.isfinite(v) else None
               for k, v in asdict(r.returns).items()}
    return PerformanceOut(scope=r.scope, period=r.period, start=r.start, end=r.end,
                          currency=r.currency, benchmark=r.benchmark,
                          start_value=r.start_value, end_value=r.end_value, inflows=r.inflows,
                          outflows=r.outflows, fees=r.fees, returns=returns,
                          notes=list(r.notes))
