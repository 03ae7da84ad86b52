"""A custodian's position file (docs/formats.md, "custodian positions"): what the custodian
holds for each client account on one day — positions by instrument with their market value,
and cash by currency — as reconciliation compares it with the book."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from ballast.data.importing import (
    Format,
    ParseResult,
    Problems,
    RowError,
    date_cell,
    decimal_cell,
    enum_cell,
    read_rows,
    require,
)
from ballast.data.reference import currency_cell
from ballast.domain import DataError

CUSTODIAN_POSITIONS = Format(
    "custodian_positions",
    ("as_of", "account_id", "type", "symbol", "quantity", "market_value", "currency"),
    ("as_of", "account_id", "type"))
SHOWN_ERRORS = 20


class LineType(StrEnum):
    POSITION = "position"
    CASH = "cash"


@dataclass(frozen=True, slots=True)
class CustodianLine:
    """One line of the file: a position (``item`` the symbol, ``quantity``, the market value
    if given) or a cash balance (``item`` the currency, ``quantity`` the balance)."""

    as_of: date
    account_id: str
    type: LineType
    item: str
    quantity: Decimal
    market_value: Decimal | None
    currency: str | None


@dataclass(frozen=True, slots=True)
class CustodianStatement:
    """A whole file: its date, positions by (account, symbol), market values of the positions
    that gave one, and cash by (account, currency)."""

    file: str
    as_of: date
    positions: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    market_values: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    cash: dict[tuple[str, str], Decimal] = field(default_factory=dict)

    @property
    def accounts(self) -> set[str]:
        """Every account the file names."""
        return {a for a, _ in self.positions} | {a for a, _ in self.cash}


def parse_custodian(path: Path) -> ParseResult[CustodianLine]:
    """Parse a custodian position file: every line, or every problem with file, row, field,
    the value found and how to correct it."""
    result: ParseResult[CustodianLine] = ParseResult(path.name)
    first: tuple[date, int] | None = None
    seen: dict[tuple[str, LineType, str], int] = {}
    for row, cells in read_rows(path, CUSTODIAN_POSITIONS, result):
        as_of_s, account, type_s, symbol, quantity_s, value_s, currency_s = cells
        p: Problems = []
        require(cells, [(0, "as_of"), (1, "account_id"), (2, "type")], p)
        day = date_cell(as_of_s, "as_of", p)
        kind = enum_cell(type_s, LineType, "type", p)
        quantity = decimal_cell(quantity_s, "quantity", p)
        value = decimal_cell(value_s, "market_value", p)
        currency = currency_cell(currency_s, "currency", p)
        if day is not None:
            if first is None:
                first = (day, row)
            elif day != first[0]:
                p.append(("as_of", f"differs from {first[0]} of row {first[1]}; a file holds "
                          "one day: split it into one file per date", as_of_s))
        item = symbol if kind is LineType.POSITION else currency_s
        if kind is LineType.POSITION:
            if not symbol:
                p.append(("symbol", "a position needs the instrument's symbol", ""))
            if not quantity_s:
                p.append(("quantity", "a position needs its quantity (negative when short)", ""))
        elif kind is LineType.CASH:
            if symbol or quantity_s:
                p.append(("symbol" if symbol else "quantity", "a cash line has no symbol or "
                          "quantity: give the balance in market_value",
                          symbol or quantity_s))
            if not value_s:
                p.append(("market_value", "a cash line needs its balance", ""))
            if not currency_s:
                p.append(("currency", "a cash line needs its currency", ""))
        if kind is not None and account and item:
            key = (account, kind, item)
            if key in seen:
                p.append(("symbol" if kind is LineType.POSITION else "currency",
                          f"{account} has {item} twice (first at row {seen[key]}); give one "
                          "line with the total", item))
            else:
                seen[key] = row
        if p or day is None or kind is None:
            result.reject(row, cells, p)
            continue
        if kind is LineType.POSITION:
            assert quantity is not None
            result.add(row, CustodianLine(day, account, kind, symbol, quantity, value,
                                          currency))
        else:
            assert value is not None
            result.add(row, CustodianLine(day, account, kind, currency_s, value, None,
                                          currency))
    return result


def read_custodian(path: Path) -> CustodianStatement:
    """The statement in ``path``; raises DataError listing the file's problems, if any."""
    result = parse_custodian(path)
    if result.errors:
        raise custodian_errors(path, result.errors)
    if not result.records:
        raise DataError(f"{path.name}: no positions and no cash lines",
                        hint="A custodian file needs at least one line (see docs/formats.md).")
    statement = CustodianStatement(path.name, result.records[0].as_of)
    for line in result.records:
        key = (line.account_id, line.item)
        if line.type is LineType.CASH:
            statement.cash[key] = line.quantity
            continue
        statement.positions[key] = line.quantity
        if line.market_value is not None:
            statement.market_values[key] = line.market_value
    return statement


def custodian_errors(path: Path, errors: list[RowError]) -> DataError:
    """One DataError naming the first problems of a custodian file."""
    shown = "; ".join(str(e) for e in errors[:SHOWN_ERRORS])
    more = f" (and {len(errors) - SHOWN_ERRORS} more)" if len(errors) > SHOWN_ERRORS else ""
    return DataError(f"{path.name}: {len(errors)} problem(s): {shown}{more}",
                     hint="Correct the rows named and run it again; nothing was compared.")
