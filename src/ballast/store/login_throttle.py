"""Password attempts counted per user name and per client address, so that every server
process throttles logins alike (the policy is :mod:`ballast.engine.login_throttle`'s)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, Integer, String, Table, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ballast.store.models import _aware
from ballast.store.repository import Repository
from ballast.store.schema import metadata

login_throttle = Table(
    "login_throttle", metadata,
    Column("key", String(200), primary_key=True),  # "user:NAME" or "address:IP"
    Column("failures", Integer, nullable=False),  # attempts in the window not followed by a login
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("locked_until", DateTime(timezone=True), nullable=True),
    Column("lockouts", Integer, nullable=False),  # lockouts in a row: the backoff's exponent
    Column("last_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True, slots=True)
class ThrottleRecord:
    """The attempts counted under ``key`` since ``window_start``, and its lockout, if any."""

    key: str
    failures: int
    window_start: datetime
    locked_until: datetime | None
    lockouts: int
    last_at: datetime


def _record(r: Any) -> ThrottleRecord:
    return ThrottleRecord(r.key, int(r.failures), _aware(r.window_start),
                          r.locked_until and _aware(r.locked_until), int(r.lockouts),
                          _aware(r.last_at))


class LoginThrottleRepository(Repository):
    """Attempt counters by key, read for update."""

    def throttles_for_update(self, keys: Iterable[str], now: datetime
                             ) -> dict[str, ThrottleRecord]:
        """The counters of ``keys`` (new ones start empty at ``now``), locked until the
        transaction ends (PostgreSQL; SQLite's writers are serialized already)."""
        t, wanted = login_throttle, sorted(set(keys))
        dialect = postgresql if self._conn.dialect.name == "postgresql" else sqlite
        for key in wanted:
            self._conn.execute(dialect.insert(t).values(
                key=key, failures=0, window_start=now, locked_until=None, lockouts=0,
                last_at=now).on_conflict_do_nothing(index_elements=["key"]))
        rows = self._conn.execute(select(t).where(t.c.key.in_(wanted)).order_by(t.c.key)
                                  .with_for_update())
        return {r.key: _record(r) for r in rows}

    def save_throttle(self, record: ThrottleRecord) -> None:
        """Write ``record`` over the counter of its key."""
        t = login_throttle
        self._conn.execute(update(t).where(t.c.key == record.key).values(
            failures=record.failures, window_start=record.window_start,
            locked_until=record.locked_until, lockouts=record.lockouts,
            last_at=record.last_at))

    def clear_throttle(self, key: str) -> None:
        """Forget the counter of ``key``."""
        self._conn.execute(delete(login_throttle).where(login_throttle.c.key == key))

    def purge_throttles(self, before: datetime) -> int:
        """Forget counters idle since before ``before`` and not locked after it; returns how
        many."""
        t = login_throttle
        return int(self._conn.execute(delete(t).where(
            t.c.last_at < before,
            or_(t.c.locked_until.is_(None), t.c.locked_until < before))).rowcount)


__all__ = ["LoginThrottleRepository", "ThrottleRecord", "login_throttle"]
