"""The store's write generation: a value that changes whenever anyone commits a change to the
book — this process, another server worker, the command line — read in microseconds, so every
request can key its caches by it.

- SQLite (a file): ``PRAGMA data_version`` on a connection of this process's own that never
  writes. SQLite changes it whenever another connection (of any process) commits a change, and
  only then.
- PostgreSQL: the text of ``pg_current_snapshot()`` (xmin:xmax:in-progress ids). It changes when
  a transaction that writes takes an id and again when it ends, so it never stays the same
  across a commit (other databases' writes change it too: a cache is then redone for nothing,
  never served stale).
- Anything else (SQLite in memory): a new value at every read, so nothing is kept.

A cache reads the generation *before* computing a value and keeps the value under it: a change
committed meanwhile is then either in the value or makes the next read miss."""

from __future__ import annotations

import itertools
import sqlite3
import threading
from collections.abc import Callable, Hashable

from sqlalchemy import text
from sqlalchemy.engine import make_url

from ballast.engine.service import Store


class Generation:
    """``current()``: the write generation of ``store``'s database."""

    def __init__(self, store: Store) -> None:
        url = make_url(store.url)
        self._lock = threading.Lock()
        self._read: Callable[[], Hashable]
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            watcher = sqlite3.connect(f"file:{url.database}?mode=ro", uri=True,
                                      isolation_level=None, check_same_thread=False)
            self._watcher: sqlite3.Connection | None = watcher
            self._read = self._sqlite
        elif url.get_backend_name() == "postgresql":
            self._watcher = None
            engine = store.engine

            def snapshot() -> Hashable:
                with engine.connect() as conn:
                    return str(conn.execute(text("SELECT pg_current_snapshot()::text"))
                               .scalar_one())

            self._read = snapshot
        else:
            self._watcher = None
            self._read = itertools.count().__next__

    def current(self) -> Hashable:
        """The generation now."""
        return self._read()

    def _sqlite(self) -> Hashable:
        assert self._watcher is not None
        with self._lock:
            row = self._watcher.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def close(self) -> None:
        """Close the watcher connection (SQLite)."""
        if self._watcher is not None:
            self._watcher.close()
