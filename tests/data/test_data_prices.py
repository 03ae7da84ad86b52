"""Prices, FX and corporate-action files, and the cross-row price checks."""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ballast.config import ValidationPolicy
from ballast.data import (
    ImportContext,
    PriceTable,
    corporate_actions_from_prices,
    parse_corporate_actions,
    parse_fx,
    parse_prices,
)
from ballast.domain import (
    CorporateAction,
    CorporateActionKind,
    InstrumentId,
    UnknownReference,
)

SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
Write = Callable[[str, str], Path]
HEAD = "date,symbol,close,dividend,split_factor\n"
# Ten XNYS sessions: 2021-01-04 .. 2021-01-15.
DAYS = ["2021-01-04", "2021-01-05", "2021-01-06", "2021-01-07", "2021-01-08", "2021-01-11",
        "2021-01-12", "2021-01-13", "2021-01-14", "2021-01-15"]


def _errors(result: object) -> list[tuple[int, str, str]]:
    return [(e.row, e.field, e.reason) for e in result.errors]  # type: ignore[attr-defined]


def _series(symbol: str, closes: list[str], extra: dict[int, str] | None = None) -> str:
    extra = extra or {}
    return "".join(f"{d},{symbol},{c},{extra.get(i, ',')}\n"
                   for i, (d, c) in enumerate(zip(DAYS, closes, strict=False)))


def test_prices_happy_path(write: Write, ctx: ImportContext) -> None:
    text = HEAD + _series("AAPL", ["100", "101", "102.5"], {1: "0.25,"}) + _series(
        "MSFT", ["200", "201", "199"])
    result = parse_prices(write("prices.csv", text), ctx)
    assert result.ok, [str(e) for e in result.errors]
    assert len(result.records) == 6
    bar = result.records[1]
    assert (bar.instrument_id, bar.date, bar.close, bar.dividend, bar.split_factor) == (
        "AAPL", date(2021, 1, 5), Decimal(101), Decimal("0.25"), Decimal(1))


def test_price_row_checks(write: Write, ctx: ImportContext) -> None:
    text = HEAD + (
        "2021-01-04,AAPL,0,,\n"        # 1 non-positive close
        "2021-01-04,NOPE,10,,\n"       # 2 unknown instrument
        "2021-07-01,AAPL,10,,\n"       # 3 future
        "2021-01-05,AAPL,10,-1,0\n"    # 4 dividend, split factor
        "2021-01-06,MSFT,10,,\n"
        "2021-01-06,MSFT,10,,\n"       # 6 duplicate
    )
    result = parse_prices(write("prices.csv", text), ctx)
    assert _errors(result) == [
        (1, "close", "must be positive"),
        (2, "symbol", "unknown instrument"),
        (3, "date", "is in the future (today is 2021-06-30)"),
        (4, "dividend", "must not be negative"),
        (4, "split_factor", "must be positive"),
        (6, "date", "duplicate price for MSFT (first at row 5)"),
    ]


def test_unexplained_move_is_flagged_on_its_row(write: Write, ctx: ImportContext) -> None:
    closes = ["100", "101", "141.4", "102", "103", "104", "105", "106", "107", "108"]
    text = HEAD + _series("AAPL", closes)
    result = parse_prices(write("prices.csv", text), ctx)
    # The spike is flagged; the bar that reverts it is compared with the close before it.
    assert _errors(result) == [(3, "close", "AAPL 2021-01-06: moved +40.0% from the previous "
                                            "close 101 with no corporate action to explain it "
                                            "(limit 25%; raise it with --max-daily-move if the "
                                            "move is real)")]
    assert [b.close for b in result.records][2] == Decimal(102)
    loose = dataclasses.replace(ctx, policy=ValidationPolicy(max_daily_move=0.5))
    assert parse_prices(write("prices.csv", text), loose).ok


def test_split_factor_or_corporate_action_explains_a_move(write: Write,
                                                          ctx: ImportContext) -> None:
    closes = ["400", "404", "101", "102"]
    with_factor = HEAD + _series("AAPL", closes, {2: "0,4"})
    assert parse_prices(write("prices.csv", with_factor), ctx).ok
    bare = HEAD + _series("AAPL", closes)
    assert _errors(parse_prices(write("prices.csv", bare), ctx))[0][:2] == (3, "close")
    split = CorporateAction("S1", InstrumentId("AAPL"), CorporateActionKind.SPLIT,
                            date(2021, 1, 6), ratio=Decimal(4))
    assert parse_prices(write("prices.csv", bare),
                        dataclasses.replace(ctx, corporate_actions=(split,))).ok
    # A split factor that does not explain the move is still flagged, after adjustment.
    wrong = HEAD + _series("AAPL", closes, {2: "0,2"})
    assert "after the split factor" in parse_prices(write("p.csv", wrong), ctx).errors[0].reason


def test_first_bar_is_compared_with_prices_in_the_book(write: Write, ctx: ImportContext) -> None:
    from ballast.domain.market import PriceBar
    book = PriceTable([PriceBar(InstrumentId("AAPL"), date(2021, 1, 4), Decimal(50))])
    text = HEAD + "2021-01-05,AAPL,100,,\n"
    assert parse_prices(write("p.csv", text), ctx).ok
    result = parse_prices(write("p.csv", text), dataclasses.replace(ctx, prices=book))
    assert _errors(result)[0][:2] == (1, "close")


def test_stale_instrument_and_non_session_dates(write: Write, ctx: ImportContext) -> None:
    text = HEAD + _series("AAPL", ["100"] * 10) + _series("MSFT", ["50", "50", "50", "50"]) + (
        "2021-01-09,AAPL,100,,\n"     # row 15: a Saturday
        "2021-01-04,SAP,80,,\n"       # row 16: SAP trades on XETR
    )
    result = parse_prices(write("prices.csv", text), ctx)
    assert _errors(result) == [
        (14, "date", "stale: MSFT's latest price is 6 sessions before the file's latest date "
                     "2021-01-15 (max 5)"),
        (15, "date", "not a trading session of XNYS"),
        (16, "date", "stale: SAP's latest price is 9 sessions before the file's latest date "
                     "2021-01-15 (max 5)"),
    ]
    assert str(result.errors[1]) == ("prices.csv row 15, field date: not a trading session of "
                                     "XNYS (got 2021-01-09)")


def test_reimported_prices_are_duplicates(write: Write, ctx: ImportContext) -> None:
    path = write("prices.csv", HEAD + _series("AAPL", ["100", "101"]))
    booked = dataclasses.replace(ctx, price_keys={("AAPL", date(2021, 1, 4))})
    result = parse_prices(path, booked)
    assert result.duplicates == ["AAPL@2021-01-04"] and len(result.new_records()) == 1


def _pooksoft_prices(tmp_path: Path, start: str) -> Path:
    src = SHARED_DATA / "pooksoft_sp500_daily_adjusted" / "AAPL.csv"
    if not src.exists():
        pytest.skip(f"real data not found at {src} (see ../shared/data/MANIFEST.md)")
    out = tmp_path / "prices.csv"
    with src.open(encoding="utf-8") as fh, out.open("w", encoding="utf-8") as w:
        w.write(HEAD)
        for r in csv.DictReader(fh):
            if r["timestamp"] >= start:
                w.write(f"{r['timestamp']},AAPL,{r['close']},{r['dividend_amount']},"
                        f"{r['split_coefficient']}\n")
    return out


def test_real_aapl_split_is_explained_and_an_artificial_jump_is_not(
        tmp_path: Path, ctx: ImportContext) -> None:
    path = _pooksoft_prices(tmp_path, "2020-01-01")
    real = dataclasses.replace(ctx, today=date(2021, 4, 30))
    result = parse_prices(path, real)
    assert result.ok, [str(e) for e in result.errors[:5]]
    split_day = next(b for b in result.records if b.date == date(2020, 8, 31))
    assert (split_day.close, split_day.split_factor) == (Decimal("129.04"), Decimal(4))
    table = PriceTable(result.records)
    _, adjusted = table.adjusted_closes("AAPL", date(2020, 8, 28), date(2020, 8, 31))
    assert adjusted[1] / adjusted[0] == pytest.approx(129.04 * 4 / 499.23)
    # Multiply one close by 1.4: that row, and only that row, is flagged.
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    row = next(i for i, line in enumerate(lines) if line.startswith("2020-10-15"))
    d, sym, close, rest = lines[row].split(",", 3)
    lines[row] = f"{d},{sym},{Decimal(close) * Decimal('1.4')},{rest}"
    path.write_text("".join(lines), encoding="utf-8")
    jumped = parse_prices(path, real)
    assert [(e.row, e.field) for e in jumped.errors] == [(row, "close")]
    assert jumped.errors[0].reason.startswith(
        "AAPL 2020-10-15: moved +39.4% from the previous close 121.19")


def test_real_aapl_history_flags_only_the_2000_crash(tmp_path: Path,
                                                     ctx: ImportContext) -> None:
    """1999-2021: every date is an XNYS session, every split is explained by its factor, and
    the one unexplained move beyond 25 % is the real 2000-09-29 drop (-52 %)."""
    path = _pooksoft_prices(tmp_path, "1999-01-01")
    result = parse_prices(path, dataclasses.replace(ctx, today=date(2021, 4, 30)))
    flagged = [(result.bad_rows[e.row][0], e.field) for e in result.errors]
    assert flagged == [("2000-09-29", "close")]
    assert "-51.9%" in result.errors[0].reason


def test_fx_file(write: Write, ctx: ImportContext) -> None:
    text = ("date,base,quote,rate\n2021-01-04,EUR,USD,1.2296\n2021-01-04,EUR,EUR,1\n"
            "2021-01-04,EUR,USD,1.23\n2021-01-05,XXX,USD,0\n")
    result = parse_fx(write("fx.csv", text), ctx)
    assert [(r.base, r.quote, r.rate) for r in result.records] == [("EUR", "USD",
                                                                    Decimal("1.2296"))]
    assert _errors(result) == [
        (2, "quote", "must differ from base"),
        (3, "date", "duplicate rate for EUR/USD (first at row 1)"),
        (4, "base", "unknown currency; use an ISO 4217 code such as USD"),
        (4, "rate", "must be positive"),
    ]


def test_corporate_actions_file(write: Write, ctx: ImportContext) -> None:
    text = ("id,symbol,kind,ex_date,ratio,amount,currency,new_symbol,pay_date\n"
            "C1,AAPL,split,2020-08-31,4,,,,\n"
            "C2,AAPL,cash_dividend,2020-08-07,,0.82,,,2020-08-13\n"
            "C3,AAPL,cash_dividend,2020-08-07,,,EUR,,2020-08-01\n"
            "C4,AAPL,symbol_change,2020-08-07,,,,,\n"
            "C1,SAP,merger,2020-08-07,,,,,\n")
    result = parse_corporate_actions(write("ca.csv", text), ctx)
    c1, c2 = result.records
    assert c1.kind is CorporateActionKind.SPLIT and c1.ratio == 4
    assert (c2.amount, c2.currency, c2.pay_date) == (Decimal("0.82"), "USD", date(2020, 8, 13))
    assert _errors(result) == [
        (3, "amount", "is required for a cash_dividend"),
        (3, "currency", "currency mismatch: AAPL trades in USD"),
        (3, "pay_date", "must not be before ex_date (2020-08-07)"),
        (4, "new_symbol", "is required for a symbol_change"),
        (5, "id", "duplicate id (first at row 1)"),
        (5, "kind", "must be one of split, stock_dividend, cash_dividend, symbol_change"),
    ]


def test_dates_outside_the_calendar_are_named(write: Write, ctx: ImportContext) -> None:
    result = parse_prices(write("p.csv", HEAD + "1965-01-04,AAPL,10,,\n"), ctx)
    (err,) = result.errors
    assert (err.row, err.field) == (1, "date")
    assert err.reason.startswith("outside the XNYS calendar (1970-01-02 to ")


def test_corporate_actions_from_a_vendor_price_file(ctx: ImportContext) -> None:
    from ballast.domain.market import PriceBar
    aapl, sap = InstrumentId("AAPL"), InstrumentId("SAP")
    bars = [
        PriceBar(aapl, date(2020, 8, 28), Decimal("499.23")),
        PriceBar(aapl, date(2020, 8, 31), Decimal("129.04"), split_factor=Decimal("4.000")),
        PriceBar(aapl, date(2020, 11, 6), Decimal("118.69"), dividend=Decimal("0.205")),
        PriceBar(sap, date(2021, 5, 13), Decimal("115.9"), dividend=Decimal("1.85"),
                 split_factor=Decimal("0.5")),
    ]
    actions = corporate_actions_from_prices(bars, ctx.instruments)
    assert [(a.id, a.kind, a.ex_date, a.ratio, a.amount, a.currency) for a in actions] == [
        ("SPLIT-AAPL-2020-08-31", CorporateActionKind.SPLIT, date(2020, 8, 31), Decimal(4),
         None, "USD"),
        ("DIV-AAPL-2020-11-06", CorporateActionKind.CASH_DIVIDEND, date(2020, 11, 6), None,
         Decimal("0.205"), "USD"),
        ("SPLIT-SAP-2021-05-13", CorporateActionKind.SPLIT, date(2021, 5, 13), Decimal("0.5"),
         None, "EUR"),
        ("DIV-SAP-2021-05-13", CorporateActionKind.CASH_DIVIDEND, date(2021, 5, 13), None,
         Decimal("1.85"), "EUR"),
    ]
    assert str(actions[1].amount) == "0.205"  # the exact Decimal, never through a float
    with pytest.raises(UnknownReference, match="unknown instrument NOPE"):
        corporate_actions_from_prices(
            [PriceBar(InstrumentId("NOPE"), date(2021, 1, 4), Decimal(1), Decimal(1))],
            ctx.instruments)
