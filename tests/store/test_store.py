"""The store itself: configuration, migrations, atomic units of work, exact decimals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, inspect, select, text

from ballast.domain import DataError, Household, HouseholdId, InstrumentId
from ballast.store import DEFAULT_URL, ExactDecimal, Store
from ballast.store.schema import metadata

from .migrate import alembic, head

HARD_DECIMALS = [
    Decimal("0.1"), Decimal("123456789.123456789012"), Decimal("1E-18"), Decimal("-0.000001"),
    Decimal("-987654321987654321.000000000000000001"), Decimal("0"), Decimal("1.10"),
    Decimal("99999999999999999999999999999999.5"),
]


def test_url_defaults_to_env_then_sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BALLAST_DATABASE_URL", raising=False)
    assert Store().url == DEFAULT_URL == "sqlite:///./ballast.db"
    monkeypatch.setenv("BALLAST_DATABASE_URL", "postgresql://u@db.example/prod")
    assert Store().url == "postgresql+psycopg://u@db.example/prod"
    assert Store("sqlite:///other.db").url == "sqlite:///other.db"


def test_migrate_creates_schema_and_twice_is_a_noop(store: Store) -> None:
    assert store.revision() == head()
    with store.transaction() as tx:
        tx.add_households([Household(HouseholdId("H1"), "Smith")])
    tables = set(inspect(store.engine).get_table_names())
    store.migrate()
    assert store.revision() == head()
    assert set(inspect(store.engine).get_table_names()) == tables
    assert {t.name for t in metadata.sorted_tables} | {"alembic_version"} == tables
    with store.transaction() as tx:
        assert tx.households() == [Household(HouseholdId("H1"), "Smith")]


def test_migrations_build_exactly_the_declared_schema(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []



def test_0002_gives_existing_instruments_no_wash_sale_group_and_downgrades(
        store_url: str) -> None:
    s = Store(store_url)
    try:
        alembic(s, "upgrade", "0001")
        with s.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO instruments (id, kind, currency, name, asset_class, sector, country,"
                " exchange, issuer, lot_size, fractional, multiplier) VALUES ('VOO', 'etf', "
                "'USD', '', '', '', '', 'XNYS', '', '1', false, '1')"))
        alembic(s, "upgrade", "0002")
        assert s.revision() == "0002"
        with s.transaction() as tx:
            assert tx.instruments()[InstrumentId("VOO")].wash_sale_group == ""
        alembic(s, "downgrade", "0001")
        columns = {c["name"] for c in inspect(s.engine).get_columns("instruments")}
        assert "wash_sale_group" not in columns and "underlying_id" in columns
    finally:
        s.close()


def test_a_fresh_database_has_no_revision(store_url: str) -> None:
    s = Store(store_url)
    try:
        assert s.revision() is None
    finally:
        s.close()


def test_sqlite_connections_use_wal_and_foreign_keys(store: Store) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_an_exception_rolls_back_everything(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.add_households([Household(HouseholdId("H1"), "Smith")])
        tx.put_setting("k", "v")
        assert tx.households() == [Household(HouseholdId("H1"), "Smith")]
        raise RuntimeError("boom")
    with store.transaction() as tx:
        assert tx.households() == []
        assert tx.setting("k") is None


def test_a_constraint_violation_is_a_data_error_and_rolls_back(store: Store) -> None:
    from ballast.domain import Account, AccountId, AccountType

    with pytest.raises(DataError, match="accounts"), store.transaction() as tx:
        tx.add_households([Household(HouseholdId("H1"), "Smith")])
        tx.add_accounts([Account(AccountId("A1"), HouseholdId("NOPE"), "x", AccountType.TAXABLE)])
    with store.transaction() as tx:
        assert tx.households() == []
        assert tx.accounts() == {}


def test_exact_decimal_column_round_trips_through_sqlalchemy(store: Store) -> None:
    probe = Table("decimal_probe", MetaData(), Column("id", Integer, primary_key=True),
                  Column("value", ExactDecimal))
    probe.create(store.engine)
    with store.engine.begin() as conn:
        conn.execute(probe.insert(), [{"id": i, "value": v} for i, v in enumerate(HARD_DECIMALS)])
        conn.execute(probe.insert(), {"id": 99, "value": None})
        got = dict(conn.execute(select(probe.c.id, probe.c.value)).all())
        if store.engine.dialect.name == "sqlite":
            kinds = conn.execute(text("SELECT DISTINCT typeof(value) FROM decimal_probe"))
            assert set(kinds.scalars()) == {"text", "null"}
    assert got.pop(99) is None
    assert [got[i] for i in range(len(HARD_DECIMALS))] == HARD_DECIMALS
    assert all(isinstance(v, Decimal) for v in got.values())
    with pytest.raises(Exception, match="finite Decimal"), store.engine.begin() as conn:
        conn.execute(probe.insert(), {"id": 100, "value": 0.1})
