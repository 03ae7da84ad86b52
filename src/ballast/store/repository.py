"""What every repository shares: the connection of its unit of work and fast bulk writes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Select, Table, column, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ballast.domain.errors import DataError
from ballast.store.types import Codec

T = TypeVar("T")

WRITE_CHUNK = 20_000
IN_CHUNK = 5_000  # ids per IN (...) list: below SQLite's and PostgreSQL's parameter limits


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class Repository:
    """Base of the repositories; all of them run on one connection inside one transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._codec = Codec(conn.dialect)

    def _insert(self, table: str, columns: tuple[str, ...], rows: Sequence[Sequence[Any]],
                upsert_key: tuple[str, ...] = ()) -> None:
        """Write pre-encoded positional rows at driver level: COPY for plain inserts on
        PostgreSQL, else executemany. A broken constraint (duplicate key, unknown account or
        instrument) raises DataError, and the unit of work then rolls back."""
        dbapi_error = self._conn.dialect.loaded_dbapi.IntegrityError
        try:
            if self._codec.sqlite or upsert_key:
                self._conn.exec_driver_sql(self._codec.insert_sql(table, columns, upsert_key),
                                           rows)
            else:
                self._copy(table, columns, rows)
        except (IntegrityError, dbapi_error) as exc:
            raise DataError(
                f"{table}: {getattr(exc, 'orig', None) or exc}",
                hint="A key is duplicated or names an account or instrument the store does not "
                "know; nothing was written.",
            ) from exc

    def _copy(self, table: str, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]) -> None:
        """PostgreSQL's COPY FROM STDIN: several times faster than executemany."""
        q = self._codec.quote
        sql = f"COPY {q(table)} ({', '.join(q(c) for c in columns)}) FROM STDIN"
        cursor = self._conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        finally:
            cursor.close()

    def _write(self, table: Table, columns: tuple[str, ...], rows: Iterable[Sequence[Any]],
               upsert_key: tuple[str, ...] = ()) -> int:
        """Insert (or upsert by ``upsert_key``) pre-encoded positional rows in chunks. Returns
        the number of rows written."""
        written = 0
        for chunk in chunks(rows, WRITE_CHUNK):
            self._insert(table.name, columns, chunk, upsert_key)
            written += len(chunk)
        return written

    def _driver_rows(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """Rows of driver-level ``sql`` as plain tuples (no SQLAlchemy Row per row)."""
        cursor = self._conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    @staticmethod
    def _raw_select(table: Table, columns: tuple[str, ...]) -> Select[Any]:
        """SELECT of untyped columns: rows come back as the driver returns them, without
        SQLAlchemy's per-value processing (decode them with the codec's ``read_*``)."""
        untyped: list[Any] = [column(c) for c in columns]
        return select(*untyped).select_from(table)

    def _by_keys(self, query: Select[Any], key: Any, keys: Iterable[str] | None) -> list[Any]:
        """Rows of ``query``: all, or those whose ``key`` column is one of ``keys`` (queried in
        chunks, so the rows are ordered within each chunk only)."""
        if keys is None:
            return list(self._conn.execute(query).fetchall())
        rows: list[Any] = []
        for chunk in chunks(keys, IN_CHUNK):
            rows.extend(self._conn.execute(query.where(key.in_(chunk))).fetchall())
        return rows
