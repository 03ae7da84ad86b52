"""Import bookkeeping: which files were imported, the rows set aside in quarantine, settings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update

from ballast.store.repository import Repository
from ballast.store.schema import imports, quarantined_rows, settings


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """One imported file: what it was, how many rows it had, wrote and quarantined."""

    id: int
    kind: str
    file_name: str
    sha256: str
    row_count: int
    written_rows: int
    quarantined_rows: int
    status: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class QuarantinedRow:
    """A rejected input row (1-based data row number), the field at fault and why."""

    row: int
    field: str
    reason: str
    raw: str = ""


def _record(r: Any) -> ImportRecord:
    created = r.created_at if r.created_at.tzinfo else r.created_at.replace(tzinfo=UTC)
    return ImportRecord(r.id, r.kind, r.file_name, r.sha256, r.row_count, r.written_rows,
                        r.quarantined_rows, r.status, created)


class ImportRepository(Repository):
    """Imports, quarantine and key/value settings."""

    def record_import(self, kind: str, file_name: str, sha256: str, row_count: int, *,
                      written_rows: int = 0, quarantined_rows: int = 0, status: str = "ok"
                      ) -> int:
        """Record an import and return its id (to tag the rows it writes); the counts can be
        set later with ``finish_import``."""
        result = self._conn.execute(insert(imports).values(
            kind=kind, file_name=file_name, sha256=sha256, row_count=row_count,
            written_rows=written_rows, quarantined_rows=quarantined_rows, status=status,
            created_at=datetime.now(UTC),
        ))
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def finish_import(self, import_id: int, *, written: int, quarantined: int) -> None:
        """Set an import's final counts; its status becomes ``partial`` when rows were
        quarantined, else ``ok``."""
        self._conn.execute(update(imports).where(imports.c.id == import_id).values(
            written_rows=written, quarantined_rows=quarantined,
            status="partial" if quarantined else "ok",
        ))

    def find_import(self, kind: str, sha256: str) -> ImportRecord | None:
        """The latest import of a file of this kind with this content hash, if any."""
        t = imports
        query = (select(t).where(t.c.kind == kind, t.c.sha256 == sha256)
                 .order_by(t.c.id.desc()).limit(1))
        row = self._conn.execute(query).first()
        return _record(row) if row is not None else None

    def imports(self) -> list[ImportRecord]:
        """Every import, oldest first."""
        return [_record(r) for r in self._conn.execute(select(imports).order_by(imports.c.id))]

    def add_quarantine(self, import_id: int, rows: Iterable[QuarantinedRow]) -> int:
        """Keep rejected rows of an import with their reasons; returns the number written."""
        columns = ("import_id", "row_number", "field", "reason", "raw")
        return self._write(quarantined_rows, columns,
                           ((import_id, q.row, q.field, q.reason, q.raw) for q in rows))

    def quarantine(self, import_id: int) -> list[QuarantinedRow]:
        """The rows an import set aside, in the order they were recorded."""
        t = quarantined_rows
        query = select(t).where(t.c.import_id == import_id).order_by(t.c.id)
        return [QuarantinedRow(r.row_number, r.field, r.reason, r.raw)
                for r in self._conn.execute(query)]

    def setting(self, key: str) -> str | None:
        """A stored setting, or None."""
        return self._conn.scalar(select(settings.c.value).where(settings.c.key == key))

    def put_setting(self, key: str, value: str) -> None:
        """Store a setting, replacing any earlier value."""
        self._write(settings, ("key", "value"), [(key, value)], upsert_key=("key",))
