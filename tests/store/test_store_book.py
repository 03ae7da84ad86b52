"""Transactions and materialized book state round-trip on both backends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ballast.domain import (
    AccountId,
    DataError,
    InstrumentId,
    LotId,
    LotMethod,
    LotSpec,
    RealizedGain,
    TaxLot,
    Term,
    Transaction,
    TransactionId,
    TransactionKind,
)
from ballast.store import Store

A1, A2, B1 = AccountId("A1"), AccountId("A2"), AccountId("B1")
AAPL, SPY = InstrumentId("AAPL"), InstrumentId("SPY")
K = TransactionKind


def txn(id_: str, account: AccountId, kind: TransactionKind, day: date, **kw: object
        ) -> Transaction:
    return Transaction(TransactionId(id_), account, kind, day, **kw)  # type: ignore[arg-type]


SAMPLE = [
    txn("t3", A1, K.BUY, date(2021, 1, 4), instrument_id=AAPL, quantity=Decimal(10),
        price=Decimal("129.41"), fees=Decimal("0.1")),
    txn("t1", A1, K.DEPOSIT, date(2021, 1, 2), amount=Decimal("100000.00")),
    txn("t2", A1, K.BUY, date(2021, 1, 4), instrument_id=SPY, quantity=Decimal("3.1415"),
        price=Decimal("368.79"), settle_date=date(2021, 1, 6), memo="fractional"),
    txn("t4", A1, K.SELL, date(2021, 6, 1), instrument_id=AAPL, quantity=Decimal(4),
        price=Decimal("124.28"), lot_method=LotMethod.SPECIFIC,
        lots=(LotSpec(Decimal(4), lot_id=LotId("t3")),)),
    txn("t5", B1, K.TRANSFER_IN, date(2021, 2, 1), instrument_id=AAPL, counter_account=A2,
        lots=(LotSpec(Decimal(5), cost_basis=Decimal("250.123456789"), acquired=date(2015, 3, 2),
                      holding_start=date(2015, 3, 1), wash_sale_adjustment=Decimal("12.5")),
              LotSpec(Decimal("0.5"), lot_id=LotId("x"), cost_basis=Decimal(0),
                      acquired=date(2016, 1, 1)))),
    txn("t6", B1, K.FX_CONVERSION, date(2021, 2, 1), amount=Decimal(1000), currency="USD",
        to_currency="GBP", to_amount=Decimal("731.2345")),
    txn("t7", A1, K.SPLIT, date(2020, 8, 31), instrument_id=AAPL, ratio=Decimal(4)),
    txn("t8", A1, K.DIVIDEND, date(2021, 5, 13), instrument_id=AAPL, amount=Decimal("1.2"),
        reinvest=True, price=Decimal("124.97")),
    txn("t9", A1, K.SYMBOL_CHANGE, date(2021, 7, 1), instrument_id=AAPL,
        new_instrument_id=SPY),
]


def test_transactions_round_trip_in_date_then_given_order(book: Store) -> None:
    with book.transaction() as tx:
        assert (tx.transaction_count(), tx.last_transaction_date()) == (0, None)
        import_id = tx.record_import("transactions", "t.csv", "ab" * 32, 9)
        assert tx.add_transactions(SAMPLE, import_id) == len(SAMPLE)
    expected = sorted(SAMPLE, key=lambda t: t.trade_date)  # stable: t3 before t2 on Jan 4
    with book.transaction() as tx:
        assert tx.transactions() == expected
        assert [t.id for t in tx.transactions()][:4] == ["t7", "t1", "t3", "t2"]
        assert tx.transactions([B1]) == [t for t in expected if t.account_id == B1]
        assert tx.transactions(until=date(2021, 1, 4)) == expected[:4]
        assert tx.transactions([A1, A2], until=date(2021, 1, 3)) == expected[:2]
        assert tx.transactions([A2]) == []
        assert tx.transaction_count() == len(SAMPLE)
        assert tx.last_transaction_date() == date(2021, 7, 1)


def test_later_batches_sort_after_earlier_ones_on_the_same_day(book: Store) -> None:
    day = date(2022, 3, 1)
    first = [txn(f"a{i}", A1, K.DEPOSIT, day, amount=Decimal(i + 1)) for i in range(3)]
    second = [txn(f"b{i}", A1, K.DEPOSIT, day, amount=Decimal(i + 1)) for i in range(3)]
    with book.transaction() as tx:
        tx.add_transactions(first)
    with book.transaction() as tx:
        tx.add_transactions(second)
    with book.transaction() as tx:
        assert [t.id for t in tx.transactions()] == ["a0", "a1", "a2", "b0", "b1", "b2"]


def test_transaction_ids_reports_which_exist(book: Store) -> None:
    with book.transaction() as tx:
        tx.add_transactions(SAMPLE[:3])
        assert tx.transaction_ids(["t1", "t2", "zz", "t9"]) == {"t1", "t2"}
        assert tx.transaction_ids([]) == set()
        assert tx.transaction_ids() == {"t1", "t2", "t3"}


def test_a_duplicate_or_unknown_reference_writes_nothing(book: Store) -> None:
    with book.transaction() as tx:
        tx.add_transactions(SAMPLE[:1])
    for bad in ([SAMPLE[1], SAMPLE[0]],
                [SAMPLE[1], txn("u", AccountId("ZZ"), K.DEPOSIT, date(2021, 1, 1),
                                amount=Decimal(1))]):
        with pytest.raises(DataError, match="transactions"), book.transaction() as tx:
            tx.add_transactions(bad)
        with book.transaction() as tx:
            assert [t.id for t in tx.transactions()] == ["t3"]


def lot(id_: str, account: AccountId, qty: str, basis: str, **kw: object) -> TaxLot:
    return TaxLot(LotId(id_), account, kw.pop("instrument", AAPL), Decimal(qty),  # type: ignore[arg-type]
                  Decimal(basis), date(2020, 1, 2), date(2019, 12, 1), **kw)  # type: ignore[arg-type]


def gain(account: AccountId, sold: date, proceeds: str) -> RealizedGain:
    return RealizedGain(account, AAPL, LotId("L1"), TransactionId("s1"), Decimal("1.5"),
                        date(2019, 5, 1), sold, Decimal(proceeds), Decimal("100.000000001"),
                        Term.LONG, "USD", wash_sale_disallowed=Decimal("0.01"))


def test_book_state_is_replaced_per_account(book: Store) -> None:
    lots_a = [lot("L1", A1, "10", "1294.1"),
              lot("L2", A1, "0.000000000000000001", "1E-18", instrument=SPY,
                  wash_sale_adjustment=Decimal("-3.3"), opened_by=TransactionId("t2"))]
    lots_b = [lot("L1", B1, "123456789.123456789012", "0.1")]
    gains = [gain(A1, date(2021, 3, 1), "200"), gain(B1, date(2022, 3, 1), "-5.25"),
             gain(A1, date(2022, 12, 31), "99.99")]
    cash = {(A1, "USD"): Decimal("-12.34"), (A1, "GBP"): Decimal("0.1"),
            (B1, "USD"): Decimal("98765.4321")}
    with book.transaction() as tx:
        tx.replace_book_state([A1, B1], lots_a + lots_b, cash, gains)
    with book.transaction() as tx:
        assert tx.lots() == lots_a + lots_b
        assert tx.lots([B1]) == lots_b
        assert tx.lot_ids() == {"L1", "L2"}
        assert tx.lot_ids([A1]) == {"L1", "L2"}
        assert tx.cash() == cash
        assert tx.cash([B1]) == {(B1, "USD"): Decimal("98765.4321")}
        assert tx.gains() == gains
        assert tx.gains(year=2022) == gains[1:]
        assert tx.gains([A1], year=2022) == gains[2:]
    new_a = [lot("L9", A1, "1", "2")]
    with book.transaction() as tx:
        tx.replace_book_state([A1], new_a, {(A1, "USD"): Decimal(5)}, [])
    with book.transaction() as tx:
        assert tx.lots() == new_a + lots_b
        assert tx.cash() == {(A1, "USD"): Decimal(5), (B1, "USD"): Decimal("98765.4321")}
        assert tx.gains() == [gains[1]]


def test_book_state_of_an_account_outside_the_scope_is_refused(book: Store) -> None:
    with book.transaction() as tx:
        tx.replace_book_state([B1], [lot("L1", B1, "1", "1")], {}, [])
    with pytest.raises(DataError, match="not being replaced"), book.transaction() as tx:
        tx.replace_book_state([A1], [lot("L1", B1, "2", "2")], {}, [])
    with book.transaction() as tx:
        assert tx.lots() == [lot("L1", B1, "1", "1")]


def test_position_totals_sum_lots_exactly(book: Store) -> None:
    lots = [lot("L1", A1, "10", "1000.10"), lot("L2", A1, "0.5", "0.05"),
            lot("L3", A1, "3", "300", instrument=SPY), lot("L1", B1, "7", "70.7")]
    with book.transaction() as tx:
        tx.replace_book_state([A1, B1], lots, {}, [])
    with book.transaction() as tx:
        assert tx.position_totals() == [
            (A1, AAPL, Decimal("10.5"), Decimal("1000.15")),
            (A1, SPY, Decimal(3), Decimal(300)),
            (B1, AAPL, Decimal(7), Decimal("70.7")),
        ]
        assert tx.position_totals([B1]) == [(B1, AAPL, Decimal(7), Decimal("70.7"))]


def test_position_sums_are_the_float_totals(book: Store) -> None:
    lots = [lot("L1", A1, "10", "1000.10"), lot("L2", A1, "0.5", "0.05"),
            lot("L3", A1, "3", "300", instrument=SPY), lot("L1", B1, "7", "70.7")]
    with book.transaction() as tx:
        tx.replace_book_state([A1, B1], lots, {}, [])
    with book.transaction() as tx:
        accts, insts, qty, basis = tx.position_sums()
        only_b = tx.position_sums([B1])
    rows = sorted(zip(accts, insts, qty.tolist(), basis.tolist(), strict=True))
    assert rows == [(A1, AAPL, 10.5, pytest.approx(1000.15)), (A1, SPY, 3.0, 300.0),
                    (B1, AAPL, 7.0, 70.7)]
    assert (only_b[0], only_b[1], only_b[2].tolist()) == ([B1], [AAPL], [7.0])


def test_transactions_by_id_counterparties_and_lot_count(book: Store) -> None:
    with book.transaction() as tx:
        tx.add_transactions(SAMPLE)
        tx.replace_book_state([A1], [lot("L1", A1, "1", "1"), lot("L2", A1, "2", "2")], {}, [])
    with book.transaction() as tx:
        found = tx.transactions_by_id(["t5", "t8", "nope"])
        assert found == {"t5": SAMPLE[4], "t8": SAMPLE[7]}
        assert tx.counterparties([B1]) == {A2}  # B1 received from A2
        assert tx.counterparties([A2]) == {B1}  # and the link is seen from A2's side
        assert tx.counterparties([A1]) == set()
        assert tx.lot_count() == 2


def test_transactions_and_gains_in_a_date_window(book: Store) -> None:
    gains = [gain(A1, date(2021, 3, 1), "200"), gain(A1, date(2021, 4, 1), "-5")]
    with book.transaction() as tx:
        tx.add_transactions(SAMPLE)
        tx.replace_book_state([A1], [], {}, gains)
    with book.transaction() as tx:
        window = tx.transactions([A1], until=date(2021, 6, 1), since=date(2021, 1, 4))
        assert [t.id for t in window] == ["t3", "t2", "t8", "t4"]
        assert tx.gains(since=date(2021, 3, 2), until=date(2021, 12, 31)) == gains[1:]
        assert tx.gains(until=date(2021, 3, 1)) == gains[:1]
