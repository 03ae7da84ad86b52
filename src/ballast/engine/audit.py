"""The audit use cases: verify the journal, list it, and explain a decision from it."""

from __future__ import annotations

from dataclasses import dataclass

from ballast.audit import Break, Entry, explain, parse_target, verify
from ballast.store import Store

__all__ = ["Entry", "Verification", "explain_decision", "journal", "verify_journal"]


@dataclass(frozen=True, slots=True)
class Verification:
    """What ``verify`` found: how many entries, the newest hash, and every break."""

    entries: int
    head: str
    breaks: list[Break]

    @property
    def intact(self) -> bool:
        return not self.breaks


def verify_journal(store: Store) -> Verification:
    """Check every entry's hash, link and sequence."""
    with store.transaction() as tx:
        entries = tx.audit_entries()
    return Verification(len(entries), entries[-1].hash if entries else "", verify(entries))


def journal(store: Store, subject: str | None = None, limit: int | None = None) -> list[Entry]:
    """The newest ``limit`` entries (of one subject token, or all), oldest first."""
    with store.transaction() as tx:
        return tx.audit_entries(subject=subject, limit=limit)


def explain_decision(store: Store, target: str) -> list[Entry]:
    """The decisions behind ``target`` (``trade:RUN:ACCOUNT:SEQ``, ``order:ID``,
    ``account:ID`` or ``run:ID``), oldest first."""
    parsed = parse_target(target)
    with store.transaction() as tx:
        return explain(tx.audit_entries(), parsed)
