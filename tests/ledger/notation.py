"""A readable notation for golden ledger cases: holdings before, transactions, expected after.

    given
      account A taxable method=fifo household=H1 [margin] [shorts] [base=USD]
      instrument XYZ mutual_fund USD [fractional]     # undeclared ids are USD equities
      identical G1 XYZ ABC                            # the instruments' wash_sale_group
      cash A USD 10000                                # a deposit
      lot A XYZ L1 100 1000 2020-01-02 [hold=DATE] [wash=N]   # transferred in
    when
      buy A XYZ 100 @ 8 2020-06-10 [id=B1] [fees=1] [method=hifo] [lots=L1:50,L2:50]
      sell A XYZ 100 @ 7.50 2020-06-01 [...]
      deposit|withdrawal|interest|fee A 100 USD 2020-01-01
      dividend A XYZ 50 USD 2020-03-01 [reinvest=PRICE]
      split|stock_dividend A XYZ RATIO 2020-08-31 [price=P]
      symbol_change A XYZ NEW 2020-08-31
      transfer_out A XYZ 50 2020-08-31 [to=B]
      fx A 100 USD 90 EUR 2020-01-01
    then
      lot A XYZ L1 QTY BASIS ACQUIRED [hold=DATE] [wash=N]    # every open lot
      gain A XYZ L1 QTY PROCEEDS BASIS short|long [wash=N]    # every realized gain, in order
      cash A USD AMOUNT                                      # only the currencies listed
      error TEXT          # the last transaction fails with TEXT; the book is left unchanged

Transactions get ids T1, T2… in order unless ``id=`` is given. Money compares at cents,
quantities at 1e-6.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest

from ballast.domain import (
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
CENT = Decimal("0.01")
MICRO = Decimal("0.000001")


def money(x: Decimal | str) -> Decimal:
    return Decimal(x).quantize(CENT)


def qty(x: Decimal | str) -> Decimal:
    return Decimal(x).quantize(MICRO)


def _split(line: str) -> tuple[list[str], dict[str, str]]:
    words = line.split("#")[0].split()
    pos = [w for w in words if "=" not in w]
    opts = dict(w.split("=", 1) for w in words if "=" in w)
    return pos, opts


def _sections(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"given": [], "when": [], "then": []}
    current = None
    for raw in text.strip().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line in out:
            current = line
            continue
        assert current is not None, f"line outside a section: {line!r}"
        out[current].append(line)
    return out


@dataclass
class Case:
    """A parsed case: the book after ``given`` and the transactions of ``when``."""

    book: Book
    txns: list[Transaction]
    then: list[str]
    instruments: dict[InstrumentId, Instrument] = field(default_factory=dict)


def _instrument(
    iid: str, kind: str = "equity", ccy: str = "USD", *flags: str, group: str = ""
) -> Instrument:
    return Instrument(
        InstrumentId(iid), InstrumentKind(kind), ccy, fractional="fractional" in flags,
        wash_sale_group=group,
    )


def _ensure(book: Book, iid: str) -> InstrumentId:
    if iid not in book.instruments:
        book.add_instrument(_instrument(iid))
    return InstrumentId(iid)


def transaction(book: Book, line: str, default_id: str) -> Transaction:
    """Parse one ``when`` line into a Transaction (instruments are declared on first use)."""
    pos, o = _split(line)
    kind, acct = pos[0], AccountId(pos[1])
    tid = TransactionId(o.get("id", default_id))
    common: dict[str, object] = {"id": tid, "account_id": acct, "fees": Decimal(o.get("fees", 0))}
    if "method" in o:
        common["lot_method"] = LotMethod(o["method"])
    if "lots" in o:
        common["lots"] = tuple(
            LotSpec(Decimal(q), lot_id=LotId(lid))
            for lid, q in (p.split(":") for p in o["lots"].split(","))
        )
    if "price" in o:
        common["price"] = Decimal(o["price"])
    if kind in ("buy", "sell"):
        _, _, iid, q, _at, price, d = pos
        return Transaction(kind=K(kind), trade_date=date.fromisoformat(d),
                           instrument_id=_ensure(book, iid), quantity=Decimal(q),
                           **{**common, "price": Decimal(price)})
    if kind in ("deposit", "withdrawal", "interest", "fee"):
        _, _, amount, ccy, d = pos
        return Transaction(kind=K(kind), trade_date=date.fromisoformat(d), amount=Decimal(amount),
                           currency=ccy, **common)
    if kind == "dividend":
        _, _, iid, amount, ccy, d = pos
        extra = {"reinvest": True, "price": Decimal(o["reinvest"])} if "reinvest" in o else {}
        return Transaction(kind=K.DIVIDEND, trade_date=date.fromisoformat(d),
                           instrument_id=_ensure(book, iid), amount=Decimal(amount),
                           currency=ccy, **{**common, **extra})
    if kind in ("split", "stock_dividend"):
        _, _, iid, ratio, d = pos
        return Transaction(kind=K(kind), trade_date=date.fromisoformat(d),
                           instrument_id=_ensure(book, iid), ratio=Decimal(ratio),
                           **common)
    if kind == "symbol_change":
        _, _, iid, new, d = pos
        return Transaction(kind=K.SYMBOL_CHANGE, trade_date=date.fromisoformat(d),
                           instrument_id=_ensure(book, iid), new_instrument_id=_ensure(book, new),
                           **common)
    if kind == "transfer_out":
        _, _, iid, q, d = pos
        to = AccountId(o["to"]) if "to" in o else None
        return Transaction(kind=K.TRANSFER_OUT, trade_date=date.fromisoformat(d),
                           instrument_id=_ensure(book, iid), quantity=Decimal(q),
                           counter_account=to, **common)
    if kind == "fx":
        _, _, amount, ccy, to_amount, to_ccy, d = pos
        return Transaction(kind=K.FX_CONVERSION, trade_date=date.fromisoformat(d),
                           amount=Decimal(amount), currency=ccy, to_amount=Decimal(to_amount),
                           to_currency=to_ccy, **common)
    raise AssertionError(f"unknown transaction line {line!r}")


def parse(text: str) -> Case:
    """Build the book of the ``given`` section and parse the ``when`` transactions."""
    sections = _sections(text)
    groups = {
        InstrumentId(iid): pos[1]
        for pos in (_split(line)[0] for line in sections["given"]) if pos[0] == "identical"
        for iid in pos[2:]
    }
    book = Book({})
    for iid, group in groups.items():
        book.add_instrument(_instrument(iid, group=group))
    for n, line in enumerate(sections["given"], 1):
        pos, o = _split(line)
        if pos[0] == "identical":
            continue
        if pos[0] == "account":
            flags = set(pos[3:])
            book.add_account(Account(
                AccountId(pos[1]), HouseholdId(o.get("household", "H")), pos[1],
                AccountType(pos[2]), base_currency=o.get("base", "USD"),
                lot_method=LotMethod(o.get("method", "fifo")),
                allow_margin="margin" in flags, allow_shorts="shorts" in flags,
            ))
        elif pos[0] == "instrument":
            book.add_instrument(_instrument(*pos[1:], group=groups.get(InstrumentId(pos[1]), "")))
        elif pos[0] == "cash":
            _, acct, ccy, amount = pos
            book.apply(Transaction(TransactionId(f"given{n}"), AccountId(acct), K.DEPOSIT,
                                   date(1990, 1, 1), amount=Decimal(amount), currency=ccy))
        elif pos[0] == "lot":
            _, acct, iid, lid, q, basis, acquired = pos
            hold = date.fromisoformat(o["hold"]) if "hold" in o else None
            spec = LotSpec(Decimal(q), lot_id=LotId(lid), cost_basis=Decimal(basis),
                           acquired=date.fromisoformat(acquired), holding_start=hold,
                           wash_sale_adjustment=Decimal(o.get("wash", 0)))
            book.apply(Transaction(TransactionId(f"given{n}"), AccountId(acct), K.TRANSFER_IN,
                                   date.fromisoformat(acquired), instrument_id=_ensure(book, iid),
                                   lots=(spec,)))
        else:
            raise AssertionError(f"unknown given line {line!r}")
    txns = [transaction(book, line, f"T{n}") for n, line in enumerate(sections["when"], 1)]
    return Case(book, txns, sections["then"])


Rows = list[tuple[object, ...]]


def state(book: Book) -> tuple[Rows, Rows, dict[str, object]]:
    """(lots, gains, cash) of the whole book, rounded for comparison."""
    lots = [
        (lot.account_id, lot.instrument_id, lot.id, qty(lot.quantity), money(lot.cost_basis),
         lot.acquired, lot.holding_start, money(lot.wash_sale_adjustment))
        for aid in sorted(book.accounts) for lot in book.lots(aid)
    ]
    gains = [
        (g.account_id, g.instrument_id, g.lot_id, qty(g.quantity), money(g.proceeds),
         money(g.cost_basis), g.term.value, money(g.wash_sale_disallowed))
        for g in book.realized()
    ]
    cash = {f"{aid} {ccy}": money(v) for aid in book.accounts for ccy, v in book.cash(aid).items()}
    return lots, gains, cash


def expected(then: list[str]) -> tuple[Rows, Rows, dict[str, object], str | None]:
    """(lots, gains, cash, error text) the ``then`` section asks for."""
    lots: Rows = []
    gains: Rows = []
    cash: dict[str, object] = {}
    error = None
    for line in then:
        pos, o = _split(line)
        if pos[0] == "lot":
            _, acct, iid, lid, q, basis, acquired = pos
            hold = o.get("hold", acquired)
            lots.append((acct, iid, lid, qty(q), money(basis), date.fromisoformat(acquired),
                         date.fromisoformat(hold), money(o.get("wash", "0"))))
        elif pos[0] == "gain":
            _, acct, iid, lid, q, proceeds, basis, term = pos
            gains.append((acct, iid, lid, qty(q), money(proceeds), money(basis), term,
                          money(o.get("wash", "0"))))
        elif pos[0] == "cash":
            cash[f"{pos[1]} {pos[2]}"] = money(pos[3])
        elif pos[0] == "error":
            error = line.split(None, 1)[1]
        else:
            raise AssertionError(f"unknown then line {line!r}")
    return lots, gains, cash, error


def run(text: str) -> Book:
    """Run a golden case and assert every expectation; returns the book for further checks."""
    case = parse(text)
    want_lots, want_gains, want_cash, error = expected(case.then)
    txns = case.txns[:-1] if error else case.txns
    for txn in txns:
        case.book.apply(txn)
    if error:
        before = state(case.book)
        with pytest.raises(BallastError, match=re.escape(error)):
            case.book.apply(case.txns[-1])
        assert state(case.book) == before, "a failed apply changed the book"
    lots, gains, cash = state(case.book)
    assert sorted(lots, key=str) == sorted(want_lots, key=str), "lots differ"
    assert gains == want_gains, "realized gains differ"
    for key, amount in want_cash.items():
        assert cash.get(key) == amount, f"cash {key}: {cash.get(key)} != {amount}"
    return case.book
