"""Instruments and accounts: happy paths and every row check with its row and field."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from ballast.data import ImportContext, parse_accounts, parse_instruments
from ballast.domain import AccountType, InstrumentKind, LotMethod, OptionRight

Write = Callable[[str, str], Path]
HEAD = ("symbol,kind,currency,name,asset_class,sector,country,exchange,issuer,lot_size,"
        "fractional,multiplier,expiry,strike,right,underlying\n")  # no wash_sale_group: optional


def _errors(result: object) -> list[tuple[int, str, str]]:
    return [(e.row, e.field, e.reason) for e in result.errors]  # type: ignore[attr-defined]


def test_instruments_happy_path_with_option_on_earlier_row(write: Write,
                                                           ctx: ImportContext) -> None:
    text = HEAD + (
        "NVDA,equity,USD,NVIDIA,equity,IT,US,XNAS,,,true,,,,,\n"
        "NVDA220121C00300000,option,USD,,,,,,,,,100,2022-01-21,300,call,NVDA\n"
        "BRK.B,equity,USD,,,,,,BRK,0.5,,,,,,\n"
    )
    result = parse_instruments(write("instruments.csv", text), ctx)
    assert result.ok, [str(e) for e in result.errors]
    nvda, opt, brk = result.records
    assert nvda.exchange == "XNAS" and nvda.fractional and nvda.lot_size == Decimal(1)
    assert opt.kind is InstrumentKind.OPTION and opt.right is OptionRight.CALL
    assert (opt.strike, opt.multiplier, opt.expiry) == (Decimal(300), Decimal(100),
                                                        date(2022, 1, 21))
    assert opt.underlying == "NVDA"
    assert brk.exchange == "XNYS" and brk.issuer_key == "BRK" and brk.lot_size == Decimal("0.5")


def test_instrument_row_errors(write: Write, ctx: ImportContext) -> None:
    text = HEAD + (
        "X1,stock,USD,,,,,,,,,,,,,\n"           # 1 bad enum
        "X2,equity,ZZZ,,,,,,,,,,,,,\n"          # 2 unknown currency
        "X3,equity,USD,,,,,,,-1,maybe,,,,,\n"   # 3 lot size, bool
        "X4,option,USD,,,,,,,,,,2022-01-21,,,AAPL\n"  # 4 strike and right missing
        "X5,option,USD,,,,,,,,,,2022-01-21,10,put,NOPE\n"  # 5 unknown underlying
        "X5,equity,USD,,,,,XXXX,,,,,,,,\n"      # 6 duplicate + unknown exchange
        ",equity,,,,,,,,,,,,,,\n"               # 7 symbol and currency missing
    )
    result = parse_instruments(write("instruments.csv", text), ctx)
    assert result.records == []
    assert _errors(result) == [
        (1, "kind", "must be one of equity, etf, mutual_fund, bond, cash, future, option, "
                    "crypto, fx_pair"),
        (2, "currency", "unknown currency; use an ISO 4217 code such as USD"),
        (3, "lot_size", "must be positive"),
        (3, "fractional", "must be one of true, false"),
        (4, "strike", "is required for a option"),
        (4, "right", "is required for a option"),
        (5, "underlying", "unknown instrument"),
        (6, "symbol", "duplicate symbol (first at row 5)"),
        (6, "exchange", "unknown exchange calendar; use a MIC such as XNYS"),
        (7, "symbol", "is required and must not have surrounding spaces"),
        (7, "currency", "is required"),
    ]
    assert str(result.errors[0]).endswith("(got stock)")


def test_existing_instruments(write: Write, ctx: ImportContext) -> None:
    text = HEAD + "AAPL,equity,USD,,,,,,,,,,,,,\nMSFT,equity,EUR,,,,,,,,,,,,,\n"
    result = parse_instruments(write("instruments.csv", text), ctx)
    assert result.duplicates == ["AAPL"] and result.new_records() == []
    assert _errors(result) == [(2, "symbol", "already exists with different values")]


def test_wash_sale_group_is_an_optional_column(write: Write, ctx: ImportContext) -> None:
    text = ("symbol,kind,currency,wash_sale_group\n"
            "VOO,etf,USD,VG-500\nVFIAX,mutual_fund,USD,VG-500\nIVV,etf,USD,\n"
            "VTSAX,mutual_fund,USD, VG-TOTAL\n")
    result = parse_instruments(write("instruments.csv", text), ctx)
    assert [(i.id, i.wash_sale_group) for i in result.records] == [
        ("VOO", "VG-500"), ("VFIAX", "VG-500"), ("IVV", "")]
    [error] = result.errors
    assert (error.row, error.field) == (4, "wash_sale_group")
    assert "surrounding spaces" in error.reason
    without = parse_instruments(write("instruments.csv", "symbol,kind,currency\nVOO,etf,USD\n"),
                                ctx)
    assert without.records[0].wash_sale_group == ""


ACC_HEAD = ("account_id,household_id,name,type,base_currency,custodian,model,lot_method,"
            "allow_shorts,allow_margin,do_not_buy,do_not_sell,excluded\n")


def test_accounts_happy_path(write: Write, ctx: ImportContext) -> None:
    text = ACC_HEAD + ("B1,H1,Roth,tax_exempt,,Schwab,growth,fifo,no,YES,AAPL;MSFT,,SAP\n"
                       "B2,H1,,taxable,EUR,,,,,,,,\n")
    result = parse_accounts(write("accounts.csv", text), ctx)
    assert result.ok, [str(e) for e in result.errors]
    b1, b2 = result.records
    assert b1.type is AccountType.TAX_EXEMPT and b1.lot_method is LotMethod.FIFO
    assert (b1.allow_shorts, b1.allow_margin, b1.base_currency) == (False, True, "USD")
    assert b1.restrictions.do_not_buy == {"AAPL", "MSFT"}
    assert b1.restrictions.excluded == {"SAP"}
    assert b2.base_currency == "EUR" and b2.lot_method is LotMethod.MIN_TAX


def test_account_row_errors(write: Write, ctx: ImportContext) -> None:
    text = ACC_HEAD + (
        "B1,H9,,taxable,,,,,,,,,\n"          # 1 unknown household
        "B2,H1,,ira,,,,,,,,,\n"              # 2 bad type
        "B3,H1,,taxable,,,,fifo,,,AAPL;XYZ,,\n"  # 3 unknown restricted symbol
        "B3,H1,,taxable,,,,lowest,,,,,\n"    # 4 duplicate + bad lot method
        "A1,H1,other name,taxable,,,,,,,,,\n"  # 5 exists with different values
    )
    result = parse_accounts(write("accounts.csv", text), ctx)
    assert result.records == []
    assert _errors(result) == [
        (1, "household_id", "unknown household"),
        (2, "type", "must be one of taxable, tax_deferred, tax_exempt"),
        (3, "do_not_buy", "unknown instrument(s)"),
        (4, "account_id", "duplicate account_id (first at row 3)"),
        (4, "lot_method", "must be one of fifo, lifo, hifo, specific, average, min_tax"),
        (5, "account_id", "already exists with different values"),
    ]
    assert (result.errors[2].raw, result.errors[3].raw) == ("XYZ", "B3")


def test_identical_account_is_a_duplicate(write: Write, ctx: ImportContext) -> None:
    a1 = ctx.accounts["A1"]  # type: ignore[index]
    text = ACC_HEAD + f"A1,H1,A1,taxable,USD,,,{a1.lot_method},,,,,\n"
    result = parse_accounts(write("accounts.csv", text), ctx)
    assert result.ok and result.duplicates == ["A1"] and result.new_records() == []
    changed = dataclasses.replace(ctx, accounts={})
    assert parse_accounts(write("accounts.csv", text), changed).duplicates == []
