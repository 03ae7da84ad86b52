"""Opening lots and transactions: every kind parses; every check names its row and field."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from ballast.data import ImportContext, parse_lots, parse_transactions
from ballast.domain import (
    CorporateAction,
    CorporateActionKind,
    InstrumentId,
    LotMethod,
    LotSpec,
    TransactionKind,
)

Write = Callable[[str, str], Path]
HEAD = ("id,account_id,date,kind,symbol,quantity,price,amount,currency,fees,ratio,new_symbol,"
        "lots,lot_method,reinvest,to_currency,to_amount,counter_account,settle_date,memo\n")
SHORT = "id,account_id,date,kind,symbol,quantity,price,amount,currency\n"


def _errors(result: object) -> list[tuple[int, str, str]]:
    return [(e.row, e.field, e.reason) for e in result.errors]  # type: ignore[attr-defined]


def test_every_kind_parses(write: Write, ctx: ImportContext) -> None:
    text = HEAD + (
        "T1,A1,2021-01-04,deposit,,,,1000,,,,,,,,,,,,hello\n"
        "T2,A1,2021-01-05,buy,AAPL,10,130.50,,,1.25,,,,,,,,,2021-01-07,\n"
        "T3,A1,2021-02-05,sell,AAPL,4,136,,USD,,,,L1:3;L2:1,specific,,,,,,\n"
        "T4,A1,2021-02-05,dividend,AAPL,,132.00,2.05,,,,,,,true,,,,,\n"
        "T5,A1,2021-02-06,split,AAPL,,,,,,4,,,,,,,,,\n"
        "T6,A1,2021-02-07,symbol_change,AAPL,,,,,,,MSFT,,,,,,,,\n"
        "T7,E1,2021-02-08,transfer_in,SAP,,,,,,,,X1:5:500:2019-01-02;X2:1:90:2020-01-02:2019-06-01,"
        ",,,,,,\n"
        "T8,A1,2021-02-09,transfer_out,MSFT,2,,,,,,,,,,,,E1,,\n"
        "T9,E1,2021-02-10,fx_conversion,,,,100,,,,,,,,USD,121.5,,,\n"
        "T10,E1,2021-02-11,fee,,,,3.5,,,,,,,,,,,,\n"
    )
    result = parse_transactions(write("transactions.csv", text), ctx)
    assert result.ok, [str(e) for e in result.errors]
    t = {x.id: x for x in result.records}
    assert [x.kind for x in result.records] == [
        TransactionKind.DEPOSIT, TransactionKind.BUY, TransactionKind.SELL,
        TransactionKind.DIVIDEND, TransactionKind.SPLIT, TransactionKind.SYMBOL_CHANGE,
        TransactionKind.TRANSFER_IN, TransactionKind.TRANSFER_OUT, TransactionKind.FX_CONVERSION,
        TransactionKind.FEE]
    assert (t["T1"].amount, t["T1"].currency, t["T1"].memo) == (Decimal(1000), "USD", "hello")
    assert (t["T2"].quantity, t["T2"].price, t["T2"].fees) == (10, Decimal("130.50"),
                                                               Decimal("1.25"))
    assert t["T2"].settle_date == date(2021, 1, 7) and t["T2"].instrument_id == "AAPL"
    assert t["T3"].lots == (LotSpec(Decimal(3), "L1"), LotSpec(Decimal(1), "L2"))  # type: ignore[arg-type]
    assert t["T3"].lot_method is LotMethod.SPECIFIC
    assert t["T4"].reinvest and t["T5"].ratio == 4 and t["T6"].new_instrument_id == "MSFT"
    assert t["T7"].currency == "EUR"  # the instrument's currency
    assert t["T7"].lots[1] == LotSpec(Decimal(1), "X2", Decimal(90), date(2020, 1, 2),  # type: ignore[arg-type]
                                      date(2019, 6, 1))
    assert t["T7"].lots[0].holding_start == date(2019, 1, 2)
    assert t["T8"].counter_account == "E1"
    assert (t["T9"].currency, t["T9"].to_currency, t["T9"].to_amount) == ("EUR", "USD",
                                                                         Decimal("121.5"))
    assert t["T10"].currency == "EUR"  # the account's base currency


def test_price_must_be_positive_names_row_and_field(write: Write, ctx: ImportContext) -> None:
    rows = "".join(f"T{i},A1,2021-01-04,buy,AAPL,1,10,,\n" for i in range(1, 7))
    text = SHORT + rows + "T7,A1,2021-01-04,buy,AAPL,1,-3,,\n"
    result = parse_transactions(write("transactions.csv", text), ctx)
    assert [str(e) for e in result.errors] == [
        "transactions.csv row 7, field price: must be positive (got -3)"]
    assert len(result.records) == 6 and result.bad_rows[7][0] == "T7"


def test_row_checks(write: Write, ctx: ImportContext) -> None:
    text = SHORT + (
        "T1,ZZ,2021-01-04,buy,AAPL,1,10,,\n"          # 1 unknown account
        "T2,A1,2021-01-04,buy,NOPE,1,10,,\n"          # 2 unknown instrument
        "T3,A1,2021-01-04,buy,SAP,1,10,,USD\n"        # 3 currency mismatch
        "T4,A1,2021-07-01,deposit,,,,5,\n"            # 4 after today
        "T4,A1,04/01/2021,purchase,,x,,,\n"           # 5 duplicate id, bad date/kind/decimal
        ",A1,,,,,,,\n"                                # 6 id, date, kind missing
        "T7,A1,2021-01-04,buy,AAPL,,,,\n"             # 7 needs quantity and price
        "T8,A1,2021-01-04,deposit,AAPL,,,5,XXX\n"     # 8 symbol on cash kind, bad currency
    )
    result = parse_transactions(write("transactions.csv", text), ctx)
    assert result.records == []
    assert _errors(result) == [
        (1, "account_id", "unknown account"),
        (2, "symbol", "unknown instrument"),
        (3, "currency", "currency mismatch: SAP trades in EUR"),
        (4, "date", "is in the future (today is 2021-06-30)"),
        (5, "id", "duplicate id (first at row 4)"),
        (5, "date", "not a date in the form YYYY-MM-DD"),
        (5, "kind", "must be one of buy, sell, deposit, withdrawal, dividend, interest, fee, "
                    "split, stock_dividend, symbol_change, transfer_in, transfer_out, "
                    "fx_conversion"),
        (5, "quantity", "not a decimal number"),
        (6, "id", "is required"),
        (6, "date", "is required"),
        (6, "kind", "is required"),
        (7, "quantity", "is required for a buy"),
        (7, "price", "is required for a buy"),
        (8, "symbol", "a deposit does not take a symbol"),
        (8, "currency", "unknown currency; use an ISO 4217 code such as USD"),
    ]


def test_more_row_checks(write: Write, ctx: ImportContext) -> None:
    text = HEAD + (
        "T1,A1,2021-01-04,sell,AAPL,1,10,,,,,,L1-3,,,,,,,\n"       # 1 lots syntax
        "T2,A1,2021-01-04,transfer_out,AAPL,1,,,,,,,,,,,,A1,,\n"   # 2 counter = itself
        "T3,A1,2021-01-04,buy,AAPL,1,10,,,-1,,,,,,,,,2021-01-01,\n"  # 3 fees, settle
        "T4,A1,2021-01-04,fx_conversion,,,,5,USD,,,,,,,USD,5,,,\n"  # 4 domain problem
        "T5,A1,2021-01-04,dividend,AAPL,,,5,,,,,,,yes,,,,,\n"       # 5 domain: reinvest price
    )
    result = parse_transactions(write("transactions.csv", text), ctx)
    assert _errors(result) == [
        (1, "lots", "each lot must be LOTID:QTY, separated by ';'"),
        (2, "counter_account", "must differ from account_id"),
        (3, "fees", "must not be negative"),
        (3, "settle_date", "must not be before date (2021-01-04)"),
        (4, "to_currency", "must name a different currency"),
        (5, "price", "a reinvested dividend needs the reinvestment price"),
    ]
    assert result.errors[3].raw == "2021-01-01" and result.errors[4].raw == "USD"


def test_reimport_is_detected(write: Write, ctx: ImportContext) -> None:
    text = SHORT + "T1,A1,2021-01-04,deposit,,,,5,\nT2,A1,2021-01-04,deposit,,,,6,\n"
    path = write("transactions.csv", text)
    first = parse_transactions(path, ctx)
    booked = dataclasses.replace(ctx, transaction_ids=frozenset(t.id for t in first.records))
    again = parse_transactions(path, booked)
    assert again.ok and again.duplicates == ["T1", "T2"] and again.new_records() == []
    assert again.records == first.records


LOTS_HEAD = "account_id,symbol,quantity,cost_basis,acquired,holding_start,as_of,lot_id\n"


def test_opening_lots_become_transfers_in_on_their_as_of_date(write: Write,
                                                               ctx: ImportContext) -> None:
    text = LOTS_HEAD + ("A1,AAPL,10,1500.00,2020-03-02,,2020-06-01,L1\n"
                        "E1,SAP,5,480,2020-04-01,2019-12-01,2020-04-01,L2\n")
    result = parse_lots(write("lots.csv", text), ctx)
    assert result.ok
    t1, t2 = result.records
    assert (t1.id, t1.kind, t1.trade_date, t1.currency) == (
        "open:L1", TransactionKind.TRANSFER_IN, date(2020, 6, 1), "USD")
    assert t1.lots == (LotSpec(Decimal(10), "L1", Decimal("1500.00"), date(2020, 3, 2),  # type: ignore[arg-type]
                               date(2020, 3, 2)),)
    assert t2.currency == "EUR" and t2.lots[0].holding_start == date(2019, 12, 1)
    assert t2.trade_date == date(2020, 4, 1)
    again = parse_lots(write("lots.csv", text), dataclasses.replace(ctx, lot_ids={"L2"}))
    assert again.duplicates == ["open:L2"] and [t.id for t in again.new_records()] == ["open:L1"]


def test_lot_row_checks(write: Write, ctx: ImportContext) -> None:
    text = LOTS_HEAD + (
        "A1,AAPL,10,100,2020-03-02,,2020-03-02,L1\n"
        "A1,AAPL,0,-1,2020-03-02,2020-04-01,2020-03-02,L1\n"  # 2 dup, qty, basis, holding start
        "A9,XX,1,1,,,,\n"                       # 3 missing acquired, as_of, lot_id; unknowns
        "A1,AAPL,1,1,2020-03-02,,2020-03-01,L4\n"  # 4 as_of before acquired
        "A1,AAPL,1,1,2020-03-02,,2021-07-01,L5\n"  # 5 as_of after today
    )
    result = parse_lots(write("lots.csv", text), ctx)
    assert [t.id for t in result.records] == ["open:L1"]
    assert _errors(result) == [
        (2, "lot_id", "duplicate lot_id (first at row 1)"),
        (2, "quantity", "must be positive"),
        (2, "cost_basis", "must not be negative"),
        (2, "holding_start", "must not be after acquired (2020-03-02)"),
        (3, "acquired", "is required"),
        (3, "as_of", "is required"),
        (3, "lot_id", "is required"),
        (3, "account_id", "unknown account"),
        (3, "symbol", "unknown instrument"),
        (4, "as_of", "must not be before acquired (2020-03-02)"),
        (5, "as_of", "is in the future (today is 2021-06-30)"),
    ]


def test_a_lot_file_without_as_of_is_rejected(write: Write, ctx: ImportContext) -> None:
    text = "account_id,symbol,quantity,cost_basis,acquired,lot_id\nA1,AAPL,1,1,2020-03-02,L1\n"
    result = parse_lots(write("lots.csv", text), ctx)
    assert result.records == [] and _errors(result) == [
        (0, "", "missing required column(s): as_of")]


def test_events_booked_by_a_corporate_action_are_refused(write: Write,
                                                         ctx: ImportContext) -> None:
    aapl, msft = InstrumentId("AAPL"), InstrumentId("MSFT")
    actions = (
        CorporateAction("CA-SPLIT", aapl, CorporateActionKind.SPLIT, date(2021, 2, 8),
                        ratio=Decimal(4)),
        CorporateAction("CA-DIV", msft, CorporateActionKind.CASH_DIVIDEND, date(2021, 2, 17),
                        amount=Decimal("0.56")),
        CorporateAction("CA-SD", msft, CorporateActionKind.STOCK_DIVIDEND, date(2021, 3, 1),
                        ratio=Decimal("0.05")),
    )
    booked = dataclasses.replace(ctx, corporate_actions=actions)
    text = HEAD + (
        "T1,A1,2021-02-08,split,AAPL,,,,,,4,,,,,,,,,\n"           # 1 the split again
        "T2,A1,2021-02-17,dividend,MSFT,,,5.60,,,,,,,,,,,,\n"     # 2 the dividend again
        "T3,A1,2021-03-01,split,MSFT,,,,,,1.05,,,,,,,,,\n"        # 3 same family (stock div.)
        "T4,A1,2021-02-09,split,AAPL,,,,,,4,,,,,,,,,\n"           # another date: kept
        "T5,A1,2021-02-17,dividend,AAPL,,,5.60,,,,,,,,,,,,\n"     # another symbol: kept
        "T6,A1,2021-02-08,dividend,AAPL,,,1.00,,,,,,,,,,,,\n"     # another family: kept
        "T7,A1,2021-02-17,buy,MSFT,1,240,,,,,,,,,,,,,\n"           # not an event kind: kept
    )
    result = parse_transactions(write("transactions.csv", text), booked)
    why = "; remove the row or the corporate action"
    assert _errors(result) == [
        (1, "kind", "already booked by corporate action CA-SPLIT" + why),
        (2, "kind", "already booked by corporate action CA-DIV" + why),
        (3, "kind", "already booked by corporate action CA-SD" + why),
    ]
    assert [t.id for t in result.records] == ["T4", "T5", "T6", "T7"]
    assert parse_transactions(write("transactions.csv", text), ctx).ok
