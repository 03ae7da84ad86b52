"""The store: an engine, its migrations, and units of work (one database transaction each)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from ballast.store.unit_of_work import UnitOfWork

DEFAULT_URL = "sqlite:///./ballast.db"
URL_ENV = "BALLAST_DATABASE_URL"
MIGRATIONS = Path(__file__).parent / "migrations"

# WAL lets readers run beside the writer; synchronous=NORMAL is durable across application
# crashes in WAL mode (a power loss may drop the last commits, never corrupt the file).
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    "PRAGMA cache_size=-65536",
    "PRAGMA temp_store=MEMORY",
)


def _normalize(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs (psycopg2 is not a dependency)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # the driver must not open transactions on its own
        cursor = dbapi_conn.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Take the write lock up front: a deferred transaction that later writes can fail with
        # SQLITE_BUSY when another writer committed in between.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Store:
    """The database of record. ``url`` defaults to ``$BALLAST_DATABASE_URL``, else
    ``sqlite:///./ballast.db``."""

    def __init__(self, url: str | None = None) -> None:
        self.url = _normalize(url or os.environ.get(URL_ENV) or DEFAULT_URL)
        if make_url(self.url).get_backend_name() == "sqlite":
            self.engine = _sqlite_engine(self.url)
        else:
            self.engine = create_engine(self.url, pool_pre_ping=True)

    def __repr__(self) -> str:
        return f"Store({make_url(self.url)!r})"

    def migrate(self) -> None:
        """Bring the schema to the newest revision (a no-op when it is already there)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def revision(self) -> str | None:
        """The schema revision the database is at, or None before the first migrate()."""
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """One database transaction: committed when the block ends, rolled back entirely when
        it raises."""
        with self.engine.begin() as conn:
            yield UnitOfWork(conn)

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()
