"""The import use case: parse and validate a file, book it, write it — all or nothing.

One import is one database transaction. Without ``quarantine`` any bad row rejects the whole
file and nothing is written; with it, the good rows are written and the bad ones are kept in
the quarantine table with their reasons. A file already imported (same kind, same bytes) is
recognized by its SHA-256 and changes nothing; rows whose keys already exist are skipped.
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from ballast import data
from ballast.config import ValidationPolicy
from ballast.data import ImportContext, ParseResult, RowError, ValidationSettings
from ballast.domain import CorporateAction, Transaction
from ballast.engine.booking import book_transactions, rebook_all
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


def _context(tx: UnitOfWork, kind: ImportKind, today: date,
             settings: ValidationSettings) -> ImportContext:
    """What the parser must know of the book; only what this kind of file needs is loaded."""
    needs_book = kind in (ImportKind.LOTS, ImportKind.TRANSACTIONS)
    return ImportContext(
        today=today,
        instruments=tx.instruments(),
        accounts=tx.accounts() if kind is not ImportKind.INSTRUMENTS else {},
        households={h.id for h in tx.households()},
        transaction_ids=tx.transaction_ids() if needs_book else frozenset(),
        lot_ids=tx.lot_ids() if needs_book else frozenset(),
        price_keys=tx.price_keys() if kind is ImportKind.PRICES else frozenset(),
        fx_keys=tx.fx_keys() if kind is ImportKind.FX else frozenset(),
        corporate_action_ids={c.id for c in tx.corporate_actions()},
        corporate_actions=tx.corporate_actions() if kind is ImportKind.PRICES else (),
        prices=load_price_table(tx) if kind is ImportKind.PRICES else None,
        settings=settings,
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
    progress: bool = False,
) -> ImportReport:
    """Import one file of ``kind``; raises ImportRejected (nothing written) on bad rows unless
    ``quarantine``."""
    started = time.perf_counter()
    path = Path(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with _bulk_work(), Steps(progress) as steps, store.transaction() as tx:
        if tx.find_import(kind.value, digest) is not None:
            return ImportReport(kind.value, path.name, 0, 0, 0, already_imported=True,
                                seconds=time.perf_counter() - started)
        policy = policy or ValidationPolicy()
        settings = ValidationSettings(max_daily_move=policy.max_daily_move,
                                      max_stale_sessions=policy.max_stale_sessions)
        ctx = _context(tx, kind, today or date.today(), settings)
        steps.phase(f"reading and validating {path.name}")
        result = _PARSERS[kind](path, ctx)
        errors = list(result.errors)
        if errors and not quarantine:
            raise ImportRejected(path.name, errors)
        import_id = tx.record_import(kind.value, path.name, digest, result.rows)
        new = result.new_records()
        steps.phase(f"writing {len(new):,} {kind.value}")
        written, booking_errors = _write(tx, kind, new, result, import_id, steps)
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


def _write(tx: UnitOfWork, kind: ImportKind, new: list[Any], result: ParseResult[Any],
           import_id: int, steps: Steps) -> tuple[int, list[RowError]]:
    """Write the new records of one file; returns (rows written, booking errors)."""
    if kind is ImportKind.INSTRUMENTS:
        tx.add_instruments(new)
    elif kind is ImportKind.HOUSEHOLDS:
        tx.add_households(new)
    elif kind is ImportKind.ACCOUNTS:
        tx.add_accounts(new)
    elif kind is ImportKind.PRICES:
        tx.add_prices(new)
    elif kind is ImportKind.FX:
        tx.add_fx_rates(new)
    elif kind is ImportKind.CORPORATE_ACTIONS:
        cas: list[CorporateAction] = new
        tx.add_corporate_actions(cas)
        rebook_all(tx, steps=steps)
    else:
        txns: list[Transaction] = new
        rows = {id(r): row for r, row in zip(result.records, result.record_rows, strict=True)}
        booked, errors = book_transactions(tx, txns, result.file, rows, import_id,
                                           steps=steps)
        return len(booked), errors
    return len(new), []
