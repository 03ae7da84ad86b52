"""Model versions: the YAML text of every version of every model, by content hash, so that a
decision recorded with a model version can be explained and replayed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.engine import Connection

from ballast.store.repository import Repository
from ballast.store.schema import model_versions


@dataclass(frozen=True, slots=True)
class ModelVersion:
    """One stored version of a model: its content hash, YAML text and when it was loaded."""

    name: str
    version: str
    text: str
    loaded_at: datetime


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def add_version(conn: Connection, t: Table, name: str, version: str, text: str) -> bool:
    """Store ``version`` of the YAML document ``name`` in the versions table ``t`` (name,
    version, yaml, loaded_at); it becomes the latest. False when that version was stored
    already: no new row, but if another version was loaded since, this one becomes the latest
    again (its ``loaded_at`` moved to now). ``loaded_at`` strictly increases per name, so
    "newest first" is never a tie."""
    newest = conn.execute(select(t.c.version, t.c.loaded_at).where(t.c.name == name)
                          .order_by(t.c.loaded_at.desc()).limit(1)).first()
    now = datetime.now(UTC)
    if newest is not None:
        now = max(now, _aware(newest.loaded_at) + timedelta(microseconds=1))
    if conn.scalar(select(func.count()).where(t.c.name == name, t.c.version == version)):
        if newest is not None and newest.version != version:
            conn.execute(update(t).where(t.c.name == name, t.c.version == version)
                         .values(loaded_at=now))
        return False
    conn.execute(insert(t).values(name=name, version=version, yaml=text, loaded_at=now))
    return True


def _version(r: Any) -> ModelVersion:
    return ModelVersion(r.name, r.version, r.yaml, _aware(r.loaded_at))


class ModelRepository(Repository):
    """Versions of model portfolios."""

    def add_model_version(self, name: str, version: str, text: str) -> bool:
        """Store a version of model ``name``; it becomes the latest. Returns False when that
        version was already stored (no new row; if another version was loaded since, this one
        becomes the latest again, its ``loaded_at`` moved to now)."""
        return add_version(self._conn, model_versions, name, version, text)

    def model_versions(self, name: str | None = None) -> list[ModelVersion]:
        """Stored versions of model ``name`` (of every model when None), newest first."""
        t = model_versions
        query = select(t).order_by(t.c.loaded_at.desc(), t.c.name)
        if name is not None:
            query = query.where(t.c.name == name)
        return [_version(r) for r in self._conn.execute(query)]

    def latest_models(self) -> dict[str, str]:
        """The YAML text of the latest version of each model, by name."""
        latest: dict[str, str] = {}
        for v in self.model_versions():
            latest.setdefault(v.name, v.text)
        return dict(sorted(latest.items()))
