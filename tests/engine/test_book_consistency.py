"""The book stays whole across transfers between households, corrections, quarantine re-imports
and corporate actions arriving after the trades they affect."""

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
from .test_imports import TODAY, load_all

HEADER = "id,account_id,date,kind,symbol,quantity,price,amount,counter_account\n"


def test_transfer_between_households_survives_later_imports(
        store: Store, book_files: dict[str, Path], tmp_path: Path) -> None:
    load_all(store, book_files)
    move = HEADER + "M1,H1-TAX,2020-07-01,transfer_out,AAPL,10,,,H2-TAX\n"
    import_file(store, ImportKind.TRANSACTIONS, write(tmp_path, "move.csv", move), today=TODAY)
    # an unrelated deposit into the receiving household must not drop the received lots
    dep = HEADER + "D1,H2-TAX,2020-08-03,deposit,,,,500,\n"
    import_file(store, ImportKind.TRANSACTIONS, write(tmp_path, "dep.csv", dep), today=TODAY)
    # and a later trade in the sending household still books
    buy = HEADER + "B1,H1-TAX,2020-08-03,buy,AAPL,1,80.00,,\n"
    import_file(store, ImportKind.TRANSACTIONS, write(tmp_path, "buy.csv", buy), today=TODAY)
    held: dict[tuple[str, str], Decimal] = {}
    for r in queries.lot_rows(store):
        held[(r.account_id, r.symbol)] = held.get((r.account_id, r.symbol), Decimal(0)) + r.quantity
    assert held[("H2-TAX", "AAPL")] == Decimal(10)
    assert held[("H1-TAX", "AAPL")] == Decimal(91)
    past = {(r.account_id, r.symbol): r.quantity
            for r in queries.position_rows(store, account="H2-TAX", as_of=date(2020, 7, 15))}
    assert past[("H2-TAX", "AAPL")] == Decimal(10)


def test_a_changed_transaction_is_an_error_not_a_silent_skip(
        store: Store, book_files: dict[str, Path], tmp_path: Path) -> None:
    load_all(store, book_files)
    changed = book_files["transactions"].read_text().replace(
        "T2,H1-TAX,2020-01-03,buy,AAPL,100,75.00", "T2,H1-TAX,2020-01-03,buy,AAPL,100,76.00")
    with pytest.raises(ImportRejected) as info:
        import_file(store, ImportKind.TRANSACTIONS, write(tmp_path, "fix.csv", changed),
                    today=TODAY)
    [error] = info.value.errors
    assert (error.row, error.field, error.raw) == (2, "price", "76.00")
    assert "already booked" in error.reason


def test_quarantined_rows_book_when_the_same_file_is_imported_again(
        store: Store, book_files: dict[str, Path], tmp_path: Path) -> None:
    load_all(store, {k: v for k, v in book_files.items() if k != "transactions"})
    text = book_files["transactions"].read_text() + "T9,H3-TAX,2020-07-01,deposit,,,,10,\n"
    path = write(tmp_path, "late.csv", text)
    first = import_file(store, ImportKind.TRANSACTIONS, path, today=TODAY, quarantine=True)
    assert [(e.row, e.field) for e in first.quarantined] == [(7, "account_id")]
    more_accounts = "account_id,household_id,name,type\nH3-TAX,H2,Jones trust,taxable\n"
    import_file(store, ImportKind.ACCOUNTS, write(tmp_path, "acc2.csv", more_accounts),
                today=TODAY)
    again = import_file(store, ImportKind.TRANSACTIONS, path, today=TODAY, quarantine=True)
    assert not again.already_imported
    assert (again.written, again.skipped, again.quarantined) == (1, 6, [])


def test_ledger_refusal_is_quarantined_with_its_row_and_field(
        store: Store, book_files: dict[str, Path], tmp_path: Path) -> None:
    load_all(store, {k: v for k, v in book_files.items() if k != "transactions"})
    text = book_files["transactions"].read_text().replace(
        "T6,H1-TAX,2020-06-01,sell,XOM,100", "T6,H1-TAX,2020-06-01,sell,XOM,300")
    report = import_file(store, ImportKind.TRANSACTIONS, write(tmp_path, "t.csv", text),
                         today=TODAY, quarantine=True)
    assert [(e.row, e.field) for e in report.quarantined] == [(6, "quantity")]
    with store.transaction() as tx:
        assert "T6" not in tx.transaction_ids()
        assert tx.transaction_count() == 5


def test_late_split_applies_to_held_lots_and_past_positions_replay(
        store: Store, book_files: dict[str, Path], tmp_path: Path) -> None:
    load_all(store, book_files)
    actions = ("id,symbol,kind,ex_date,ratio,amount,currency,new_symbol,pay_date\n"
               "S1,AAPL,split,2020-12-01,2,,,,\n")
    import_file(store, ImportKind.CORPORATE_ACTIONS, write(tmp_path, "ca.csv", actions),
                today=TODAY)
    lots = {(r.account_id, r.symbol): r for r in queries.lot_rows(store)}
    assert lots[("H1-TAX", "AAPL")].quantity == Decimal(200)
    assert lots[("H1-TAX", "AAPL")].cost_basis == Decimal("7501.00")
    before = {r.symbol: r.quantity
              for r in queries.position_rows(store, account="H1-TAX", as_of=date(2020, 11, 30))}
    assert before["AAPL"] == Decimal(100)


def test_corporate_action_the_ledger_refuses_names_its_row(
        store: Store, book_files: dict[str, Path], tmp_path: Path) -> None:
    load_all(store, book_files)
    # 1-for-3 of 100 shares leaves a fraction that needs a cash-in-lieu price (amount)
    actions = ("id,symbol,kind,ex_date,ratio,amount,currency,new_symbol,pay_date\n"
               "OK,VTI,split,2020-12-01,2,,,,\n"
               "R1,AAPL,split,2020-12-01,0.333,,,,\n")
    with pytest.raises(ImportRejected) as info:
        import_file(store, ImportKind.CORPORATE_ACTIONS, write(tmp_path, "ca.csv", actions),
                    today=TODAY)
    [error] = info.value.errors
    assert error.row == 2
    report = import_file(store, ImportKind.CORPORATE_ACTIONS, write(tmp_path, "ca.csv", actions),
                         today=TODAY, quarantine=True)
    assert report.written == 1 and [e.row for e in report.quarantined] == [2]
    lots = {(r.account_id, r.symbol): r.quantity for r in queries.lot_rows(store)}
    assert lots[("H2-TAX", "VTI")] == Decimal(200)
    assert lots[("H1-TAX", "AAPL")] == Decimal(100)
