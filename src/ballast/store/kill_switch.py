"""Kill-switch state: the switches engaged now (one per scope) and the history of every
engage and disengage, written in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select

from ballast.store.models import _aware
from ballast.store.repository import Repository
from ballast.store.schema import kill_switch_history, kill_switches


@dataclass(frozen=True, slots=True)
class KillSwitchEvent:
    """One engage or disengage: the scope, the action, who, when and why."""

    scope: str
    action: str
    user: str
    at: datetime
    reason: str


class KillSwitchRepository(Repository):
    """Engaged kill switches and their history."""

    def engaged_switches(self) -> list[KillSwitchEvent]:
        """The switches engaged now (action ``engage``: who engaged each, when, why)."""
        t = kill_switches
        return [KillSwitchEvent(r.scope, "engage", r.engaged_by, _aware(r.engaged_at), r.reason)
                for r in self._conn.execute(select(t).order_by(t.c.scope))]

    def engage_switch(self, scope: str, user: str, reason: str, at: datetime) -> bool:
        """Engage the switch of ``scope``; False (and nothing written) when it already is."""
        t = kill_switches
        if self._conn.execute(select(t.c.scope).where(t.c.scope == scope)).first():
            return False
        self._conn.execute(insert(t).values(scope=scope, engaged_by=user, engaged_at=at,
                                            reason=reason))
        self._log(scope, "engage", user, reason, at)
        return True

    def disengage_switch(self, scope: str, user: str, reason: str, at: datetime) -> bool:
        """Disengage the switch of ``scope``; False (and nothing written) when it is not
        engaged."""
        gone = self._conn.execute(delete(kill_switches).where(kill_switches.c.scope == scope))
        if not gone.rowcount:
            return False
        self._log(scope, "disengage", user, reason, at)
        return True

    def kill_switch_history(self, scope: str | None = None) -> list[KillSwitchEvent]:
        """Every engage and disengage (of one scope, or all), oldest first."""
        t = kill_switch_history
        query = select(t).order_by(t.c.id)
        if scope is not None:
            query = query.where(t.c.scope == scope)
        return [KillSwitchEvent(r.scope, r.action, r.user_name, _aware(r.at), r.reason)
                for r in self._conn.execute(query)]

    def _log(self, scope: str, action: str, user: str, reason: str, at: datetime) -> None:
        self._conn.execute(insert(kill_switch_history).values(
            scope=scope, action=action, user_name=user, at=at, reason=reason))


__all__ = ["KillSwitchEvent", "KillSwitchRepository"]
