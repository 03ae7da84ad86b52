"""The audit journal in the store, on both backends: appends chain across transactions, a
rolled-back transaction leaves no entry, concurrent appends never fork the chain, reads
filter by subject, and 0009 downgrades."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect

from ballast.audit import GENESIS, Draft, verify
from ballast.store import Store

from .migrate import alembic

AT = datetime(2026, 11, 22, 2, 30, 0, 123456, tzinfo=UTC)


def draft(k: int, *subject: str) -> Draft:
    return Draft("rebalance.proposed", subject or (f"account:A{k}",), f"reason {k}",
                 {"k": k, "note": "naïve [100%_]"}, "pv", "snap", actor="ops")


def test_appends_chain_and_read_back_exactly(store: Store) -> None:
    with store.transaction() as tx:
        first = tx.append_audit([draft(1, "run:1", "account:A1"), draft(2, "run:1")], AT)
        assert tx.append_audit([]) == []
    with store.transaction() as tx:
        [third] = tx.append_audit([draft(3, "run:10", "account:A1")])
    assert first[0].prev_hash == GENESIS and third.prev_hash == first[1].hash
    with store.transaction() as tx:
        entries = tx.audit_entries()
        assert entries == [*first, third] and verify(entries) == []
        assert entries[0].at == AT and entries[0].payload["note"] == "naïve [100%_]"
        assert [e.seq for e in tx.audit_entries(subject="run:1")] == [1, 2]
        assert [e.seq for e in tx.audit_entries(subject="account:A1")] == [1, 3]
        assert tx.audit_entries(subject="100%") == []
        assert [e.seq for e in tx.audit_entries(since=2)] == [2, 3]
        assert [e.seq for e in tx.audit_entries(limit=2)] == [2, 3]


def test_a_rolled_back_transaction_leaves_no_entry(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.append_audit([draft(1)])
        raise RuntimeError("the action failed")
    with store.transaction() as tx:
        assert tx.audit_entries() == []


def test_concurrent_appends_never_fork_the_chain(store: Store) -> None:
    def writer(w: int) -> None:
        for k in range(5):
            with store.transaction() as tx:
                tx.append_audit([draft(10 * w + k)])

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with store.transaction() as tx:
        entries = tx.audit_entries()
    assert [e.seq for e in entries] == list(range(1, 21)) and verify(entries) == []


def test_0009_downgrades(store: Store) -> None:
    alembic(store, "downgrade", "0008")
    assert "audit_journal" not in set(inspect(store.engine).get_table_names())
