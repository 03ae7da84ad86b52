"""Column types: exact decimals on every backend, and the plain-value codec for bulk writes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class ExactDecimal(TypeDecorator[Decimal]):
    """A Decimal stored without loss: NUMERIC (unconstrained) on PostgreSQL, TEXT on SQLite.

    SQLAlchemy's Numeric on SQLite goes through a float and loses digits; the decimal's string
    form round-trips exactly (``Decimal(str(d)) == d`` with the same exponent).
    """

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal) or not value.is_finite():
            raise TypeError(f"ExactDecimal needs a finite Decimal, got {value!r}")
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(value)


def _same(value: Any) -> Any:
    return value


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _opt_iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _opt_decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _opt_fromiso(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


class Codec:
    """Plain-value conversions for the bulk paths, which bypass SQLAlchemy's per-value type
    processing; they store exactly what ExactDecimal and SQLAlchemy's Date store.

    Encoders: ``dec`` / ``opt_dec`` (a required / optional Decimal), ``day`` / ``opt_day``
    (a date). Decoders of what the driver returns: ``read_dec``, ``read_opt_dec``, ``read_day``,
    ``read_opt_day``.
    """

    def __init__(self, dialect: Dialect) -> None:
        self.sqlite = dialect.name == "sqlite"
        self.paramstyle = dialect.paramstyle
        self.quote: Callable[[str], str] = dialect.identifier_preparer.quote
        self.dec: Callable[[Decimal], Any] = _same
        self.opt_dec: Callable[[Decimal | None], Any] = _same
        self.day: Callable[[date], Any] = _same
        self.opt_day: Callable[[date | None], Any] = _same
        self.read_dec: Callable[[Any], Decimal] = _same
        self.read_opt_dec: Callable[[Any], Decimal | None] = _same
        self.read_day: Callable[[Any], date] = _same
        self.read_opt_day: Callable[[Any], date | None] = _same
        if self.sqlite:  # TEXT decimals, ISO dates
            self.dec, self.opt_dec = str, _opt_str
            self.day, self.opt_day = date.isoformat, _opt_iso
            self.read_dec, self.read_opt_dec = Decimal, _opt_decimal
            self.read_day, self.read_opt_day = date.fromisoformat, _opt_fromiso

    def marks(self, n: int) -> str:
        """``n`` positional parameter markers, comma separated."""
        if self.paramstyle not in ("qmark", "format", "pyformat"):
            raise NotImplementedError(f"unsupported DB-API paramstyle {self.paramstyle}")
        return ", ".join(["?" if self.paramstyle == "qmark" else "%s"] * n)

    def insert_sql(self, table: str, columns: tuple[str, ...], upsert_key: tuple[str, ...] = ()
                   ) -> str:
        """Positional INSERT for the driver; with ``upsert_key``, later rows replace earlier ones
        (``ON CONFLICT ... DO UPDATE``, the same syntax on SQLite and PostgreSQL)."""
        cols = ", ".join(self.quote(c) for c in columns)
        sql = f"INSERT INTO {self.quote(table)} ({cols}) VALUES ({self.marks(len(columns))})"
        if upsert_key:
            updates = [c for c in columns if c not in upsert_key]
            key = ", ".join(self.quote(c) for c in upsert_key)
            if updates:
                sets = ", ".join(f"{self.quote(c)} = excluded.{self.quote(c)}" for c in updates)
                sql += f" ON CONFLICT ({key}) DO UPDATE SET {sets}"
            else:
                sql += f" ON CONFLICT ({key}) DO NOTHING"
        return sql
