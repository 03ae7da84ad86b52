"""Statements for many accounts or households at once: their performance measured together
from one replay of the book (``measure_many``), then each statement gathered and rendered in
worker processes (each opens its own connection to the store)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ballast.analytics.performance_report import PerformanceReport
from ballast.domain import DataError
from ballast.engine.nav import Scope, ScopeKind
from ballast.engine.performance_batch import measure_many
from ballast.engine.period import NoPerformanceData, Period
from ballast.engine.statements import Format, build_statement, write_statement
from ballast.engine.workspace import open_store


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One statement to write: for ``account`` or ``household``."""

    account: str | None = None
    household: str | None = None


@dataclass(frozen=True, slots=True)
class Written:
    """The files of one statement and its notices (e.g. that it had nothing to report)."""

    item: BatchItem
    files: tuple[Path, ...]
    notices: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Job:
    url: str
    period: Period
    item: BatchItem
    measured: PerformanceReport | NoPerformanceData
    out: Path
    fmt: Format
    firm: str
    generated: date | None


def write_statements(url: str, period: Period, items: Sequence[BatchItem], out: Path, *,
                     fmt: Format = Format.BOTH, firm: str, generated: date | None = None,
                     workers: int | None = None) -> list[Written]:
    """Write the statement of each item into ``out``, in item order, with ``workers``
    processes (default: the CPUs, at most one per item)."""
    store = open_store(url, create=False)
    try:
        measured = measure_many(store, [_scope(item) for item in items], period)
    finally:
        store.close()
    jobs = [_Job(url, period, item, report, out, fmt, firm, generated)
            for item, (_, report) in zip(items, measured, strict=True)]
    n = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    if n == 1:
        return [_run(job) for job in jobs]
    with ProcessPoolExecutor(max_workers=n) as pool:
        return list(pool.map(_run, jobs, chunksize=max(1, len(jobs) // (4 * n))))


def _run(job: _Job) -> Written:
    store = open_store(job.url, create=False)
    try:
        statement = build_statement(store, job.period, account=job.item.account,
                                    household=job.item.household, firm=job.firm,
                                    generated=job.generated, measured=job.measured)
    finally:
        store.close()
    files = write_statement(statement, job.out, job.fmt)
    return Written(job.item, tuple(files), statement.notices)


def _scope(item: BatchItem) -> Scope:
    if (item.account is None) == (item.household is None):
        raise DataError("a statement is for either an account or a household", field="account",
                        hint="Name one of them per statement.")
    return (Scope(ScopeKind.ACCOUNT, item.account) if item.account is not None
            else Scope(ScopeKind.HOUSEHOLD, str(item.household)))
