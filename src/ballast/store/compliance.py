"""Compliance: rule-set versions, and the checks of rebalance runs with every decision and
violation, so a denial can be explained later with the exact rules it was made under."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select

from ballast.store.models import _aware, add_version
from ballast.store.repository import Repository
from ballast.store.schema import (
    check_decisions,
    check_violations,
    compliance_checks,
    rule_set_versions,
)


@dataclass(frozen=True, slots=True)
class StoredViolation:
    """One violation as stored; ``trades`` are the ``seq`` of the account's proposed trades."""

    account_id: str
    rule_id: str
    scope: str
    kind: str
    action: str
    subject: str
    measured: float
    limit: float
    trades: tuple[int, ...]
    explanation: str


@dataclass(frozen=True, slots=True)
class StoredDecision:
    """One proposal's decision; ``fixes`` is JSON (the trades changed, with why)."""

    account_id: str
    approved: bool
    fixes: str


@dataclass(frozen=True, slots=True)
class StoredCheck:
    """A check of a run: when, against which rule sets (``name:version``), and its counts."""

    id: int
    run_id: int
    checked_at: datetime
    rule_sets: tuple[str, ...]
    approved: int
    denied: int


class ComplianceRepository(Repository):
    """Rule-set versions and compliance checks."""

    def add_rule_set_version(self, name: str, version: str, text: str) -> bool:
        """Store a version of rule set ``name``; it becomes the latest. False when that version
        was stored already (it becomes the latest again)."""
        return add_version(self._conn, rule_set_versions, name, version, text)

    def latest_rule_sets(self) -> dict[str, str]:
        """The YAML text of the latest version of each rule set, by name."""
        t = rule_set_versions
        latest: dict[str, str] = {}
        for r in self._conn.execute(select(t).order_by(t.c.loaded_at.desc())):
            latest.setdefault(r.name, r.yaml)
        return dict(sorted(latest.items()))

    def add_check(self, run_id: int, rule_sets: Sequence[str],
                  decisions: Sequence[StoredDecision],
                  violations: Sequence[StoredViolation]) -> int:
        """Store a check of run ``run_id`` with its decisions and violations; returns its id."""
        approved = sum(1 for d in decisions if d.approved)
        check_id = int(self._conn.execute(insert(compliance_checks).values(
            run_id=run_id, checked_at=datetime.now(UTC), rule_sets=",".join(rule_sets),
            approved=approved, denied=len(decisions) - approved,
        ).returning(compliance_checks.c.id)).scalar_one())
        self._write(check_decisions, ("check_id", "account_id", "approved", "fixes"),
                    ((check_id, d.account_id, d.approved, d.fixes) for d in decisions))
        seq: dict[str, int] = {}
        rows = []
        for v in violations:
            seq[v.account_id] = seq.get(v.account_id, 0) + 1
            rows.append((check_id, v.account_id, seq[v.account_id], v.rule_id, v.scope, v.kind,
                         v.action, v.subject, repr(v.measured), repr(v.limit),
                         ";".join(map(str, v.trades)), v.explanation))
        self._write(check_violations, (
            "check_id", "account_id", "seq", "rule_id", "scope", "kind", "action", "subject",
            "measured", "rule_limit", "trades", "explanation"), rows)
        return check_id

    def checks(self, run_id: int | None = None) -> list[StoredCheck]:
        """Stored checks (of one run, or all), newest first."""
        t = compliance_checks
        query = select(t).order_by(t.c.id.desc())
        if run_id is not None:
            query = query.where(t.c.run_id == run_id)
        return [StoredCheck(r.id, r.run_id, _aware(r.checked_at),
                            tuple(r.rule_sets.split(",")) if r.rule_sets else (),
                            r.approved, r.denied) for r in self._conn.execute(query)]

    def check_decisions(self, check_id: int) -> list[StoredDecision]:
        """The decisions of a check, by account."""
        t = check_decisions
        query = select(t).where(t.c.check_id == check_id).order_by(t.c.account_id)
        return [StoredDecision(r.account_id, bool(r.approved), r.fixes)
                for r in self._conn.execute(query)]

    def check_violations(self, check_id: int) -> list[StoredViolation]:
        """The violations of a check, by account in the order found."""
        t = check_violations
        query = select(t).where(t.c.check_id == check_id).order_by(t.c.account_id, t.c.seq)
        return [StoredViolation(r.account_id, r.rule_id, r.scope, r.kind, r.action, r.subject,
                                float(r.measured), float(r.rule_limit),
                                tuple(int(s) for s in r.trades.split(";") if s),
                                r.explanation) for r in self._conn.execute(query)]


__all__ = ["ComplianceRepository", "StoredCheck", "StoredDecision", "StoredViolation"]
