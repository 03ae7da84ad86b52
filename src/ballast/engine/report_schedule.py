"""Monthly and quarterly statement runs: which periods have closed and not been reported yet,
and a run that writes every account's statements for them. Idempotent: each finished run is a
``report.batch`` entry of the audit journal, so running it again (from cron or after a failure)
writes only what is missing."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from ballast.audit import Draft
from ballast.engine.performance import today_or_last_price
from ballast.engine.period import Period
from ballast.engine.statement_batch import BatchItem, Written, write_statements
from ballast.engine.statements import DEFAULT_FIRM, Format
from ballast.store import Store

BATCH_KIND = "report.batch"


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


@dataclass(frozen=True, slots=True)
class ScheduledRun:
    """The statements written for one closed period."""

    period: Period
    written: tuple[Written, ...]


def _bounds(index: int, months: int) -> tuple[date, date]:
    """First and last day of period ``index`` (months since year 0, in steps of ``months``)."""
    first_year, first_month = divmod(index * months, 12)
    last_year, last_month = divmod(index * months + months - 1, 12)
    return (date(first_year, first_month + 1, 1),
            date(last_year, last_month + 1,
                 calendar.monthrange(last_year, last_month + 1)[1]))


def last_closed(frequency: Frequency, as_of: date) -> Period:
    """The latest month or quarter that ended on or before ``as_of``."""
    months = 1 if frequency is Frequency.MONTHLY else 3
    index = (as_of.year * 12 + as_of.month - 1) // months
    start, end = _bounds(index, months)
    if as_of < end:
        start, end = _bounds(index - 1, months)
    label = (f"{start.year}-{start.month:02d}" if frequency is Frequency.MONTHLY
             else f"{start.year}Q{(start.month - 1) // 3 + 1}")
    return Period(start, end, label)


def due_periods(store: Store, frequency: Frequency, as_of: date | None = None) -> list[Period]:
    """The latest closed period as of ``as_of`` (default: the latest price date) unless a
    finished run already reported it."""
    day = as_of or today_or_last_price(store)
    latest = last_closed(frequency, day)
    with store.transaction() as tx:
        done = {str(e.payload.get("period")) for e in tx.audit_entries(
            subject=f"schedule:{frequency.value}") if e.kind == BATCH_KIND}
    return [] if latest.label in done else [latest]


def run_due(store: Store, frequency: Frequency, out: Path, *, as_of: date | None = None,
            firm: str = DEFAULT_FIRM, fmt: Format = Format.BOTH,
            workers: int | None = None) -> list[ScheduledRun]:
    """Write every account's statements for each due period into ``out``/``<period>`` and
    record the run; returns what was written (nothing when nothing is due)."""
    runs: list[ScheduledRun] = []
    for period in due_periods(store, frequency, as_of):
        with store.transaction() as tx:
            items = [BatchItem(account=a) for a in sorted(tx.accounts())]
        written = write_statements(store.url, period, items, out / period.label, fmt=fmt,
                                   firm=firm, workers=workers)
        with store.transaction() as tx:
            tx.append_audit([Draft(
                BATCH_KIND, (f"schedule:{frequency.value}", f"period:{period.label}"),
                f"{frequency.value} statements for {period.label}: {len(written)} accounts",
                {"period": period.label, "accounts": len(written),
                 "folder": str(out / period.label)})])
        runs.append(ScheduledRun(period, tuple(written)))
    return runs
