"""Parsers of reference data: instruments, households and accounts."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ballast.data.calendar import DEFAULT_EXCHANGE, known_exchanges
from ballast.data.importing import (
    Format,
    ImportContext,
    ParseResult,
    Problems,
    bool_cell,
    date_cell,
    decimal_cell,
    enum_cell,
    field_of,
    read_rows,
)
from ballast.domain import (
    Account,
    AccountId,
    AccountType,
    DataError,
    Household,
    HouseholdId,
    Instrument,
    InstrumentId,
    InstrumentKind,
    LotMethod,
    OptionRight,
    Restrictions,
)
from ballast.domain.instrument import DERIVATIVE_KINDS
from ballast.domain.money import is_currency

INSTRUMENTS = Format(
    "instruments",
    ("symbol", "kind", "currency", "name", "asset_class", "sector", "country", "exchange",
     "issuer", "lot_size", "fractional", "multiplier", "expiry", "strike", "right", "underlying",
     "wash_sale_group"),
    ("symbol", "kind", "currency"),
)
HOUSEHOLDS = Format("households", ("household_id", "name"), ("household_id",))
ACCOUNTS = Format(
    "accounts",
    ("account_id", "household_id", "name", "type", "base_currency", "custodian", "model",
     "lot_method", "allow_shorts", "allow_margin", "do_not_buy", "do_not_sell", "excluded"),
    ("account_id", "household_id", "type"),
)


def currency_cell(raw: str, name: str, problems: Problems) -> str | None:
    """An ISO 4217 (or listed crypto) currency code."""
    if not raw:
        return None
    if not is_currency(raw):
        problems.append((name, "unknown currency; use an ISO 4217 code such as USD", raw))
        return None
    return raw


def parse_instruments(path: Path, ctx: ImportContext) -> ParseResult[Instrument]:
    """Parse an instruments file; an option's underlying may be defined earlier in the file."""
    result: ParseResult[Instrument] = ParseResult(path.name)
    seen: dict[str, int] = {}
    defined: dict[str, Instrument] = {}
    for row, cells in read_rows(path, INSTRUMENTS, result):
        (symbol, kind_s, currency_s, name, asset_class, sector, country, exchange, issuer,
         lot_size_s, fractional_s, multiplier_s, expiry_s, strike_s, right_s, underlying,
         wash_sale_group) = cells
        p: Problems = []
        if not symbol or symbol != symbol.strip():
            p.append(("symbol", "is required and must not have surrounding spaces", symbol))
        elif symbol in seen:
            p.append(("symbol", f"duplicate symbol (first at row {seen[symbol]})", symbol))
        kind = enum_cell(kind_s, InstrumentKind, "kind", p)
        if not kind_s:
            p.append(("kind", "is required", ""))
        currency_cell(currency_s, "currency", p)
        if not currency_s:
            p.append(("currency", "is required", ""))
        exchange = exchange or DEFAULT_EXCHANGE
        if exchange not in known_exchanges():
            p.append(("exchange", "unknown exchange calendar; use a MIC such as XNYS", exchange))
        lot_size = decimal_cell(lot_size_s, "lot_size", p, positive=True)
        fractional = bool_cell(fractional_s, "fractional", p)
        multiplier = decimal_cell(multiplier_s, "multiplier", p, positive=True)
        expiry = date_cell(expiry_s, "expiry", p)
        strike = decimal_cell(strike_s, "strike", p, positive=True)
        right = enum_cell(right_s, OptionRight, "right", p)
        if underlying and underlying not in ctx.instruments and underlying not in defined:
            p.append(("underlying", "unknown instrument", underlying))
        if kind in DERIVATIVE_KINDS:
            needed = [("expiry", expiry_s), ("underlying", underlying)]
            if kind is InstrumentKind.OPTION:
                needed += [("strike", strike_s), ("right", right_s)]
            p.extend((f, f"is required for a {kind}", "") for f, v in needed if not v)
        if symbol and symbol not in seen:
            seen[symbol] = row
        if p:
            result.reject(row, cells, p)
            continue
        try:
            inst = Instrument(
                InstrumentId(symbol), InstrumentKind(kind_s), currency_s, name, asset_class,
                sector, country, exchange, issuer, Decimal(1) if lot_size is None else lot_size,
                bool(fractional), Decimal(1) if multiplier is None else multiplier, expiry,
                strike, right, InstrumentId(underlying) if underlying else None,
                wash_sale_group,
            )
        except DataError as exc:
            result.reject(row, cells, [(exc.field or field_of(str(exc), INSTRUMENTS.columns),
                                        str(exc), "")])
            continue
        defined[symbol] = inst
        existing = ctx.instruments.get(InstrumentId(symbol))
        if existing is not None and existing != inst:
            result.reject(row, cells, [("symbol", "already exists with different values", symbol)])
            continue
        result.add(row, inst, symbol if existing is not None else None)
    return result


def parse_households(path: Path, ctx: ImportContext) -> ParseResult[Household]:
    """Parse a households file."""
    result: ParseResult[Household] = ParseResult(path.name)
    seen: dict[str, int] = {}
    for row, cells in read_rows(path, HOUSEHOLDS, result):
        hid, name = cells
        if not hid:
            result.reject(row, cells, [("household_id", "is required", "")])
        elif hid in seen:
            result.reject(row, cells, [(
                "household_id", f"duplicate household_id (first at row {seen[hid]})", hid)])
        else:
            seen[hid] = row
            result.add(row, Household(HouseholdId(hid), name),
                       hid if hid in ctx.households else None)
    return result


def parse_accounts(path: Path, ctx: ImportContext) -> ParseResult[Account]:
    """Parse an accounts file; restriction lists are symbols separated by ';'."""
    result: ParseResult[Account] = ParseResult(path.name)
    seen: dict[str, int] = {}
    for row, cells in read_rows(path, ACCOUNTS, result):
        (aid, hid, name, type_s, base_s, custodian, model, method_s, shorts_s, margin_s,
         dnb_s, dns_s, excl_s) = cells
        p: Problems = []
        if not aid:
            p.append(("account_id", "is required", ""))
        elif aid in seen:
            p.append(("account_id", f"duplicate account_id (first at row {seen[aid]})", aid))
        else:
            seen[aid] = row
        if not hid:
            p.append(("household_id", "is required", ""))
        elif hid not in ctx.households:
            p.append(("household_id", "unknown household", hid))
        kind = enum_cell(type_s, AccountType, "type", p)
        if not type_s:
            p.append(("type", "is required", ""))
        base = currency_cell(base_s, "base_currency", p) or "USD"
        method = enum_cell(method_s, LotMethod, "lot_method", p)
        shorts = bool_cell(shorts_s, "allow_shorts", p)
        margin = bool_cell(margin_s, "allow_margin", p)
        lists = [_symbols(s, n, ctx, p) for s, n in
                 ((dnb_s, "do_not_buy"), (dns_s, "do_not_sell"), (excl_s, "excluded"))]
        if p or kind is None:
            result.reject(row, cells, p)
            continue
        try:
            account = Account(AccountId(aid), HouseholdId(hid), name, kind, base, custodian,
                              model, method or LotMethod.MIN_TAX, bool(shorts), bool(margin),
                              Restrictions(*lists))
        except DataError as exc:
            result.reject(row, cells, [(field_of(str(exc), ACCOUNTS.columns), str(exc), "")])
            continue
        existing = ctx.accounts.get(AccountId(aid))
        if existing is not None and existing != account:
            result.reject(row, cells, [("account_id", "already exists with different values", aid)])
            continue
        result.add(row, account, aid if existing is not None else None)
    return result


def _symbols(raw: str, name: str, ctx: ImportContext, p: Problems) -> frozenset[InstrumentId]:
    symbols = [s.strip() for s in raw.split(";") if s.strip()] if raw else []
    unknown = [s for s in symbols if s not in ctx.instruments]
    if unknown:
        p.append((name, "unknown instrument(s)", ";".join(unknown)))
    return frozenset(InstrumentId(s) for s in symbols)
