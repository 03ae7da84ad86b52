"""Parsers of the book's events: opening lots and transactions.

This is the hot path of a large import: columns are unpacked positionally, cells are converted
by small functions, and the domain constructor runs once per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from ballast.data.importing import (
    Format,
    ImportContext,
    ParseResult,
    Problems,
    bool_cell,
    date_cell,
    decimal_cell,
    enum_cell,
    read_rows,
)
from ballast.data.reference import currency_cell
from ballast.domain import (
    ZERO,
    AccountId,
    CorporateAction,
    CorporateActionKind,
    DataError,
    InstrumentId,
    LotId,
    LotMethod,
    LotSpec,
    Transaction,
    TransactionId,
    TransactionKind,
)
from ballast.domain.transaction import CASH_KINDS, SECURITY_KINDS

LOTS = Format(
    "lots",
    ("account_id", "symbol", "quantity", "cost_basis", "acquired", "holding_start", "as_of",
     "lot_id"),
    ("account_id", "symbol", "quantity", "cost_basis", "acquired", "as_of", "lot_id"),
)
TRANSACTIONS = Format(
    "transactions",
    ("id", "account_id", "date", "kind", "symbol", "quantity", "price", "amount", "currency",
     "fees", "ratio", "new_symbol", "lots", "lot_method", "reinvest", "to_currency", "to_amount",
     "counter_account", "settle_date", "memo"),
    ("id", "account_id", "date", "kind"),
)

K = TransactionKind
# Columns each kind needs besides id, account_id, date and kind.
_NEEDS: dict[TransactionKind, tuple[str, ...]] = {
    K.BUY: ("symbol", "quantity", "price"), K.SELL: ("symbol", "quantity", "price"),
    K.DEPOSIT: ("amount",), K.WITHDRAWAL: ("amount",), K.INTEREST: ("amount",),
    K.FEE: ("amount",), K.DIVIDEND: ("symbol", "amount"), K.SPLIT: ("symbol", "ratio"),
    K.STOCK_DIVIDEND: ("symbol", "ratio"), K.SYMBOL_CHANGE: ("symbol", "new_symbol"),
    K.TRANSFER_IN: ("symbol", "lots"), K.TRANSFER_OUT: ("symbol", "quantity"),
    K.FX_CONVERSION: ("amount", "to_currency", "to_amount"),
}
# Domain problem prefixes (see Transaction.problems) → CSV column.
_DOMAIN_FIELD = {"instrument": "symbol", "new_instrument": "new_symbol"}
_COL = {name: i for i, name in enumerate(TRANSACTIONS.columns)}
_NEEDS_AT = {k: tuple((c, _COL[c]) for c in cols) for k, cols in _NEEDS.items()}
_KINDS = {k.value: k for k in TransactionKind}
# Transaction kinds a corporate action books for every holder: kind → its family of actions.
_UNIT_CHANGES = (CorporateActionKind.SPLIT, CorporateActionKind.STOCK_DIVIDEND)
_BOOKED_BY: dict[TransactionKind, tuple[CorporateActionKind, ...]] = {
    K.SPLIT: _UNIT_CHANGES, K.STOCK_DIVIDEND: _UNIT_CHANGES,
    K.DIVIDEND: (CorporateActionKind.CASH_DIVIDEND,),
}


def parse_lots(path: Path, ctx: ImportContext) -> ParseResult[Transaction]:
    """Parse opening lots, each booked as a transfer_in transaction with id ``open:<lot_id>``
    dated ``as_of``: the quantity is in the share terms of that date, so only the splits after
    it apply. The lot keeps its ``acquired`` date and holding period."""
    result: ParseResult[Transaction] = ParseResult(path.name)
    seen: dict[str, int] = {}
    today = ctx.today
    for row, cells in read_rows(path, LOTS, result):
        aid, symbol, qty_s, cost_s, acquired_s, start_s, as_of_s, lot_id = cells
        p: Problems = []
        for i, name in enumerate(LOTS.columns):
            if name in LOTS.required and not cells[i]:
                p.append((name, "is required", ""))
        if lot_id in seen:
            p.append(("lot_id", f"duplicate lot_id (first at row {seen[lot_id]})", lot_id))
        elif lot_id:
            seen[lot_id] = row
        if aid and aid not in ctx.accounts:
            p.append(("account_id", "unknown account", aid))
        inst = ctx.instruments.get(InstrumentId(symbol))
        if symbol and inst is None:
            p.append(("symbol", "unknown instrument", symbol))
        qty = decimal_cell(qty_s, "quantity", p, positive=True)
        cost = decimal_cell(cost_s, "cost_basis", p, non_negative=True)
        acquired = date_cell(acquired_s, "acquired", p, today)
        start = date_cell(start_s, "holding_start", p, today)
        as_of = date_cell(as_of_s, "as_of", p, today)
        if start and acquired and start > acquired:
            p.append(("holding_start", f"must not be after acquired ({acquired})", start_s))
        if as_of and acquired and as_of < acquired:
            p.append(("as_of", f"must not be before acquired ({acquired})", as_of_s))
        if p or inst is None or qty is None or acquired is None or as_of is None:
            result.reject(row, cells, p)
            continue
        tid = f"open:{lot_id}"
        spec = LotSpec(qty, LotId(lot_id), cost, acquired, start or acquired)
        txn = Transaction(TransactionId(tid), AccountId(aid), K.TRANSFER_IN, as_of,
                          InstrumentId(symbol), qty, currency=inst.currency, lots=(spec,),
                          memo="opening lot")
        exists = lot_id in ctx.lot_ids or tid in ctx.transaction_ids
        result.add(row, txn, tid if exists else None)
    return result


def parse_transactions(path: Path, ctx: ImportContext) -> ParseResult[Transaction]:
    """Parse a transactions file (see docs/formats.md for the columns each kind uses)."""
    result: ParseResult[Transaction] = ParseResult(path.name)
    seen: dict[str, int] = {}
    instruments, accounts, today = ctx.instruments, ctx.accounts, ctx.today
    booked = _booked_events(ctx.corporate_actions)
    for row, cells in read_rows(path, TRANSACTIONS, result):
        (tid, aid, date_s, kind_s, symbol, qty_s, price_s, amount_s, ccy_s, fees_s, ratio_s,
         new_symbol, lots_s, method_s, reinvest_s, to_ccy_s, to_amount_s, counter, settle_s,
         memo) = cells
        p: Problems = []
        if not tid:
            p.append(("id", "is required", ""))
        elif tid in seen:
            p.append(("id", f"duplicate id (first at row {seen[tid]})", tid))
        else:
            seen[tid] = row
        account = accounts.get(AccountId(aid))
        if account is None:
            p.append(("account_id", "unknown account" if aid else "is required", aid))
        trade_date = date_cell(date_s, "date", p, today)
        if not date_s:
            p.append(("date", "is required", ""))
        kind = _KINDS.get(kind_s)
        if kind is None:
            if kind_s:
                enum_cell(kind_s, TransactionKind, "kind", p)
            else:
                p.append(("kind", "is required", ""))
        else:
            for c, i in _NEEDS_AT[kind]:
                if not cells[i]:
                    p.append((c, f"is required for a {kind}", ""))
        inst = instruments.get(InstrumentId(symbol)) if symbol else None
        if symbol:
            if inst is None:
                p.append(("symbol", "unknown instrument", symbol))
            elif kind in CASH_KINDS:
                p.append(("symbol", f"a {kind} does not take a symbol", symbol))
        qty = decimal_cell(qty_s, "quantity", p, positive=True) if qty_s else ZERO
        price = decimal_cell(price_s, "price", p, positive=True) if price_s else None
        amount = decimal_cell(amount_s, "amount", p, positive=True) if amount_s else ZERO
        fees = decimal_cell(fees_s, "fees", p, non_negative=True) if fees_s else ZERO
        ratio = decimal_cell(ratio_s, "ratio", p, positive=True) if ratio_s else None
        to_amount = (decimal_cell(to_amount_s, "to_amount", p, positive=True)
                     if to_amount_s else ZERO)
        currency = ccy_s
        if ccy_s and currency_cell(ccy_s, "currency", p) is None:
            currency = ""
        if kind in SECURITY_KINDS and inst is not None:
            if not currency:
                currency = inst.currency
            elif currency != inst.currency:
                p.append(("currency", f"currency mismatch: {symbol} trades in {inst.currency}",
                          ccy_s))
        elif not currency and account is not None:
            currency = account.base_currency
        to_ccy = currency_cell(to_ccy_s, "to_currency", p) if to_ccy_s else None
        if new_symbol and new_symbol not in instruments:
            p.append(("new_symbol", "unknown instrument", new_symbol))
        lots = _lot_specs(lots_s, kind, p, today) if lots_s else ()
        method = enum_cell(method_s, LotMethod, "lot_method", p) if method_s else None
        reinvest = bool_cell(reinvest_s, "reinvest", p) if reinvest_s else False
        if counter and (counter not in accounts or counter == aid):
            p.append(("counter_account", "unknown account" if counter not in accounts
                      else "must differ from account_id", counter))
        settle = date_cell(settle_s, "settle_date", p) if settle_s else None
        if settle and trade_date and settle < trade_date:
            p.append(("settle_date", f"must not be before date ({trade_date})", settle_s))
        if booked and kind in _BOOKED_BY:
            action = booked.get((symbol, trade_date, _BOOKED_BY[kind]))
            if action is not None:
                p.append(("kind", f"already booked by corporate action {action}; remove the row "
                          "or the corporate action", kind_s))
        if p or kind is None or trade_date is None:
            result.reject(row, cells, p)
            continue
        values: dict[str, Any] = {
            "id": TransactionId(tid), "account_id": AccountId(aid), "kind": kind,
            "trade_date": trade_date, "instrument_id": InstrumentId(symbol) if symbol else None,
            "quantity": qty, "price": price, "amount": amount, "currency": currency or "USD",
            "fees": fees, "ratio": ratio,
            "new_instrument_id": InstrumentId(new_symbol) if new_symbol else None,
            "lots": lots, "lot_method": method, "reinvest": bool(reinvest), "to_currency": to_ccy,
            "to_amount": to_amount, "counter_account": AccountId(counter) if counter else None,
            "settle_date": settle, "memo": memo,
        }
        try:
            txn = Transaction(**values)
        except DataError:
            result.reject(row, cells, _domain_problems(values, cells))
            continue
        result.add(row, txn, tid if tid in ctx.transaction_ids else None)
    return result


def _booked_events(actions: Iterable[CorporateAction]
                   ) -> dict[tuple[str, date | None, tuple[CorporateActionKind, ...]], str]:
    """The id of the (first) corporate action booking each (symbol, ex-date, family of kinds)."""
    out: dict[tuple[str, date | None, tuple[CorporateActionKind, ...]], str] = {}
    for a in actions:
        for family in set(_BOOKED_BY.values()):
            if a.kind in family:
                out.setdefault((a.instrument_id, a.ex_date, family), a.id)
    return out


def _domain_problems(values: dict[str, Any], cells: list[str]) -> Problems:
    """Transaction.problems() for values the constructor refused, mapped to CSV columns."""
    draft = cast(Transaction, SimpleNamespace(**values))
    out: Problems = []
    for problem in Transaction.problems(draft):
        name, _, reason = problem.partition(": ")
        column = _DOMAIN_FIELD.get(name, name)
        raw = cells[_COL[column]] if column in _COL else ""
        out.append((column if column in _COL else "", reason, raw))
    return out


def _lot_specs(raw: str, kind: TransactionKind | None, p: Problems,
               today: date) -> tuple[LotSpec, ...]:
    """``LOTID:QTY;…`` for specific lots; on a transfer in, each lot is
    ``LOTID:QTY:COST_BASIS:ACQUIRED[:HOLDING_START]``."""
    incoming = kind is K.TRANSFER_IN
    specs: list[LotSpec] = []
    form = "LOTID:QTY:COST_BASIS:ACQUIRED[:HOLDING_START]" if incoming else "LOTID:QTY"
    for item in raw.split(";"):
        parts = item.strip().split(":")
        if (len(parts) not in (4, 5) if incoming else len(parts) != 2) or not parts[0]:
            p.append(("lots", f"each lot must be {form}, separated by ';'", raw))
            return ()
        n = len(p)
        qty = decimal_cell(parts[1], "lots", p, positive=True)
        if not incoming:
            specs.append(LotSpec(qty or ZERO, LotId(parts[0])))
            continue
        cost = decimal_cell(parts[2], "lots", p, non_negative=True)
        acquired = date_cell(parts[3], "lots", p, today)
        start = date_cell(parts[4], "lots", p, today) if len(parts) == 5 else acquired
        specs.append(LotSpec(qty or ZERO, LotId(parts[0]), cost, acquired, start))
        if len(p) > n:
            return ()
    return tuple(specs)

