"""A store for reads beside the writer. On SQLite the book's own store begins every transaction
with BEGIN IMMEDIATE (the write lock, so a writer never fails half-way); readers that take it
would queue behind each other and behind every writer. This store's transactions are plain
deferred ones in WAL mode — each reads a consistent snapshot without blocking or waiting for a
writer — and writes are refused (``query_only``). On PostgreSQL the book's store already reads
without blocking, and is used as it is."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url

from ballast.store.db import Store

READ_PRAGMAS = (
    "PRAGMA query_only=ON",
    "PRAGMA busy_timeout=10000",
    "PRAGMA cache_size=-65536",
    "PRAGMA temp_store=MEMORY",
)


class ReadOnlyStore(Store):
    """Deferred, read-only transactions on the SQLite file of ``url``."""

    def __init__(self, url: str) -> None:  # not Store's: another engine on the same file
        self.url = url
        self.engine = create_engine(url, pool_size=20, max_overflow=40)

        @event.listens_for(self.engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            for pragma in READ_PRAGMAS:
                cursor.execute(pragma)
            cursor.close()

        @event.listens_for(self.engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")


def read_only(store: Store) -> Store:
    """The store to read ``store``'s database with beside its writers."""
    url = make_url(store.url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return store
    return ReadOnlyStore(store.url)
