"""The audit journal's decisions about a statement's accounts in its period, handed to the
reporting narrative as plain events (each dated by its business day, not its write time)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ballast.audit import Entry
from ballast.reporting.narrative import JournalEvent
from ballast.store import UnitOfWork

NARRATED = ("rebalance.proposed", "compliance.", "order.submitted", "fill.booked",
            "kill_switch.")


def journal_events(tx: UnitOfWork, account_ids: Sequence[str], start: date, end: date
                   ) -> list[JournalEvent]:
    """Entries naming any of ``account_ids``, and firm-wide kill-switch changes, whose day
    falls in ``[start, end]``; each entry once, in journal order."""
    run_day = {f"run:{r.id}": r.as_of for r in tx.rebalance_runs()}
    seen: dict[int, Entry] = {}
    for ident in (*(f"account:{a}" for a in account_ids), "kill_switch:global"):
        for e in tx.audit_entries(subject=ident):
            seen[e.seq] = e
    events = []
    for seq in sorted(seen):
        e = seen[seq]
        if not e.kind.startswith(NARRATED):
            continue
        run = next((t for t in e.subject if t.startswith("run:")), "")
        when = _day(e, run_day.get(run))
        if start <= when <= end:
            payload = dict(e.payload)
            instrument = next((t.partition(":")[2] for t in e.subject
                               if t.startswith("instrument:")), "")
            payload.setdefault("instrument", instrument)
            events.append(JournalEvent(when, e.kind, run, e.rationale, payload, e.actor))
    return events


def _day(e: Entry, run_as_of: date | None) -> date:
    """A fill's trade date, else its run's as-of date, else the day it was written."""
    booked = e.payload.get("date")
    if e.kind == "fill.booked" and isinstance(booked, str):
        return date.fromisoformat(booked)
    return run_as_of or e.at.date()
