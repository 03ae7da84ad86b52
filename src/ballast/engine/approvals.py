"""Approvals: a compliance-approved proposal must be approved — automatically, under the
policy's threshold, or by a person who did not propose the run (maker-checker) — before its
run is executed. Every decision is stored and journaled with who and why.

``ensure_approved(store, run_id)`` is the guard before execution: it records the approvals the
policy grants by itself, then raises ApprovalRequired while any proposal that would trade still
waits for a person, or was rejected."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from ballast.audit import Draft
from ballast.compliance.approvals import SYSTEM, Basis, checker_refusal, route
from ballast.config.approvals import ApprovalMode, ApprovalPolicy, parse_approval_policy
from ballast.domain import BallastError, ConfigError, DataError
from ballast.engine.users import acting_user
from ballast.security import Permission, PermissionDenied
from ballast.store import AccountProposal, Store, UnitOfWork
from ballast.store.approvals import ApprovalRecord

__all__ = ["ApprovalPolicy", "ApprovalRequired", "MakerCheckerViolation", "ProposalState",
           "decide", "ensure_approved", "load_policy", "page_proposals",
           "page_states", "proposal_states", "record_proposer", "set_policy"]

POLICY_KEY = "approval_policy"
APPROVED, REJECTED, PENDING = "approved", "rejected", "pending"


class ApprovalRequired(BallastError):
    """A run cannot be executed yet: proposals wait for approval, or were rejected."""

    hint = "An approver runs `ballast approve RUN --user NAME --reason WHY` (or the API)."


class MakerCheckerViolation(PermissionDenied):
    """The user who proposed a run tried to approve it."""

    hint = "Ask another user with the trader (approver) role to approve it."


@dataclass(frozen=True, slots=True)
class ProposalState:
    """Where one account's proposal of a run stands: compliance's verdict (approved, denied,
    unchecked; empty when it has no trades), its trades and their total value, and the
    approval decision (approved, rejected, pending; empty when none is needed)."""

    run_id: int
    account_id: str
    status: str
    compliance: str
    trades: int
    trade_value: Decimal
    route: str
    decision: str
    basis: str
    user: str
    reason: str
    at: datetime | None


def load_policy(store: Store) -> ApprovalPolicy:
    """The stored approval policy; until one is set, ``automatic`` (compliance's approval is
    enough), so a book without users works as before. Set ``maker_checker`` to need a person."""
    with store.transaction() as tx:
        text = tx.setting(POLICY_KEY)
    if text is None:
        return ApprovalPolicy(mode=ApprovalMode.AUTOMATIC)
    return parse_approval_policy(text, "stored policy")


def set_policy(store: Store, text: str, *, actor: str, reason: str) -> ApprovalPolicy:
    """Validate and store a new approval policy (YAML); audited. Needs the compliance role."""
    acting_user(store, actor, Permission.RULES)
    policy = parse_approval_policy(text)
    if not reason.strip():
        raise ConfigError("a reason is required", field="reason")
    with store.transaction() as tx:
        tx.put_setting(POLICY_KEY, policy.to_yaml())
        tx.append_audit([Draft("approval.policy", ("approval_policy",), reason.strip(),
                               policy.model_dump(mode="json"), policy.version, actor=actor)])
    return policy


def record_proposer(store: Store, run_id: int, user: str) -> None:
    """Record ``user`` as the maker of run ``run_id`` (who may not approve it)."""
    with store.transaction() as tx:
        tx.set_run_proposer(run_id, user, datetime.now(UTC))


def _states(tx: UnitOfWork, run_id: int, statuses: dict[str, str], policy: ApprovalPolicy,
            accounts: Sequence[str] | None = None) -> list[ProposalState]:
    """The states of the proposals ``statuses`` names (of ``accounts`` when a subset)."""
    verdicts = tx.compliance_verdicts(run_id, accounts)
    latest = tx.latest_approvals(run_id, accounts)
    values = tx.trade_values(run_id, accounts)
    out = []
    for account, status in statuses.items():
        trades, value = values.get(account, (0, Decimal(0)))
        if not trades:
            verdict = ""
        elif verdicts is None or account not in verdicts:
            verdict = "unchecked"
        else:
            verdict = "approved" if verdicts[account] else "denied"
        how = route(value, policy).value if verdict == "approved" else ""
        done = latest.get(account)
        decision = done.decision if done else (PENDING if verdict == "approved" else "")
        out.append(ProposalState(run_id, account, status, verdict, trades, value, how, decision,
                                 done.basis if done else "", done.user if done else "",
                                 done.reason if done else "", done.at if done else None))
    return out


def _run_exists(tx: UnitOfWork, run_id: int) -> None:
    if run_id not in {r.id for r in tx.rebalance_runs()}:
        raise DataError(f"no rebalance run {run_id}", field="run",
                        hint="`ballast rebalance` makes one; the API lists them at /api/runs.")


def _statuses(tx: UnitOfWork, run_id: int, accounts: Sequence[str] | None) -> dict[str, str]:
    statuses = tx.proposal_statuses(run_id, accounts)
    unknown = [a for a in accounts or () if a not in statuses]
    if unknown:
        raise DataError(f"run {run_id} has no proposal for {', '.join(unknown[:5])}",
                        field="accounts")
    return statuses


def proposal_states(store: Store, run_id: int, accounts: Sequence[str] | None = None
                    ) -> list[ProposalState]:
    """The approval state of run ``run_id``'s proposals (of ``accounts``, or all)."""
    policy = load_policy(store)
    with store.transaction() as tx:
        _run_exists(tx, run_id)
        return _states(tx, run_id, _statuses(tx, run_id, accounts), policy, accounts)


def page_states(store: Store, run_id: int, offset: int, limit: int,
                status: str | None = None) -> tuple[list[ProposalState], int]:
    """One page of run ``run_id``'s proposals with their approval state, and the total."""
    policy = load_policy(store)
    with store.transaction() as tx:
        _run_exists(tx, run_id)
        page, total = tx.proposal_page(run_id, offset, limit, status)
        ids = [p.account_id for p in page]
        states = _states(tx, run_id, {p.account_id: p.status for p in page}, policy, ids)
    return states, total


def page_proposals(store: Store, run_id: int, offset: int, limit: int,
                   status: str | None = None) -> tuple[list[AccountProposal], int]:
    """One page of run ``run_id``'s proposals by account (of one ``status``), and the
    total."""
    with store.transaction() as tx:
        _run_exists(tx, run_id)
        return tx.proposal_page(run_id, offset, limit, status)


def _journal(tx: UnitOfWork, records: Sequence[ApprovalRecord], policy: ApprovalPolicy,
             states: dict[str, ProposalState]) -> None:
    tx.add_approvals(records)
    tx.append_audit([Draft(
        f"approval.{r.decision}", (f"run:{r.run_id}", f"account:{r.account_id}"), r.reason,
        {"basis": r.basis, "trade_value": states[r.account_id].trade_value},
        policy.version, actor=r.user) for r in records])


def decide(store: Store, run_id: int, decision: str, *, user: str, reason: str,
           accounts: Sequence[str] | None = None) -> list[ApprovalRecord]:
    """Approve or reject (``decision``) the proposals of ``accounts`` in run ``run_id`` — or,
    in batch, every proposal still pending. ``user`` needs the approver (trader) role and may
    not approve a run they proposed; a reason is required. Returns the decisions recorded."""
    if decision not in (APPROVED, REJECTED):
        raise ConfigError(f"decision {decision!r} is neither approved nor rejected",
                          field="decision")
    if not reason.strip():
        raise ConfigError("a reason is required to approve or reject", field="reason",
                          hint="Say why in a few words; it is kept in the audit journal.")
    acting_user(store, user, Permission.APPROVE)
    policy = load_policy(store)
    with store.transaction() as tx:
        _run_exists(tx, run_id)
        if decision == APPROVED:
            refusal = checker_refusal(user, tx.run_proposer(run_id))
            if refusal:
                raise MakerCheckerViolation(f"run {run_id}: {refusal}")
        states = {s.account_id: s for s in _states(
            tx, run_id, _statuses(tx, run_id, accounts), policy, accounts)}
        chosen = _chosen(run_id, decision, accounts, states)
        at = datetime.now(UTC)
        records = [ApprovalRecord(run_id, a, decision, Basis.PERSON.value, user, reason.strip(),
                                  at) for a in chosen]
        _journal(tx, records, policy, states)
    return records


def _chosen(run_id: int, decision: str, accounts: Sequence[str] | None,
            states: dict[str, ProposalState]) -> list[str]:
    if accounts is None:
        chosen = [a for a, s in states.items() if s.decision == PENDING]
        if not chosen:
            raise DataError(f"run {run_id} has no proposal pending approval", field="run")
        return chosen
    for a in accounts:
        s = states.get(a)
        if s is None:
            raise DataError(f"run {run_id} has no proposal for {a}", field="accounts")
        if not s.trades:
            raise DataError(f"run {run_id}: {a} proposes no trades; there is nothing to "
                            f"{decision[:-1]}", field="accounts")
        if decision == APPROVED and s.compliance != "approved":
            raise DataError(f"run {run_id}: compliance has {s.compliance} the proposal of "
                            f"{a}; only a compliance-approved proposal can be approved",
                            field="accounts", hint=f"Run `ballast check --run {run_id}`.")
    return list(dict.fromkeys(accounts))


def apply_policy(store: Store, run_id: int) -> list[ApprovalRecord]:
    """Record the approvals the policy grants without a person (automatic mode, or below the
    threshold) for the run's pending proposals; returns them."""
    policy = load_policy(store)
    with store.transaction() as tx:
        states = {s.account_id: s for s in _states(tx, run_id, tx.proposal_statuses(run_id),
                                                    policy)}
        at = datetime.now(UTC)
        records = [ApprovalRecord(run_id, s.account_id, APPROVED, s.route, SYSTEM,
                                  _policy_reason(s, policy), at)
                   for s in states.values()
                   if s.decision == PENDING and s.route != Basis.PERSON.value]
        _journal(tx, records, policy, states)
    return records


def _policy_reason(s: ProposalState, policy: ApprovalPolicy) -> str:
    if s.route == Basis.AUTOMATIC.value:
        return f"automatic approval (policy {policy.version})"
    return (f"trade value {s.trade_value:,.2f} below the auto-approval threshold "
            f"{policy.auto_approve_below:,.2f} (policy {policy.version})")


def ensure_approved(store: Store, run_id: int) -> frozenset[str]:
    """The guard before executing run ``run_id``: record the policy's own approvals, then
    raise ApprovalRequired while a compliance-approved proposal waits for a person; returns
    the accounts whose proposals are approved (a rejected proposal is left out: its account
    does not trade, the others do)."""
    with store.transaction() as tx:
        _run_exists(tx, run_id)
        if tx.compliance_verdicts(run_id, ()) is None:
            raise ApprovalRequired(f"run {run_id} has not been checked by compliance",
                                   hint=f"Run `ballast check --run {run_id}` first.")
    apply_policy(store, run_id)
    states = [s for s in proposal_states(store, run_id) if s.compliance == "approved"]
    waiting = [s.account_id for s in states if s.decision == PENDING]
    if waiting:
        raise ApprovalRequired(f"run {run_id}: {len(waiting)} proposal(s) wait for approval "
                               f"({_some(waiting)})")
    return frozenset(s.account_id for s in states if s.decision != REJECTED)


def _some(accounts: Sequence[str]) -> str:
    return ", ".join(accounts[:5]) + (f" and {len(accounts) - 5} more" if len(accounts) > 5
                                      else "")
