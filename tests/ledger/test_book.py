"""The Book's API: references, corporate actions, queries and atomicity."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from ballast.domain import (
    Account,
    AccountId,
    AccountType,
    CorporateAction,
    CorporateActionKind,
    HouseholdId,
    Instrument,
    InstrumentId,
    InstrumentKind,
    LedgerError,
    Transaction,
    TransactionId,
    TransactionKind,
    UnknownReference,
)
from ballast.ledger import Book
from ballast.ledger.wash_sale import WashSales

from .notation import run, state

K = TransactionKind
XYZ = InstrumentId("XYZ")


def make_book() -> Book:
    instruments = {
        i: Instrument(i, InstrumentKind.EQUITY, "USD") for i in map(InstrumentId, ["XYZ", "NEW"])
    }
    accounts = [Account(AccountId(a), HouseholdId("H"), a, AccountType.TAXABLE) for a in "AB"]
    return Book(instruments, accounts)


def txn(tid: str, account: str, kind: TransactionKind, day: int, **kw: object) -> Transaction:
    return Transaction(TransactionId(tid), AccountId(account), kind, date(2020, 1, day),
                       **kw)  # type: ignore[arg-type]


def funded() -> Book:
    book = make_book()
    book.apply_all([
        txn("B1", "A", K.BUY, 3, instrument_id=XYZ, quantity=D(10), price=D(10)),
        txn("D1", "A", K.DEPOSIT, 2, amount=D(1000)),
        txn("D2", "B", K.DEPOSIT, 2, amount=D(1000)),
        txn("B2", "B", K.BUY, 3, instrument_id=XYZ, quantity=D(5), price=D(10)),
    ])
    return book


def test_apply_all_books_in_date_order_and_queries_answer() -> None:
    book = funded()
    assert book.positions(AccountId("A")) == {XYZ: D(10)}
    assert book.cash(AccountId("A")) == {"USD": D(900)}
    assert [lot.id for lot in book.lots(AccountId("B"), XYZ)] == ["B2"]
    book.apply(txn("S1", "B", K.SELL, 6, instrument_id=XYZ, quantity=D(5), price=D(12)))
    assert [g.transaction_id for g in book.realized(AccountId("B"))] == ["S1"]
    assert book.realized(AccountId("A")) == []


def test_unknown_instrument() -> None:
    book = funded()
    with pytest.raises(UnknownReference, match=r"X1 \(account A\): unknown instrument QQQ"):
        book.apply(txn("X1", "A", K.BUY, 4, instrument_id=InstrumentId("QQQ"), quantity=D(1),
                       price=D(1)))
    with pytest.raises(UnknownReference, match="unknown new instrument ZZZ"):
        book.apply(txn("X2", "A", K.SYMBOL_CHANGE, 4, instrument_id=XYZ,
                       new_instrument_id=InstrumentId("ZZZ")))
    with pytest.raises(UnknownReference, match="unknown account Q"):
        book.lots(AccountId("Q"))


def test_cash_dividend_action_pays_each_holder() -> None:
    book = funded()
    action = CorporateAction("DIV1", XYZ, CorporateActionKind.CASH_DIVIDEND, date(2020, 2, 1),
                             amount=D("0.255"), pay_date=date(2020, 2, 15))
    txns = book.apply_corporate_action(action)
    assert [(t.id, t.amount, t.settle_date) for t in txns] == [
        ("DIV1:A", D("2.55"), date(2020, 2, 15)), ("DIV1:B", D("1.28"), date(2020, 2, 15))]
    assert book.cash(AccountId("A"))["USD"] == D("902.55")
    assert book.cash(AccountId("B"))["USD"] == D("951.28")


def test_split_action_and_symbol_change_action() -> None:
    book = funded()
    book.apply_corporate_action(
        CorporateAction("S", XYZ, CorporateActionKind.SPLIT, date(2020, 2, 1), ratio=D(3)))
    assert book.positions(AccountId("A")) == {XYZ: D(30)}
    assert book.lots(AccountId("B"))[0].cost_basis == D(50)
    book.apply_corporate_action(CorporateAction(
        "C", XYZ, CorporateActionKind.SYMBOL_CHANGE, date(2020, 3, 1),
        new_instrument_id=InstrumentId("NEW")))
    assert book.positions(AccountId("B")) == {InstrumentId("NEW"): D(15)}


def test_corporate_action_is_all_or_nothing() -> None:
    book = funded()
    before = state(book)
    # A: 10 × 0.3 = 3 units books fine; B: 5 × 0.3 = 1.5 needs a cash-in-lieu price
    action = CorporateAction("R", XYZ, CorporateActionKind.SPLIT, date(2020, 2, 1),
                             ratio=D("0.3"))
    with pytest.raises(LedgerError, match=r"transaction R:B .*cash-in-lieu price"):
        book.apply_corporate_action(action)
    assert state(book) == before


def test_failure_after_wash_sale_matching_rolls_everything_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    book = run("""
given
  account A taxable
  cash A USD 5000
when
  buy A XYZ 100 @ 10 2020-01-02
  sell A XYZ 100 @ 7.50 2020-06-01
then
  gain A XYZ T1 100 750 1000 short
""")
    before = state(book)

    def boom(*args: object) -> None:
        raise LedgerError("injected failure after the wash-sale match")

    replacement = Transaction(TransactionId("R1"), AccountId("A"), K.BUY, date(2020, 6, 15),
                              instrument_id=XYZ, quantity=D(100), price=D(8))
    monkeypatch.setattr(WashSales, "add_purchase", boom)
    with pytest.raises(LedgerError, match="injected"):
        book.apply(replacement)
    assert state(book) == before
    monkeypatch.undo()
    book.apply(replacement)  # the pending loss survived the rollback and is matched now
    assert book.realized()[0].wash_sale_disallowed == D(250)
    assert book.lots(AccountId("A"))[0].cost_basis == D(1050)
