"""Every refusal names the input column at fault in ``exc.field`` (docs/formats.md columns)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from ballast.domain import (
    Account,
    AccountId,
    AccountType,
    BallastError,
    DataError,
    HouseholdId,
    Instrument,
    InstrumentId,
    InstrumentKind,
    LedgerError,
    LotId,
    LotMethod,
    LotSpec,
    Transaction,
    TransactionId,
    TransactionKind,
    UnknownReference,
    round_to_minor,
)
from ballast.ledger import Book
from ballast.ledger.relief import select_lots

K = TransactionKind
XYZ, SAP = InstrumentId("XYZ"), InstrumentId("SAP")


def book_with_a_position() -> Book:
    """Account A: 100 USD cash and lot B1 of 10 XYZ; account B: nothing."""
    instruments = {
        XYZ: Instrument(XYZ, InstrumentKind.EQUITY, "USD"),
        SAP: Instrument(SAP, InstrumentKind.EQUITY, "EUR"),
    }
    accounts = [Account(AccountId(a), HouseholdId("H"), a, AccountType.TAXABLE) for a in "AB"]
    book = Book(instruments, accounts)
    book.apply(txn(K.DEPOSIT, amount=D(200)))
    book.apply(txn(K.BUY, id="B1", instrument_id=XYZ, quantity=D(10), price=D(10)))
    return book


def txn(kind: TransactionKind, *, id: str = "T", account: str = "A", **kw: object) -> Transaction:
    return Transaction(TransactionId(id), AccountId(account), kind, date(2020, 1, 2),
                       **kw)  # type: ignore[arg-type]


def sell(**kw: object) -> Transaction:
    return txn(K.SELL, instrument_id=XYZ, **{"quantity": D(5), "price": D(10), **kw})


CASES: dict[str, tuple[Transaction, type[BallastError], str]] = {
    "oversell": (sell(quantity=D(11)), LedgerError, "quantity"),
    "buy beyond the cash": (
        txn(K.BUY, instrument_id=XYZ, quantity=D(20), price=D(10)), LedgerError, "quantity"),
    "withdrawal beyond the cash": (txn(K.WITHDRAWAL, amount=D(101)), LedgerError, "amount"),
    "fees beyond the proceeds": (sell(price=D(0), fees=D(101)), LedgerError, "fees"),
    "fee in a currency never held": (
        txn(K.FEE, amount=D(1), currency="EUR"), LedgerError, "currency"),
    "foreign dividend in a currency never held": (
        txn(K.DIVIDEND, instrument_id=XYZ, amount=D(1), currency="EUR"), LedgerError, "currency"),
    "unknown account": (txn(K.DEPOSIT, account="Z", amount=D(1)), UnknownReference, "account_id"),
    "unknown instrument": (
        txn(K.BUY, instrument_id=InstrumentId("QQQ"), quantity=D(1), price=D(1)),
        UnknownReference, "symbol"),
    "unknown new instrument": (
        txn(K.SYMBOL_CHANGE, instrument_id=XYZ, new_instrument_id=InstrumentId("ZZZ")),
        UnknownReference, "new_symbol"),
    "unknown counter account": (
        txn(K.TRANSFER_OUT, instrument_id=XYZ, quantity=D(1),
            counter_account=AccountId("Q")), UnknownReference, "counter_account"),
    "counter account is the account": (
        txn(K.TRANSFER_OUT, instrument_id=XYZ, quantity=D(1), counter_account=AccountId("A")),
        LedgerError, "counter_account"),
    "transfer out beyond the lots": (
        txn(K.TRANSFER_OUT, instrument_id=XYZ, quantity=D(11)), LedgerError, "quantity"),
    "named lot missing": (
        sell(lots=(LotSpec(D(5), LotId("L9")),)), LedgerError, "lots"),
    "named lots not adding up": (
        sell(lots=(LotSpec(D(4), LotId("B1")),)), LedgerError, "lots"),
    "transfer in of an open lot id": (
        txn(K.TRANSFER_IN, instrument_id=XYZ,
            lots=(LotSpec(D(1), LotId("B1"), D(1), date(2019, 1, 2)),)), LedgerError, "lots"),
    "split of a position not held": (
        txn(K.SPLIT, instrument_id=SAP, ratio=D(2)), LedgerError, "symbol"),
    "cash in lieu without a price": (
        txn(K.SPLIT, instrument_id=XYZ, ratio=D("0.15")), LedgerError, "price"),
}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_refusal_names_the_field(case: str) -> None:
    transaction, error, field = CASES[case]
    book = book_with_a_position()
    with pytest.raises(error) as caught:
        book.apply(transaction)
    assert caught.value.field == field


def test_relief_and_reference_errors_outside_apply() -> None:
    book = book_with_a_position()
    lots = book.lots(AccountId("A"), XYZ)
    with pytest.raises(LedgerError) as caught:
        select_lots(lots, D(1), LotMethod.MIN_TAX, sale_date=date(2020, 1, 2))
    assert caught.value.field == "price"
    with pytest.raises(LedgerError) as caught:
        book.add_account(Account(AccountId("A"), HouseholdId("H"), "A", AccountType.TAXABLE))
    assert caught.value.field == "account_id"
    with pytest.raises(UnknownReference) as unknown:
        book.cash(AccountId("Q"))
    assert unknown.value.field == "account_id"


def test_domain_errors_name_the_field_and_default_to_none() -> None:
    assert BallastError("x").field == ""
    assert LedgerError("x", field="quantity").field == "quantity"
    with pytest.raises(DataError) as caught:
        round_to_minor(D(1), "XXX")
    assert caught.value.field == "currency"
    with pytest.raises(DataError) as caught:
        Instrument(XYZ, InstrumentKind.EQUITY, "USD", lot_size=D(0))
    assert caught.value.field == "lot_size"
    with pytest.raises(DataError) as caught:
        Instrument(XYZ, InstrumentKind.EQUITY, "USD", wash_sale_group=" G")
    assert caught.value.field == "wash_sale_group"
