"""Stored reconciliation reports: each run's header (date, sources, tolerances, counts), its
breaks in order, and the adjustments booked against breaks with their reason and user."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select

from ballast.store.models import _aware
from ballast.store.repository import Repository
from ballast.store.schema import (
    reconciliation_adjustments,
    reconciliation_breaks,
    reconciliation_reports,
)


@dataclass(frozen=True, slots=True)
class StoredReport:
    """A reconciliation run: ``status`` is ``clean`` or ``breaks``; ``custodian`` names the
    custodian file compared ('' when none was)."""

    id: int
    as_of: date
    created_at: datetime
    broker: str
    custodian: str
    quantity_tolerance: Decimal
    cash_tolerance: Decimal
    status: str
    accounts: int
    positions: int
    breaks: int


@dataclass(frozen=True, slots=True)
class StoredBreak:
    """One break of a report, numbered from 1 (``seq``); ``source`` is broker or custodian,
    ``item`` the instrument or the currency; ``difference`` is external minus book."""

    report_id: int
    seq: int
    source: str
    account_id: str
    kind: str
    item: str
    book_value: Decimal | None
    external_value: Decimal | None
    difference: Decimal
    explanation: str


@dataclass(frozen=True, slots=True)
class StoredAdjustment:
    """A correcting transaction booked against a break, who booked it, when and why."""

    report_id: int
    break_seq: int
    transaction_id: str
    reason: str
    user: str
    at: datetime


class ReconciliationRepository(Repository):
    """Reconciliation reports, their breaks and adjustments."""

    def add_reconciliation(self, as_of: date, broker: str, custodian: str,
                           tolerances: tuple[Decimal, Decimal], accounts: int, positions: int,
                           breaks: Sequence[tuple[str, str, str, str, Decimal | None,
                                                  Decimal | None, Decimal, str]]) -> int:
        """Store a report and its ``breaks`` (source, account, kind, item, book value,
        external value, difference, explanation), numbered in order; returns its id."""
        t = reconciliation_reports
        report_id = int(self._conn.execute(insert(t).values(
            as_of=as_of, created_at=datetime.now(UTC), broker=broker, custodian=custodian,
            quantity_tolerance=tolerances[0], cash_tolerance=tolerances[1],
            status="breaks" if breaks else "clean", accounts=accounts, positions=positions,
            breaks=len(breaks)).returning(t.c.id)).scalar_one())
        if breaks:
            self._conn.execute(insert(reconciliation_breaks), [
                {"report_id": report_id, "seq": n, "source": source, "account_id": account,
                 "kind": kind, "item": item, "book_value": book, "external_value": external,
                 "difference": difference, "explanation": words}
                for n, (source, account, kind, item, book, external, difference, words)
                in enumerate(breaks, start=1)])
        return report_id

    def reconciliation_reports(self, limit: int | None = None) -> list[StoredReport]:
        """The newest ``limit`` reports (all by default), newest first."""
        t = reconciliation_reports
        query = select(t).order_by(t.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        return [_report(r) for r in self._conn.execute(query)]

    def reconciliation_report(self, report_id: int) -> StoredReport | None:
        """Report ``report_id``, or None when there is none."""
        t = reconciliation_reports
        row = self._conn.execute(select(t).where(t.c.id == report_id)).first()
        return None if row is None else _report(row)

    def reconciliation_breaks(self, report_id: int) -> list[StoredBreak]:
        """The breaks of a report in order."""
        t = reconciliation_breaks
        rows = self._conn.execute(select(t).where(t.c.report_id == report_id)
                                  .order_by(t.c.seq))
        return [StoredBreak(int(r.report_id), int(r.seq), r.source, r.account_id, r.kind,
                            r.item, r.book_value, r.external_value, r.difference,
                            r.explanation) for r in rows]

    def add_reconciliation_adjustment(self, adjustment: StoredAdjustment) -> None:
        """Record the transaction booked against a break (at most one per break)."""
        a = adjustment
        self._conn.execute(insert(reconciliation_adjustments).values(
            report_id=a.report_id, break_seq=a.break_seq, transaction_id=a.transaction_id,
            reason=a.reason, user_name=a.user, at=a.at))

    def reconciliation_adjustments(self, report_id: int) -> list[StoredAdjustment]:
        """The adjustments booked against a report's breaks, by break."""
        t = reconciliation_adjustments
        rows = self._conn.execute(select(t).where(t.c.report_id == report_id)
                                  .order_by(t.c.break_seq))
        return [StoredAdjustment(int(r.report_id), int(r.break_seq), r.transaction_id,
                                 r.reason, r.user_name, _aware(r.at)) for r in rows]


def _report(r: Any) -> StoredReport:
    return StoredReport(int(r.id), r.as_of, _aware(r.created_at), r.broker, r.custodian,
                        r.quantity_tolerance, r.cash_tolerance, r.status, int(r.accounts),
                        int(r.positions), int(r.breaks))


__all__ = ["ReconciliationRepository", "StoredAdjustment", "StoredBreak", "StoredReport"]
