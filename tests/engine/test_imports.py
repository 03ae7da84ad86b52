"""Imports end to end: validated, booked, atomic, quarantinable, idempotent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ballast.engine import queries
from ballast.engine.errors import ImportRejected
from ballast.engine.imports import ImportKind, import_file
from ballast.store import Store

from .conftest import write

TODAY = date(2021, 1, 6)
ORDER = ("instruments", "households", "accounts", "prices", "transactions")


def load_all(store: Store, files: dict[str, Path]) -> None:
    for name in (n for n in ORDER if n in files):
        import_file(store, ImportKind(name), files[name], today=TODAY)


def state(store: Store) -> tuple[object, ...]:
    with store.transaction() as tx:
        return (tx.transaction_count(), sorted(tx.lots(), key=lambda lot: lot.id),
                sorted(tx.cash().items()), tx.gains())


def test_book_is_built_from_files(store: Store, book_files: dict[str, Path]) -> None:
    load_all(store, book_files)
    lots = {(r.account_id, r.symbol): r for r in queries.lot_rows(store)}
    assert lots[("H1-TAX", "AAPL")].cost_basis == Decimal("7501.00")
    assert lots[("H1-TAX", "XOM")].quantity == Decimal(100)
    # 200 XOM for 12,001 incl. fee; sold 100 at 45 less 1 fee: basis relieved 6,000.50
    [gain] = queries.gain_rows(store)
    assert gain.proceeds == Decimal("4499.00")
    assert gain.cost_basis == Decimal("6000.50")
    assert gain.term == "short"
    with store.transaction() as tx:
        cash = tx.cash()
    assert cash[("H1-TAX", "USD")] == Decimal("100000") - Decimal("7501") - Decimal("12001") \
        + Decimal("4499")


def test_positions_valued_at_latest_price(store: Store, book_files: dict[str, Path]) -> None:
    load_all(store, book_files)
    rows = {(r.account_id, r.symbol): r for r in queries.position_rows(store)}
    aapl = rows[("H1-TAX", "AAPL")]
    assert aapl.price == pytest.approx(131.01)
    assert aapl.price_date == date(2021, 1, 5)
    assert aapl.market_value == pytest.approx(13101.0)
    assert aapl.unrealized == pytest.approx(13101.0 - 7501.0)


def test_positions_as_of_a_past_date_replay_history(store: Store,
                                                    book_files: dict[str, Path]) -> None:
    load_all(store, book_files)
    rows = {(r.account_id, r.symbol): r.quantity
            for r in queries.position_rows(store, as_of=date(2020, 3, 1))}
    assert rows == {("H1-TAX", "AAPL"): Decimal(100), ("H1-TAX", "XOM"): Decimal(200)}


def test_bad_row_rejects_whole_file_and_names_row_and_field(
        store: Store, book_files: dict[str, Path], tmp_path: Path) -> None:
    load_all(store, {k: v for k, v in book_files.items() if k != "transactions"})
    bad = book_files["transactions"].read_text().replace("60.00", "-60.00")
    path = write(tmp_path, "bad.csv", bad)
    before = state(store)
    with pytest.raises(ImportRejected) as info:
        import_file(store, ImportKind.TRANSACTIONS, path, today=TODAY)
    [error] = info.value.errors
    assert (error.file, error.row, error.field) == ("bad.csv", 3, "price")
    assert "bad.csv row 3, field price" in str(info.value)
    assert state(store) == before


def test_ledger_refusal_rejects_whole_file(store: Store, book_files: dict[str, Path],
                                           tmp_path: Path) -> None:
    load_all(store, {k: v for k, v in book_files.items() if k != "transactions"})
    oversold = book_files["transactions"].read_text().replace(
        "T6,H1-TAX,2020-06-01,sell,XOM,100", "T6,H1-TAX,2020-06-01,sell,XOM,300")
    path = write(tmp_path, "oversold.csv", oversold)
    before = state(store)
    with pytest.raises(ImportRejected) as info:
        import_file(store, ImportKind.TRANSACTIONS, path, today=TODAY)
    [error] = info.value.errors
    assert error.row == 6
    assert state(store) == before


def test_quarantine_writes_good_rows_and_keeps_bad(store: Store, book_files: dict[str, Path],
                                                   tmp_path: Path) -> None:
    load_all(store, {k: v for k, v in book_files.items() if k != "transactions"})
    text = book_files["transactions"].read_text().replace(
        "T5,H2-TAX,2020-03-02,buy,VTI", "T5,H2-TAX,2020-03-02,buy,NOPE")
    path = write(tmp_path, "partly.csv", text)
    report = import_file(store, ImportKind.TRANSACTIONS, path, today=TODAY, quarantine=True)
    assert report.written == 5
    assert [(e.row, e.field) for e in report.quarantined] == [(5, "symbol")]
    with store.transaction() as tx:
        assert tx.transaction_count() == 5
        assert [(q.row, q.field) for q in tx.quarantine(report.import_id)] == [(5, "symbol")]


def test_importing_the_same_file_twice_changes_nothing(store: Store,
                                                       book_files: dict[str, Path]) -> None:
    load_all(store, book_files)
    before = state(store)
    for name in ORDER:
        report = import_file(store, ImportKind(name), book_files[name], today=TODAY)
        assert report.already_imported
    assert state(store) == before


def test_overlapping_file_skips_rows_already_booked(store: Store, book_files: dict[str, Path],
                                                    tmp_path: Path) -> None:
    load_all(store, book_files)
    more = book_files["transactions"].read_text() + "T7,H2-TAX,2020-07-01,sell,VTI,10,160.00,,\n"
    report = import_file(store, ImportKind.TRANSACTIONS, write(tmp_path, "more.csv", more),
                         today=TODAY)
    assert (report.written, report.skipped) == (1, 6)
    with store.transaction() as tx:
        assert tx.transaction_count() == 7


def test_backdated_transaction_is_booked_in_date_order(store: Store, book_files: dict[str, Path],
                                                       tmp_path: Path) -> None:
    load_all(store, book_files)
    late = ("id,account_id,date,kind,symbol,quantity,price,amount\n"
            "T0,H1-TAX,2020-01-02,buy,XOM,50,70.00,\n")
    import_file(store, ImportKind.TRANSACTIONS, write(tmp_path, "late.csv", late), today=TODAY)
    # FIFO: the June sale of 100 XOM now relieves the 50 bought at 70 first, then 50 at 60.005.
    gains = queries.gain_rows(store)
    assert sorted((g.lot_id, g.quantity) for g in gains) == [("T0", Decimal(50)),
                                                             ("T3", Decimal(50))]


def test_fast_and_exact_valuation_agree(store: Store, book_files: dict[str, Path]) -> None:
    load_all(store, book_files)
    fast = queries.snapshot(store)
    exact = queries.snapshot(store, exact=True)
    assert fast.accounts == exact.accounts and fast.instruments == exact.instruments
    assert fast.account_value.tolist() == pytest.approx(exact.account_value.tolist())
    assert [float(q) for q in exact.exact_quantity] == exact.quantity.tolist()
    assert fast.exact_quantity == ()


def test_summary_converts_to_one_currency_and_flags_stale_prices(
        store: Store, book_files: dict[str, Path]) -> None:
    load_all(store, book_files)
    fresh = queries.book_summary(store)
    assert fresh.as_of == date(2021, 1, 5) and fresh.stale == []
    assert fresh.currency == "USD"
    assert fresh.aum == pytest.approx(float(queries.snapshot(store).account_value.sum()))
    later = queries.book_summary(store, as_of=date(2021, 1, 20))
    assert later.stale == ["AAPL", "VTI", "XOM"]  # 10 sessions without a close
