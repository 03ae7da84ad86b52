"""Conservation properties: quantity, basis and cash survive splits, relief and transfers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from ballast.domain import (
    ZERO,
    Account,
    AccountId,
    AccountType,
    BallastError,
    HouseholdId,
    Instrument,
    InstrumentId,
    InstrumentKind,
    LotId,
    LotMethod,
    LotSpec,
    Transaction,
    TransactionId,
    TransactionKind,
)
from ballast.ledger import Book

K = TransactionKind
XYZ = InstrumentId("XYZ")
A, B = AccountId("A"), AccountId("B")
START = date(2019, 1, 2)

lot_st = st.tuples(
    st.integers(1, 1000),                                          # quantity
    st.decimals(D("0.01"), D("500"), places=2),                    # unit cost
    st.integers(0, 700),                                           # days after START
)
lots_st = st.lists(lot_st, min_size=1, max_size=6)
methods = st.sampled_from([m for m in LotMethod if m is not LotMethod.SPECIFIC])


def book_with(lots: list[tuple[int, D, int]], *, fractional: bool = True) -> Book:
    inst = Instrument(XYZ, InstrumentKind.EQUITY, "USD", fractional=fractional)
    accounts = [Account(a, HouseholdId("H"), a, AccountType.TAXABLE) for a in (A, B)]
    book = Book({XYZ: inst}, accounts)
    specs = tuple(
        LotSpec(D(q), lot_id=LotId(f"L{i}"), cost_basis=q * cost,
                acquired=START + timedelta(days=day))
        for i, (q, cost, day) in enumerate(lots)
    )
    book.apply(Transaction(TransactionId("IN"), A, K.TRANSFER_IN, START, instrument_id=XYZ,
                           lots=specs))
    return book


TINY = D("1e-18")


def close(a: D, b: D) -> bool:
    """Equal up to Decimal's 28-digit precision: the prorated basis of a partly relieved lot is
    rounded there, and so is a sum of amounts of different magnitudes."""
    return abs(a - b) <= TINY


def totals(book: Book, account: AccountId | None = None) -> tuple[D, D]:
    accounts = [account] if account else list(book.accounts)
    lots = [lot for a in accounts for lot in book.lots(a)]
    return sum((x.quantity for x in lots), ZERO), sum((x.cost_basis for x in lots), ZERO)


@settings(max_examples=60, deadline=None)
@given(lots_st, st.sampled_from(["2", "3", "4", "1.5", "0.5", "0.1", "0.05"]), st.booleans())
def test_split_conserves_quantity_and_basis(
    lots: list[tuple[int, D, int]], ratio: str, fractional: bool
) -> None:
    book = book_with(lots, fractional=fractional)
    qty, basis = totals(book)
    book.apply(Transaction(TransactionId("S"), A, K.SPLIT, date(2021, 6, 1), instrument_id=XYZ,
                           ratio=D(ratio), price=D("7.77")))
    new_qty, new_basis = totals(book)
    paid = sum((g.quantity for g in book.realized()), ZERO)
    relieved = sum((g.cost_basis for g in book.realized()), ZERO)
    assert new_qty + paid == qty * D(ratio)
    assert close(new_basis + relieved, basis)
    if not fractional:
        assert new_qty == new_qty.to_integral_value() and paid < 1
        assert book.cash(A)["USD"] == sum((g.proceeds for g in book.realized()), ZERO)


@settings(max_examples=80, deadline=None)
@given(lots_st, st.floats(0.01, 1.0), methods, st.decimals(D("0.01"), D("600"), places=2))
def test_relief_conserves_and_gain_is_proceeds_minus_basis(
    lots: list[tuple[int, D, int]], share: float, method: LotMethod, price: D
) -> None:
    book = book_with(lots)
    qty, basis = totals(book)
    sell = max(D(1), (qty * D(str(share))).to_integral_value())
    book.apply(Transaction(TransactionId("S"), A, K.SELL, date(2021, 6, 1), instrument_id=XYZ,
                           quantity=sell, price=price, fees=D("0.01"), lot_method=method))
    gains = book.realized()
    left_qty, left_basis = totals(book)
    assert left_qty + sum((g.quantity for g in gains), ZERO) == qty
    assert close(left_basis + sum((g.cost_basis for g in gains), ZERO), basis)
    net = sell * price - D("0.01")
    assert book.cash(A)["USD"] == net
    assert close(sum((g.proceeds for g in gains), ZERO), net)
    relieved = basis - left_basis
    assert close(sum((g.gain for g in gains), ZERO), net - relieved)


@settings(max_examples=60, deadline=None)
@given(lots_st, st.floats(0.01, 1.0), methods)
def test_transfer_between_accounts_conserves_lots(
    lots: list[tuple[int, D, int]], share: float, method: LotMethod
) -> None:
    book = book_with(lots)
    qty, basis = totals(book)
    move = max(D(1), (qty * D(str(share))).to_integral_value())
    book.apply(Transaction(TransactionId("T"), A, K.TRANSFER_OUT, date(2021, 6, 1),
                           instrument_id=XYZ, quantity=move, counter_account=B,
                           lot_method=method, price=D(10)))
    after_qty, after_basis = totals(book)
    assert after_qty == qty and close(after_basis, basis)
    assert totals(book, B)[0] == move
    assert book.realized() == []
    dates = {lot.id: (lot.acquired, lot.holding_start) for lot in book.lots(A)}
    for lot in book.lots(B):
        assert lot.acquired == START + timedelta(days=lots[int(lot.id[1:])][2])
        assert dates.get(lot.id, (lot.acquired, lot.holding_start)) == (
            lot.acquired, lot.holding_start)


step_st = st.tuples(
    st.sampled_from([K.DEPOSIT, K.WITHDRAWAL, K.BUY, K.SELL]),
    st.integers(1, 50),
    st.decimals(D("0.01"), D("100"), places=2),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(step_st, min_size=1, max_size=25))
def test_cash_is_conserved_and_failures_change_nothing(
    steps: list[tuple[TransactionKind, int, D]],
) -> None:
    book = book_with([(1, D(1), 0)])
    expected = ZERO
    for n, (kind, qty, price) in enumerate(steps):
        day = date(2021, 1, 1) + timedelta(days=n)
        tid = TransactionId(f"X{n}")
        if kind in (K.DEPOSIT, K.WITHDRAWAL):
            txn = Transaction(tid, A, kind, day, amount=price * qty)
            delta = price * qty if kind is K.DEPOSIT else -price * qty
        else:
            txn = Transaction(tid, A, kind, day, instrument_id=XYZ, quantity=D(qty), price=price,
                              lot_method=LotMethod.HIFO)
            delta = -price * qty if kind is K.BUY else price * qty
        before = (book.cash(A), book.lots(A), book.realized())
        try:
            book.apply(txn)
        except BallastError:
            assert (book.cash(A), book.lots(A), book.realized()) == before
        else:
            expected += delta
        assert book.cash(A)["USD"] == expected >= 0
