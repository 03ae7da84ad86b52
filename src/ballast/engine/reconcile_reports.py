"""Stored reconciliation reports, and adjustments booked against their breaks: only with a
reason, as a correcting transaction through the ledger's booking path, journaled with who
booked it and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from ballast.audit import Draft
from ballast.data.custodian import read_custodian
from ballast.domain import DataError, InstrumentId, LedgerError, Transaction
from ballast.engine.booking import book_new
from ballast.engine.reconcile import ReconciliationReport, reconcile_with
from ballast.execution.reconcile import (
    POSITION_KINDS,
    AdjustmentRefused,
    Break,
    BreakKind,
    Source,
    Tolerances,
    correcting_transaction,
)
from ballast.store import Store, UnitOfWork
from ballast.store.reconciliation import StoredAdjustment, StoredBreak, StoredReport

__all__ = ["AdjustmentRefused", "StoredReconciliation", "StoredReport", "adjust",
           "reconcile_and_store", "save_report", "stored_report", "stored_reports"]


@dataclass(frozen=True, slots=True)
class StoredReconciliation:
    """A stored report with its breaks and the adjustments booked against them."""

    report: StoredReport
    breaks: list[StoredBreak]
    adjustments: list[StoredAdjustment]


def reconcile_and_store(store: Store, broker: str, as_of: date | None = None, *,
                        custodian: Path | None = None, custodian_name: str | None = None,
                        broker_state: Path | None = None, fix_config: Path | None = None,
                        quantity_tolerance: Decimal | None = None,
                        cash_tolerance: Decimal | None = None
                        ) -> tuple[int, ReconciliationReport]:
    """Reconcile (see ``reconcile_with``) with the custodian position file ``custodian``, if
    given, and store the report; returns its id and the report. Tolerances default to those
    of ``Tolerances``."""
    default = Tolerances()
    tolerances = Tolerances(
        default.quantity if quantity_tolerance is None else quantity_tolerance,
        default.cash if cash_tolerance is None else cash_tolerance)
    statement = None if custodian is None else read_custodian(custodian)
    report = reconcile_with(store, broker, as_of, custodian=statement,
                            custodian_name=custodian_name, broker_state=broker_state,
                            tolerances=tolerances, fix_config=fix_config)
    return save_report(store, report), report


def save_report(store: Store, report: ReconciliationReport) -> int:
    """Store ``report`` with its breaks and journal it; returns its id."""
    tol = report.tolerances
    with store.transaction() as tx:
        report_id = tx.add_reconciliation(
            report.as_of, report.broker, report.custodian, (tol.quantity, tol.cash),
            report.accounts, report.positions,
            [(b.source.value, b.account, b.kind.value, b.item, b.book, b.broker, b.difference,
              b.words) for b in report.breaks])
        accounts = sorted({b.account for b in report.breaks if b.source is Source.CUSTODIAN})
        against = report.broker + (f" and {report.custodian}" if report.custodian else "")
        tx.append_audit([Draft(
            "reconciliation.report",
            (f"reconciliation:{report_id}", *(f"account:{a}" for a in accounts)),
            f"reconciled the book with {against} as of {report.as_of}: "
            f"{len(report.breaks)} breaks",
            {"as_of": report.as_of.isoformat(), "broker": report.broker,
             "custodian": report.custodian, "breaks": len(report.breaks),
             "quantity_tolerance": tol.quantity, "cash_tolerance": tol.cash})])
    return report_id


def stored_reports(store: Store, limit: int | None = 20) -> list[StoredReport]:
    """The newest ``limit`` stored reports, newest first."""
    with store.transaction() as tx:
        return tx.reconciliation_reports(limit)


def stored_report(store: Store, report_id: int) -> StoredReconciliation:
    """Report ``report_id`` with its breaks and adjustments."""
    with store.transaction() as tx:
        return StoredReconciliation(_report(tx, report_id), tx.reconciliation_breaks(report_id),
                                    tx.reconciliation_adjustments(report_id))


def adjust(store: Store, report_id: int, break_seq: int, *, reason: str, user: str,
           price: Decimal | None = None, at: datetime | None = None) -> Transaction:
    """Book the transaction that settles break ``break_seq`` of report ``report_id`` (see
    ``correcting_transaction``; units carried in cost ``price`` each, by default the close
    on the report's date), record it against the break and journal it with ``reason`` and
    ``user``, all in one database transaction. Refused without a reason, for a break already
    adjusted, and for breaks no client account can settle."""
    if not reason.strip():
        raise AdjustmentRefused("an adjustment needs a reason", hint=(
            'Say why with --reason "..."; it is written to the audit journal. Nothing was '
            "booked."))
    with store.transaction() as tx:
        report = _report(tx, report_id)
        found = {b.seq: b for b in tx.reconciliation_breaks(report_id)}.get(break_seq)
        if found is None:
            raise DataError(f"reconciliation {report_id} has no break {break_seq}",
                            hint=f"`ballast reconcile --show {report_id}` lists its breaks.")
        done = [a for a in tx.reconciliation_adjustments(report_id)
                if a.break_seq == break_seq]
        if done:
            raise AdjustmentRefused(
                f"break {break_seq} of reconciliation {report_id} was adjusted already by "
                f"transaction {done[0].transaction_id} ({done[0].user}: {done[0].reason})")
        b = _break(found)
        _check_known(tx, b)
        if price is None and b.kind in POSITION_KINDS and b.difference > 0:
            bars = tx.closes_as_of(report.as_of, [InstrumentId(b.item)])
            price = bars[0].close if bars else None
        txn = correcting_transaction(
            b, f"REC{report_id}-{break_seq}", report.as_of, price=price,
            memo=f"reconciliation {report_id} break {break_seq}: {reason}")
        source = f"reconciliation {report_id}"
        _, errors = book_new(tx, source, {id(txn): 1}, transactions=[txn])
        if errors:
            raise LedgerError(f"{source}: the ledger refused the adjustment: "
                              + "; ".join(e.reason for e in errors),
                              hint="Nothing was booked; correct the holdings first.")
        moment = at or datetime.now(UTC)
        tx.add_reconciliation_adjustment(StoredAdjustment(
            report_id, break_seq, str(txn.id), reason, user, moment))
        tx.append_audit([Draft(
            "reconciliation.adjusted",
            (f"reconciliation:{report_id}", f"account:{b.account}",
             *((f"instrument:{b.item}",) if txn.instrument_id else ()),
             f"transaction:{txn.id}"),
            reason,
            {"break": break_seq, "kind": b.kind.value, "item": b.item, "book": b.book,
             "custodian": b.broker, "difference": b.difference, "transaction": str(txn.id),
             "transaction_kind": txn.kind.value, "quantity": txn.quantity,
             "amount": txn.amount, "price": price},
            actor=user)], moment)
    return txn


def _report(tx: UnitOfWork, report_id: int) -> StoredReport:
    report = tx.reconciliation_report(report_id)
    if report is None:
        raise DataError(f"there is no reconciliation report {report_id}",
                        hint="`ballast reconcile --list` lists the stored reports.")
    return report


def _break(b: StoredBreak) -> Break:
    return Break(BreakKind(b.kind), b.account_id, b.item, b.book_value, b.external_value,
                 b.difference, b.explanation, Source(b.source))


def _check_known(tx: UnitOfWork, b: Break) -> None:
    """Refuse a break of an account or instrument the book does not know."""
    if b.source is not Source.CUSTODIAN:
        return  # correcting_transaction words the refusal
    if b.account not in tx.accounts():
        raise AdjustmentRefused(f"account {b.account} is not in the book",
                                hint="Import the account first, then reconcile again.")
    if b.kind in POSITION_KINDS and InstrumentId(b.item) not in tx.instruments():
        raise AdjustmentRefused(f"instrument {b.item} is not in the book",
                                hint="Import the instrument first, then reconcile again.")
