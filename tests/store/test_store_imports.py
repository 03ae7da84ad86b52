"""Import records, quarantined rows and settings round-trip on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ballast.store import QuarantinedRow, Store

SHA = "0f" * 32


def test_imports_are_recorded_and_found_by_kind_and_hash(store: Store) -> None:
    before = datetime.now(UTC)
    with store.transaction() as tx:
        assert tx.find_import("prices", SHA) is None
        first = tx.record_import("prices", "p.csv", SHA, 10)
        tx.finish_import(first, written=8, quarantined=2)
        second = tx.record_import("prices", "p-again.csv", SHA, 10)
        other = tx.record_import("transactions", "t.csv", SHA, 1, written_rows=1,
                                 status="ok")
    assert first < second < other
    with store.transaction() as tx:
        found = tx.find_import("prices", SHA)
        assert tx.find_import("prices", "ee" * 32) is None
        assert [r.id for r in tx.imports()] == [first, second, other]
        partial = tx.imports()[0]
    assert found is not None
    assert (found.id, found.file_name, found.status, found.written_rows) == (
        second, "p-again.csv", "ok", 0)
    assert (partial.kind, partial.row_count, partial.written_rows, partial.quarantined_rows,
            partial.status, partial.sha256) == ("prices", 10, 8, 2, "partial", SHA)
    assert before - timedelta(seconds=1) <= found.created_at <= datetime.now(UTC)


def test_quarantined_rows_are_kept_per_import(store: Store) -> None:
    rows = [QuarantinedRow(3, "close", "must be positive", "AAPL,2021-01-04,-1"),
            QuarantinedRow(1, "date", "in the future", "AAPL,2999-01-01,1"),
            QuarantinedRow(3, "currency", "mismatch")]
    with store.transaction() as tx:
        a = tx.record_import("prices", "a.csv", SHA, 5, written_rows=2, quarantined_rows=3,
                             status="partial")
        b = tx.record_import("prices", "b.csv", "1" * 64, 1)
        assert tx.add_quarantine(a, rows) == 3
        tx.add_quarantine(b, rows[:1])
    with store.transaction() as tx:
        assert tx.quarantine(a) == rows
        assert tx.quarantine(b) == rows[:1]
        assert tx.quarantine(999) == []


def test_settings_are_stored_and_replaced(store: Store) -> None:
    with store.transaction() as tx:
        assert tx.setting("book.as_of") is None
        tx.put_setting("book.as_of", "2021-01-04")
        tx.put_setting("book.as_of", "2021-01-05")
        tx.put_setting("other", "")
    with store.transaction() as tx:
        assert tx.setting("book.as_of") == "2021-01-05"
        assert tx.setting("other") == ""
