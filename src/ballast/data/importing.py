"""The shared machinery of CSV imports: context, results, row errors, header checks, cells.

Every parser reads a UTF-8 CSV file with a header row, checks the header against its format,
and turns each data row into a record or into :class:`RowError` values. Data rows are numbered
from 1: row N is line N + 1 of the file (the header is row 0).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from ballast.config import ValidationPolicy
from ballast.domain import Account, CorporateAction, HouseholdId, Instrument, InstrumentId
from ballast.domain.ids import AccountId

if TYPE_CHECKING:
    from ballast.data.market import PriceTable

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)

Problems = list[tuple[str, str, str]]
"""Problems found in one row, as (field, reason, raw value)."""


@dataclass(frozen=True, slots=True)
class ImportContext:
    """What already exists in the book, as the engine sees it before an import, and the
    thresholds of the market-data checks (``policy``)."""

    today: date
    instruments: Mapping[InstrumentId, Instrument] = field(default_factory=dict)
    accounts: Mapping[AccountId, Account] = field(default_factory=dict)
    households: AbstractSet[HouseholdId] = frozenset()
    transaction_ids: AbstractSet[str] = frozenset()
    lot_ids: AbstractSet[str] = frozenset()
    price_keys: AbstractSet[tuple[str, date]] = frozenset()
    fx_keys: AbstractSet[tuple[str, str, date]] = frozenset()
    corporate_action_ids: AbstractSet[str] = frozenset()
    corporate_actions: Sequence[CorporateAction] = ()
    prices: PriceTable | None = None
    policy: ValidationPolicy = field(default_factory=ValidationPolicy)


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in an input file: which file, row (1-based; 0 is the header), field, why."""

    file: str
    row: int
    field: str
    reason: str
    raw: str = ""

    def __str__(self) -> str:
        where = f"{self.file} header" if self.row == 0 else f"{self.file} row {self.row}"
        if self.field:
            where += f", field {self.field}"
        got = f" (got {self.raw})" if self.raw else ""
        return f"{where}: {self.reason}{got}"


@dataclass(slots=True)
class ParseResult(Generic[T]):
    """The outcome of parsing one file.

    ``records`` holds every row without errors, ``record_rows`` the row each came from.
    ``duplicates`` lists the keys of records that already exist in the context (an identical
    re-import): :meth:`new_records` leaves them out. ``bad_rows`` keeps the raw cells of each row
    with an error, for quarantine. A file-level error (bad header, not UTF-8) leaves no records.
    """

    file: str
    records: list[T] = field(default_factory=list)
    record_rows: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    duplicates: list[str] = field(default_factory=list)
    bad_rows: dict[int, list[str]] = field(default_factory=dict)
    existing: set[int] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, row: int, record: T, key: str | None = None) -> None:
        """Keep a good record; ``key`` marks it as already existing in the book."""
        if key is not None:
            self.existing.add(len(self.records))
            self.duplicates.append(key)
        self.records.append(record)
        self.record_rows.append(row)

    def reject(self, row: int, cells: list[str], problems: Problems) -> None:
        """Record every problem of a row and keep its raw cells."""
        self.bad_rows[row] = cells
        self.errors.extend(RowError(self.file, row, f, reason, raw) for f, reason, raw in problems)

    def new_records(self) -> list[T]:
        """The records that do not exist in the book yet."""
        if not self.existing:
            return list(self.records)
        return [r for i, r in enumerate(self.records) if i not in self.existing]


@dataclass(frozen=True, slots=True)
class Format:
    """A CSV format: its name, its columns in canonical order, and which are required."""

    name: str
    columns: tuple[str, ...]
    required: tuple[str, ...]


def read_rows(path: Path, fmt: Format, result: ParseResult[T]) -> Iterator[tuple[int, list[str]]]:
    """Yield (row number, cells in ``fmt.columns`` order) for each well-formed data row.

    Header problems, rows of the wrong width and undecodable bytes are recorded in ``result``;
    a file-level problem stops the iteration and clears any records already kept.
    """
    row = 0  # the last row read; a malformed record starts on the next one
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, strict=True)
            header = next(reader, None)
            shape = _check_header(header, fmt, result)
            if shape is None:
                return
            width, index = shape
            for cells in reader:
                row = reader.line_num - 1
                if not cells:
                    continue
                result.rows += 1
                if len(cells) != width:
                    result.reject(row, cells, [(
                        "", f"row has {len(cells)} cells but the header has {width}",
                        ",".join(cells)[:200])])
                    continue
                if index is None:
                    yield row, cells
                else:
                    yield row, [cells[i] if i >= 0 else "" for i in index]
    except UnicodeDecodeError as exc:
        _file_error(result, _locate_bad_bytes(path), f"not valid UTF-8 text: {exc.reason}")
    except csv.Error as exc:
        _file_error(result, row + 1, f"malformed CSV: {exc}")


def _file_error(result: ParseResult[T], row: int, reason: str) -> None:
    result.records.clear()
    result.record_rows.clear()
    result.duplicates.clear()
    result.existing.clear()
    result.errors.append(RowError(result.file, row, "", reason + "; the whole file is rejected"))


def _check_header(
    header: list[str] | None, fmt: Format, result: ParseResult[T]
) -> tuple[int, list[int] | None] | None:
    """(row width, file position of each canonical column or -1 when absent), or None after
    recording why the header is unusable. The index is None when the header is canonical."""
    def fail(reason: str) -> None:
        result.errors.append(RowError(result.file, 0, "", reason))

    if not header or not any(h.strip() for h in header):
        fail(f"file is empty or has no header row; expected columns: {', '.join(fmt.columns)}")
        return None
    names = [h.strip() for h in header]
    unknown = [n for n in names if n not in fmt.columns]
    if unknown:
        fail(f"unknown column(s) {', '.join(map(repr, unknown))}; "
             f"allowed: {', '.join(fmt.columns)}")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        fail(f"column(s) given twice: {', '.join(repeated)}")
    missing = [c for c in fmt.required if c not in names]
    if missing:
        fail(f"missing required column(s): {', '.join(missing)}")
    if unknown or repeated or missing:
        return None
    if tuple(names) == fmt.columns:
        return len(names), None
    position = {n: i for i, n in enumerate(names)}
    return len(names), [position.get(c, -1) for c in fmt.columns]


def _locate_bad_bytes(path: Path) -> int:
    """The data row number of the first line that is not valid UTF-8."""
    with path.open("rb") as fh:
        for line_no, line in enumerate(fh, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return line_no - 1
    return 0


# --- cell converters: each returns the value (None when empty) and appends any problem -----

def decimal_cell(raw: str, name: str, problems: Problems, *, positive: bool = False,
                 non_negative: bool = False) -> Decimal | None:
    """A decimal number; ``positive`` / ``non_negative`` add the sign check."""
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        problems.append((name, "not a decimal number", raw))
        return None
    if not value.is_finite():
        problems.append((name, "not a finite decimal number", raw))
        return None
    if positive and value <= 0:
        problems.append((name, "must be positive", raw))
        return None
    if non_negative and value < 0:
        problems.append((name, "must not be negative", raw))
        return None
    return value


def date_cell(raw: str, name: str, problems: Problems, today: date | None = None) -> date | None:
    """An ISO date YYYY-MM-DD; with ``today``, a date after it is a problem."""
    if not raw:
        return None
    try:
        if len(raw) != 10:
            raise ValueError
        value = date.fromisoformat(raw)
    except ValueError:
        problems.append((name, "not a date in the form YYYY-MM-DD", raw))
        return None
    if today is not None and value > today:
        problems.append((name, f"is in the future (today is {today.isoformat()})", raw))
    return value


_TRUE = frozenset({"true", "yes", "1", "y", "t"})
_FALSE = frozenset({"false", "no", "0", "n", "f"})


def bool_cell(raw: str, name: str, problems: Problems) -> bool | None:
    """true/false (also yes/no, 1/0), case-insensitive."""
    if not raw:
        return None
    low = raw.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    problems.append((name, "must be one of true, false", raw))
    return None


def enum_cell(raw: str, cls: type[E], name: str, problems: Problems) -> E | None:
    """One of the values of ``cls``; the reason lists the allowed ones."""
    if not raw:
        return None
    try:
        return cls(raw)
    except ValueError:
        problems.append((name, f"must be one of {', '.join(m.value for m in cls)}", raw))
        return None


def require(cells: Sequence[str], columns: Sequence[tuple[int, str]], problems: Problems) -> None:
    """Add an 'is required' problem for each (index, name) whose cell is empty."""
    for i, name in columns:
        if not cells[i]:
            problems.append((name, "is required", ""))


def field_of(message: str, columns: Sequence[str]) -> str:
    """The first column named in a domain error message, or '' when none is."""
    found = [(message.find(c), c) for c in columns if c in message]
    return min(found)[1] if found else ""
