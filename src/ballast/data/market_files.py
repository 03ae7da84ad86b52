"""Parsers of market-data files (prices, FX rates, corporate actions), and the corporate
actions a vendor's price file records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path

from ballast.data.importing import (
    Format,
    ImportContext,
    ParseResult,
    Problems,
    date_cell,
    decimal_cell,
    enum_cell,
    field_of,
    read_rows,
)
from ballast.data.reference import currency_cell
from ballast.data.validate import validate_prices
from ballast.domain import (
    ZERO,
    CorporateAction,
    CorporateActionKind,
    DataError,
    Instrument,
    InstrumentId,
    UnknownReference,
)
from ballast.domain.market import FxRate, PriceBar

PRICES = Format("prices", ("date", "symbol", "close", "dividend", "split_factor"),
                ("date", "symbol", "close"))
FX = Format("fx", ("date", "base", "quote", "rate"), ("date", "base", "quote", "rate"))
CORPORATE_ACTIONS = Format(
    "corporate_actions",
    ("id", "symbol", "kind", "ex_date", "ratio", "amount", "currency", "new_symbol", "pay_date"),
    ("id", "symbol", "kind", "ex_date"),
)
_ONE = Decimal(1)
_CA_NEEDS = {
    CorporateActionKind.SPLIT: "ratio", CorporateActionKind.STOCK_DIVIDEND: "ratio",
    CorporateActionKind.CASH_DIVIDEND: "amount", CorporateActionKind.SYMBOL_CHANGE: "new_symbol",
}


def _required(fmt: Format, cells: list[str], p: Problems) -> None:
    for i, name in enumerate(fmt.columns):
        if not cells[i] and name in fmt.required:
            p.append((name, "is required", ""))


def parse_prices(path: Path, ctx: ImportContext) -> ParseResult[PriceBar]:
    """Parse daily closes, then run :func:`validate_prices` on the good rows.

    Rows flagged by the cross-row checks (outlier move, stale, non-session date) are errors and
    are left out of ``records``.
    """
    result: ParseResult[PriceBar] = ParseResult(path.name)
    seen: dict[tuple[str, date], int] = {}
    old_rows: set[int] = set()
    for row, cells in read_rows(path, PRICES, result):
        date_s, symbol, close_s, div_s, split_s = cells
        p: Problems = []
        _required(PRICES, cells, p)
        day = date_cell(date_s, "date", p, ctx.today)
        if symbol and symbol not in ctx.instruments:
            p.append(("symbol", "unknown instrument", symbol))
        close = decimal_cell(close_s, "close", p, positive=True)
        dividend = decimal_cell(div_s, "dividend", p, non_negative=True)
        split = decimal_cell(split_s, "split_factor", p, positive=True)
        if day is not None and symbol:
            key = (symbol, day)
            if key in seen:
                p.append(("date", f"duplicate price for {symbol} (first at row {seen[key]})",
                          date_s))
            else:
                seen[key] = row
        if p or day is None or close is None:
            result.reject(row, cells, p)
            continue
        result.records.append(PriceBar(InstrumentId(symbol), day, close,
                                       ZERO if dividend is None else dividend,
                                       _ONE if split is None else split))
        result.record_rows.append(row)
        if (symbol, day) in ctx.price_keys:
            old_rows.add(row)
    bars, rows = result.records, result.record_rows
    problems = validate_prices(bars, ctx, file=result.file, rows=rows)
    flagged = {e.row for e in problems}
    result.errors.extend(problems)
    result.errors.sort(key=lambda e: e.row)
    result.records, result.record_rows = [], []
    for bar, row in zip(bars, rows, strict=True):
        if row in flagged:
            result.bad_rows[row] = [bar.date.isoformat(), bar.instrument_id, str(bar.close),
                                    str(bar.dividend), str(bar.split_factor)]
        else:
            result.add(row, bar, f"{bar.instrument_id}@{bar.date}" if row in old_rows else None)
    return result


def parse_fx(path: Path, ctx: ImportContext) -> ParseResult[FxRate]:
    """Parse FX rates: 1 unit of ``base`` = ``rate`` units of ``quote``."""
    result: ParseResult[FxRate] = ParseResult(path.name)
    seen: dict[tuple[str, str, date], int] = {}
    for row, cells in read_rows(path, FX, result):
        date_s, base_s, quote_s, rate_s = cells
        p: Problems = []
        _required(FX, cells, p)
        day = date_cell(date_s, "date", p, ctx.today)
        base = currency_cell(base_s, "base", p)
        quote = currency_cell(quote_s, "quote", p)
        rate = decimal_cell(rate_s, "rate", p, positive=True)
        if base and base == quote:
            p.append(("quote", "must differ from base", quote_s))
        if day is not None and base and quote:
            key = (base, quote, day)
            if key in seen:
                p.append(("date", f"duplicate rate for {base}/{quote} (first at row "
                          f"{seen[key]})", date_s))
            else:
                seen[key] = row
        if p or day is None or base is None or quote is None or rate is None:
            result.reject(row, cells, p)
            continue
        old = (base, quote, day) in ctx.fx_keys
        result.add(row, FxRate(base, quote, day, rate), f"{base}/{quote}@{day}" if old else None)
    return result


def parse_corporate_actions(path: Path, ctx: ImportContext) -> ParseResult[CorporateAction]:
    """Parse corporate actions; a cash dividend's currency defaults to the instrument's."""
    result: ParseResult[CorporateAction] = ParseResult(path.name)
    seen: dict[str, int] = {}
    for row, cells in read_rows(path, CORPORATE_ACTIONS, result):
        cid, symbol, kind_s, ex_s, ratio_s, amount_s, ccy_s, new_symbol, pay_s = cells
        p: Problems = []
        _required(CORPORATE_ACTIONS, cells, p)
        if cid in seen:
            p.append(("id", f"duplicate id (first at row {seen[cid]})", cid))
        elif cid:
            seen[cid] = row
        inst = ctx.instruments.get(InstrumentId(symbol))
        if symbol and inst is None:
            p.append(("symbol", "unknown instrument", symbol))
        kind = enum_cell(kind_s, CorporateActionKind, "kind", p)
        if kind is not None and not cells[CORPORATE_ACTIONS.columns.index(_CA_NEEDS[kind])]:
            p.append((_CA_NEEDS[kind], f"is required for a {kind}", ""))
        ex_date = date_cell(ex_s, "ex_date", p, ctx.today)
        ratio = decimal_cell(ratio_s, "ratio", p, positive=True)
        amount = decimal_cell(amount_s, "amount", p, positive=True)
        currency = currency_cell(ccy_s, "currency", p)
        if inst is not None and currency and currency != inst.currency:
            p.append(("currency", f"currency mismatch: {symbol} trades in {inst.currency}",
                      ccy_s))
        if new_symbol and new_symbol not in ctx.instruments:
            p.append(("new_symbol", "unknown instrument", new_symbol))
        pay_date = date_cell(pay_s, "pay_date", p)
        if pay_date and ex_date and pay_date < ex_date:
            p.append(("pay_date", f"must not be before ex_date ({ex_date})", pay_s))
        if p or inst is None or kind is None or ex_date is None:
            result.reject(row, cells, p)
            continue
        try:
            action = CorporateAction(cid, InstrumentId(symbol), kind, ex_date, ratio, amount,
                                     currency or inst.currency,
                                     InstrumentId(new_symbol) if new_symbol else None, pay_date)
        except DataError as exc:
            result.reject(row, cells, [(field_of(str(exc), CORPORATE_ACTIONS.columns),
                                        str(exc), "")])
            continue
        result.add(row, action, cid if cid in ctx.corporate_action_ids else None)
    return result


def corporate_actions_from_prices(bars: Iterable[PriceBar],
                                  instruments: Mapping[InstrumentId, Instrument]
                                  ) -> list[CorporateAction]:
    """The splits and cash dividends a vendor's price file marks on their ex-dates.

    A bar with a split factor other than 1 gives the split ``SPLIT-<symbol>-<date>`` (ratio =
    the factor); a bar with a dividend gives ``DIV-<symbol>-<date>`` (amount per unit, in the
    instrument's currency). Values are the bars' exact Decimals. Raises UnknownReference for a
    bar of an instrument not in ``instruments``.
    """
    out: list[CorporateAction] = []
    for bar in bars:
        if bar.split_factor == _ONE and not bar.dividend:
            continue
        symbol, day = bar.instrument_id, bar.date
        inst = instruments.get(symbol)
        if inst is None:
            raise UnknownReference(f"price {symbol} {day}: unknown instrument {symbol}",
                                   hint="Import the instruments file first.")
        if bar.split_factor != _ONE:
            out.append(CorporateAction(f"SPLIT-{symbol}-{day}", symbol, CorporateActionKind.SPLIT,
                                       day, ratio=bar.split_factor, currency=inst.currency))
        if bar.dividend:
            out.append(CorporateAction(f"DIV-{symbol}-{day}", symbol,
                                       CorporateActionKind.CASH_DIVIDEND, day,
                                       amount=bar.dividend, currency=inst.currency))
    return out
