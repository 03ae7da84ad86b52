"""The import use case: parse and validate a file, book it, write it — all or nothing.

One import is one database transaction. Without ``quarantine`` any bad row rejects the whole
file and nothing is written; with it, the good rows are written and the bad ones are kept in
the quarantine table with their reasons. A file already imported in full (same kind, same
bytes) is recognized by its SHA-256 and changes nothing; rows whose keys already exist with the
same values are skipped, and with different values are errors (the book is never silently
left different from the file).
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from ballast import data
from ballast.config import ValidationPolicy
from ballast.data import ImportContext, ParseResult, RowError
from ballast.domain import CorporateAction, PriceBar, Transaction
from ballast.engine.booking import book_new
from ballast.engine.errors import ImportRejected
from ballast.engine.market import load_price_table
from ballast.engine.progress import Steps
from ballast.store import QuarantinedRow, Store, UnitOfWork


class ImportKind(StrEnum):
    """The kinds of file ``ballast import`` takes (see docs/formats.md)."""

    INSTRUMENTS = "instruments"
    HOUSEHOLDS = "households"
    ACCOUNTS = "accounts"
    LOTS = "lots"
    TRANSACTIONS = "transactions"
    PRICES = "prices"
    FX = "fx"
    CORPORATE_ACTIONS = "corporate_actions"


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What one import did."""

    kind: str
    file: str
    rows: int
    written: int
    skipped: int
    quarantined: list[RowError] = field(default_factory=list)
    already_imported: bool = False
    import_id: int | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out = asdict(self)
        out["quarantined"] = [asdict(e) for e in self.quarantined]
        out["status"] = "unchanged" if self.already_imported else "imported"
        return out


_PARSERS: dict[ImportKind, Callable[[Path, ImportContext], ParseResult[Any]]] = {
    ImportKind.INSTRUMENTS: data.parse_instruments,
    ImportKind.HOUSEHOLDS: data.parse_households,
    ImportKind.ACCOUNTS: data.parse_accounts,
    ImportKind.LOTS: data.parse_lots,
    ImportKind.TRANSACTIONS: data.parse_transactions,
    ImportKind.PRICES: data.parse_prices,
    ImportKind.FX: data.parse_fx,
    ImportKind.CORPORATE_ACTIONS: data.parse_corporate_actions,
}
_BOOKED = (ImportKind.LOTS, ImportKind.TRANSACTIONS)
# Transaction fields under their CSV column names, for "already booked with other values".
_COLUMN_OF = {"instrument_id": "symbol", "trade_date": "date", "new_instrument_id": "new_symbol"}


def _context(tx: UnitOfWork, kind: ImportKind, today: date,
             policy: ValidationPolicy) -> ImportContext:
    """What the parser must know of the book; only what this kind of file needs is loaded."""
    needs_actions = kind in (ImportKind.PRICES, ImportKind.TRANSACTIONS)
    return ImportContext(
        today=today,
        instruments=tx.instruments(),
        accounts=tx.accounts() if kind is not ImportKind.INSTRUMENTS else {},
        households={h.id for h in tx.households()},
        transaction_ids=tx.transaction_ids() if kind in _BOOKED else frozenset(),
        lot_ids=tx.lot_ids() if kind in _BOOKED else frozenset(),
        price_keys=tx.price_keys() if kind is ImportKind.PRICES else frozenset(),
        fx_keys=tx.fx_keys() if kind is ImportKind.FX else frozenset(),
        corporate_action_ids={c.id for c in tx.corporate_actions()},
        corporate_actions=tx.corporate_actions() if needs_actions else (),
        prices=load_price_table(tx) if kind is ImportKind.PRICES else None,
        policy=policy,
    )


@contextmanager
def _bulk_work() -> Iterator[None]:
    """Pause the cyclic garbage collector during a bulk import: the millions of small objects
    it creates hold no reference cycles (reference counting frees them), and repeated full
    collections over them cost about a third of booking time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_file(
    store: Store,
    kind: ImportKind,
    path: Path,
    *,
    quarantine: bool = False,
    today: date | None = None,
    policy: ValidationPolicy | None = None,
    derive_actions: bool = False,
    progress: bool = False,
) -> ImportReport:
    """Import one file of ``kind``; raises ImportRejected (nothing written) on bad rows unless
    ``quarantine``. With ``derive_actions`` a price file's split factors and dividends are also
    booked as corporate actions (``SPLIT-<symbol>-<date>``, ``DIV-<symbol>-<date>``)."""
    started = time.perf_counter()
    path = Path(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with _bulk_work(), Steps(progress) as steps, store.transaction() as tx:
        earlier = tx.find_import(kind.value, digest)
        if earlier is not None and earlier.status == "ok":
            return ImportReport(kind.value, path.name, earlier.row_count, 0, 0,
                                already_imported=True, seconds=time.perf_counter() - started)
        ctx = _context(tx, kind, today or date.today(), policy or ValidationPolicy())
        steps.phase(f"reading and validating {path.name}")
        result = _PARSERS[kind](path, ctx)
        errors = [*result.errors, *(_changed(tx, result) if kind in _BOOKED else [])]
        if errors and not quarantine:
            raise ImportRejected(path.name, errors)
        import_id = tx.record_import(kind.value, path.name, digest, result.rows)
        new = result.new_records()
        steps.phase(f"writing {len(new):,} {kind.value}")
        written, booking_errors = _write(tx, kind, new, result, import_id, steps)
        if derive_actions and kind is ImportKind.PRICES:
            booking_errors += _derive_actions(tx, new, result, steps)
        errors.extend(booking_errors)
        if booking_errors and not quarantine:
            raise ImportRejected(path.name, errors)  # rolls back the whole transaction
        if errors:
            tx.add_quarantine(import_id, [
                QuarantinedRow(e.row, e.field, e.reason, ",".join(result.bad_rows.get(e.row, [])))
                for e in errors])
        tx.finish_import(import_id, written=written, quarantined=len({e.row for e in errors}))
    return ImportReport(
        kind.value, path.name, result.rows, written, len(result.duplicates), errors,
        import_id=import_id, seconds=time.perf_counter() - started,
    )


def _changed(tx: UnitOfWork, result: ParseResult[Any]) -> list[RowError]:
    """Rows whose id is already booked with different values."""
    if not result.existing:
        return []
    rows = {i: result.record_rows[i] for i in result.existing}
    parsed: dict[str, Transaction] = {result.records[i].id: result.records[i] for i in rows}
    stored = tx.transactions_by_id(parsed)
    out: list[RowError] = []
    for i, row in sorted(rows.items(), key=lambda kv: kv[1]):
        new: Transaction = result.records[i]
        old = stored.get(new.id)
        if old is None or old == new:
            continue
        name = next(f.name for f in fields(Transaction)
                    if getattr(old, f.name) != getattr(new, f.name))
        out.append(RowError(
            result.file, row, _COLUMN_OF.get(name, name),
            f"transaction {new.id} is already booked with {name} {getattr(old, name)!s}; "
            "give a correction a new id (and reverse the original) instead of changing it",
            str(getattr(new, name))))
    return out


def _derive_actions(tx: UnitOfWork, bars: Sequence[PriceBar], result: ParseResult[Any],
                    steps: Steps) -> list[RowError]:
    """Book the corporate actions a price file records (those not yet in the book)."""
    row_of = {(b.instrument_id, b.date): row
              for b, row in zip(result.records, result.record_rows, strict=True)}
    known = {ca.id for ca in tx.corporate_actions()}
    actions = [ca for ca in data.corporate_actions_from_prices(bars, tx.instruments())
               if ca.id not in known]
    if not actions:
        return []
    steps.phase(f"booking {len(actions):,} corporate actions from the prices")
    rows = {id(ca): row_of[(ca.instrument_id, ca.ex_date)] for ca in actions}
    return book_new(tx, result.file, rows, actions=actions, steps=steps)[1]


def _write(tx: UnitOfWork, kind: ImportKind, new: Sequence[Any], result: ParseResult[Any],
           import_id: int, steps: Steps) -> tuple[int, list[RowError]]:
    """Write the new records of one file; returns (rows written, booking errors)."""
    if kind in _BOOKED or kind is ImportKind.CORPORATE_ACTIONS:
        rows = {id(r): row for r, row in zip(result.records, result.record_rows, strict=True)}
        if kind is ImportKind.CORPORATE_ACTIONS:
            actions: list[CorporateAction] = list(new)
            return book_new(tx, result.file, rows, actions=actions, steps=steps)
        txns: list[Transaction] = list(new)
        return book_new(tx, result.file, rows, transactions=txns, import_id=import_id,
                        steps=steps)
    writers: dict[ImportKind, Callable[[Sequence[Any]], object]] = {
        ImportKind.INSTRUMENTS: tx.add_instruments,
        ImportKind.HOUSEHOLDS: tx.add_households,
        ImportKind.ACCOUNTS: tx.add_accounts,
        ImportKind.PRICES: tx.add_prices,
        ImportKind.FX: tx.add_fx_rates,
    }
    writers[kind](new)
    return len(new), []
