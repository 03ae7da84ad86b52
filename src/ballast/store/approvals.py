"""Approvals of proposals (one row per decision, the latest per account counts) and who
proposed each run (the maker, who may not approve it)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select

from ballast.store.models import _aware
from ballast.store.proposals import AccountProposal, ProposedTrade
from ballast.store.repository import IN_CHUNK, Repository, chunks
from ballast.store.schema import (
    approvals,
    check_decisions,
    compliance_checks,
    proposals,
    proposed_trades,
    run_proposers,
)


@dataclass(frozen=True, slots=True)
class ApprovalRecord:
    """One decision on the proposal of ``account_id`` in run ``run_id``: ``decision``
    approved | rejected, ``basis`` automatic | threshold | person."""

    run_id: int
    account_id: str
    decision: str
    basis: str
    user: str
    reason: str
    at: datetime


def _record(r: Any) -> ApprovalRecord:
    return ApprovalRecord(int(r.run_id), r.account_id, r.decision, r.basis, r.user_name,
                          r.reason, _aware(r.at))


class ApprovalRepository(Repository):
    """Approval decisions and run makers."""

    def set_run_proposer(self, run_id: int, user: str, at: datetime) -> None:
        """Record ``user`` as the maker of run ``run_id``."""
        self._conn.execute(insert(run_proposers).values(run_id=run_id, user_name=user, at=at))

    def run_proposer(self, run_id: int) -> str | None:
        """The maker of run ``run_id``, or None when the system made it."""
        return self._conn.scalar(select(run_proposers.c.user_name)
                                 .where(run_proposers.c.run_id == run_id))

    def add_approvals(self, records: Sequence[ApprovalRecord]) -> None:
        """Append decisions."""
        if records:
            self._conn.execute(insert(approvals), [
                {"run_id": r.run_id, "account_id": r.account_id, "decision": r.decision,
                 "basis": r.basis, "user_name": r.user, "reason": r.reason, "at": r.at}
                for r in records])

    def approval_history(self, run_id: int, accounts: Iterable[str] | None = None
                         ) -> list[ApprovalRecord]:
        """Every decision on run ``run_id`` (on ``accounts``' proposals, or all), oldest
        first."""
        t = approvals
        query = select(t).where(t.c.run_id == run_id).order_by(t.c.id)
        rows = self._by_keys(query, t.c.account_id, accounts)
        return sorted((_record(r) for r in rows), key=lambda r: r.at)

    def latest_approvals(self, run_id: int, accounts: Iterable[str] | None = None
                         ) -> dict[str, ApprovalRecord]:
        """The latest decision per account of run ``run_id`` (of ``accounts``, or all)."""
        return {r.account_id: r for r in self.approval_history(run_id, accounts)}

    def proposal_statuses(self, run_id: int, accounts: Iterable[str] | None = None
                          ) -> dict[str, str]:
        """The status (trade, no_action, skipped) of run ``run_id``'s proposals (of
        ``accounts``, or all), by account."""
        t = proposals
        query = select(t.c.account_id, t.c.status).where(t.c.run_id == run_id)
        return dict(sorted((a, s) for a, s in self._by_keys(query, t.c.account_id, accounts)))

    def compliance_verdicts(self, run_id: int, accounts: Iterable[str] | None = None
                            ) -> dict[str, bool] | None:
        """Per account (of ``accounts``, or all), whether the latest compliance check of run
        ``run_id`` approved its proposal; None when the run was never checked."""
        latest = self._conn.scalar(select(func.max(compliance_checks.c.id))
                                   .where(compliance_checks.c.run_id == run_id))
        if latest is None:
            return None
        d = check_decisions
        query = select(d.c.account_id, d.c.approved).where(d.c.check_id == latest)
        return {a: bool(ok) for a, ok in self._by_keys(query, d.c.account_id, accounts)}

    def approval_counts(self, run_id: int) -> dict[str, int]:
        """How many accounts' latest decision is approved and rejected."""
        t = approvals
        latest = (select(t.c.account_id, func.max(t.c.id).label("id"))
                  .where(t.c.run_id == run_id).group_by(t.c.account_id).subquery())
        rows = self._conn.execute(select(t.c.decision, func.count()).join(
            latest, latest.c.id == t.c.id).group_by(t.c.decision))
        return {d: int(n) for d, n in rows}

    def trade_values(self, run_id: int, accounts: Iterable[str] | None = None
                     ) -> dict[str, tuple[int, Decimal]]:
        """Per account of run ``run_id`` (of ``accounts``, or all): how many trades it
        proposes and their total absolute value in the account's base currency."""
        t = proposed_trades
        query = select(t.c.account_id, t.c.est_value).where(t.c.run_id == run_id)
        rows: list[Any] = []
        if accounts is None:
            rows = list(self._conn.execute(query))
        else:
            for chunk in chunks(accounts, IN_CHUNK):
                rows.extend(self._conn.execute(query.where(t.c.account_id.in_(chunk))))
        out: dict[str, tuple[int, Decimal]] = {}
        for account_id, value in rows:
            n, total = out.get(account_id, (0, Decimal(0)))
            out[account_id] = (n + 1, total + abs(value))
        return out

    def proposal_page(self, run_id: int, offset: int, limit: int, status: str | None = None
                      ) -> tuple[list[AccountProposal], int]:
        """One page of run ``run_id``'s proposals by account (of one ``status``), and how
        many there are in all."""
        t = proposals
        where = [t.c.run_id == run_id] + ([t.c.status == status] if status else [])
        total = int(self._conn.scalar(select(func.count()).select_from(t).where(*where)) or 0)
        rows = self._conn.execute(select(t).where(*where).order_by(t.c.account_id)
                                  .offset(offset).limit(limit))
        return [AccountProposal(r.account_id, r.status, r.model, r.model_version, r.reasons,
                                r.value, r.cash_before, r.cash_after, r.drift_before,
                                r.drift_after, r.est_short_term_gain, r.est_long_term_gain)
                for r in rows], total

    def account_proposal(self, account_id: str, run_id: int | None = None
                         ) -> tuple[int, AccountProposal, list[ProposedTrade]] | None:
        """The proposal of ``account_id`` in run ``run_id`` (default: the latest run that has
        one) with its trades, or None."""
        t, tt = proposals, proposed_trades
        query = select(t).where(t.c.account_id == account_id)
        if run_id is not None:
            query = query.where(t.c.run_id == run_id)
        r = self._conn.execute(query.order_by(t.c.run_id.desc()).limit(1)).first()
        if r is None:
            return None
        proposal = AccountProposal(r.account_id, r.status, r.model, r.model_version, r.reasons,
                                   r.value, r.cash_before, r.cash_after, r.drift_before,
                                   r.drift_after, r.est_short_term_gain, r.est_long_term_gain)
        trades = [ProposedTrade(x.account_id, x.instrument_id, x.side, x.quantity, x.est_price,
                                x.est_value, x.est_cost, x.sleeve, x.lots,
                                x.est_short_term_gain, x.est_long_term_gain, x.rationale,
                                x.currency, x.est_local_price, x.est_local_value)
                  for x in self._conn.execute(select(tt).where(
                      tt.c.run_id == r.run_id, tt.c.account_id == account_id)
                      .order_by(tt.c.seq))]
        return int(r.run_id), proposal, trades


__all__ = ["ApprovalRecord", "ApprovalRepository"]
