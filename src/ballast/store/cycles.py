"""Daily cycles: one row per (date, environment) and the outcome of each of its stages, so a
cycle run again resumes after its last finished stage and a finished one does nothing new."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update

from ballast.store.models import _aware
from ballast.store.repository import Repository
from ballast.store.schema import cycle_stages, cycles


@dataclass(frozen=True, slots=True)
class StageRecord:
    """One stage of a cycle: its status (done, failed, skipped), a sentence, and its outcome
    (JSON-able values a resumed cycle reads back)."""

    stage: str
    position: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    summary: str
    outcome: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CycleRecord:
    """A cycle: its day, environment, configuration version, status and stages in order."""

    id: int
    as_of: date
    environment: str
    config_version: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    stages: tuple[StageRecord, ...]


class CycleRepository(Repository):
    """Cycles and their stages."""

    def cycle_on(self, as_of: date, environment: str) -> CycleRecord | None:
        """The cycle of ``as_of`` in ``environment``, if one was started."""
        row = self._conn.execute(select(cycles).where(
            cycles.c.as_of == as_of, cycles.c.environment == environment)).first()
        return None if row is None else self._record(row)

    def cycles(self, limit: int | None = None) -> list[CycleRecord]:
        """Cycles, newest first."""
        query = select(cycles).order_by(cycles.c.as_of.desc(), cycles.c.id.desc()).limit(limit)
        return [self._record(r) for r in self._conn.execute(query).all()]

    def start_cycle(self, as_of: date, environment: str, config_version: str,
                    at: datetime) -> int:
        """Open the cycle of ``as_of`` (status running); returns its id."""
        result = self._conn.execute(insert(cycles).values(
            as_of=as_of, environment=environment, config_version=config_version,
            status="running", started_at=at))
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def reopen_cycle(self, cycle_id: int, at: datetime) -> None:
        """Mark a cycle running again: its failed or stopped stage is run again, the stages
        it finished are not."""
        self._conn.execute(update(cycles).where(cycles.c.id == cycle_id).values(
            status="running", started_at=at, finished_at=None))
        self._conn.execute(cycle_stages.delete().where(
            cycle_stages.c.cycle_id == cycle_id,
            cycle_stages.c.status.in_(("failed", "stopped"))))

    def finish_cycle(self, cycle_id: int, status: str, at: datetime) -> None:
        """Close a cycle with ``status`` (completed, failed, stopped)."""
        self._conn.execute(update(cycles).where(cycles.c.id == cycle_id).values(
            status=status, finished_at=at))

    def record_stage(self, cycle_id: int, stage: StageRecord) -> None:
        """Write one stage's outcome."""
        self._conn.execute(insert(cycle_stages).values(
            cycle_id=cycle_id, stage=stage.stage, position=stage.position, status=stage.status,
            started_at=stage.started_at, finished_at=stage.finished_at, summary=stage.summary,
            outcome=json.dumps(stage.outcome, sort_keys=True, default=str)))

    def _record(self, row: Any) -> CycleRecord:
        t = cycle_stages
        stages = tuple(
            StageRecord(s.stage, s.position, s.status, _aware(s.started_at),
                        _aware(s.finished_at) if s.finished_at else None, s.summary,
                        json.loads(s.outcome))
            for s in self._conn.execute(select(t).where(t.c.cycle_id == row.id)
                                        .order_by(t.c.position)))
        return CycleRecord(row.id, row.as_of, row.environment, row.config_version, row.status,
                           _aware(row.started_at),
                           _aware(row.finished_at) if row.finished_at else None, stages)


__all__ = ["CycleRecord", "CycleRepository", "StageRecord"]
