"""The kill switch: engage and disengage (global, per broker, per account), the guard every
order path calls before an order leaves, and automatic engagement.

The execution path must call ``ensure_orders_allowed(store, account, broker)`` for every
order, in the process that sends it, immediately before sending (and a running cycle before
each batch): the check is in the path itself, not only in the interfaces."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import numpy as np

from ballast.compliance.kill_switch import (
    GLOBAL,
    KillSwitch,
    TriggerInputs,
    auto_triggers,
    blocking,
    scope_of,
)
from ballast.config.compliance import KillSwitchPolicy
from ballast.data import trading_calendar
from ballast.domain import ConfigError
from ballast.domain.errors import KillSwitchEngaged
from ballast.engine.market import load_market
from ballast.engine.queries import snapshot
from ballast.engine.users import acting_user, has_users
from ballast.security.roles import Permission
from ballast.store import Store
from ballast.store.kill_switch import KillSwitchEvent

AUTO_USER = "ballast-auto"


def _need(text: str, what: str) -> str:
    if not text.strip():
        raise ConfigError(f"a kill switch {what} is required", field=what)
    return text.strip()


def engage(store: Store, *, reason: str, user: str, account: str | None = None,
           broker: str | None = None, now: datetime | None = None) -> bool:
    """Engage the switch of the scope; False when it was engaged already."""
    scope, at = scope_of(account, broker), now or datetime.now(UTC)
    with store.transaction() as tx:
        done = tx.engage_switch(scope, _need(user, "user"), _need(reason, "reason"), at)
        if done:  # audit journal
            tx.audit_kill_switch("engage", scope, user.strip(), reason.strip(), at)
        return done


def disengage(store: Store, *, reason: str, user: str, account: str | None = None,
              broker: str | None = None, now: datetime | None = None) -> bool:
    """Disengage the switch of the scope (a user and a reason are required; once the book has
    users, a user with the compliance role); False when it was not engaged."""
    if has_users(store):
        acting_user(store, _need(user, "user"), Permission.DISENGAGE_KILL_SWITCH)
    scope, at = scope_of(account, broker), now or datetime.now(UTC)
    with store.transaction() as tx:
        done = tx.disengage_switch(scope, _need(user, "user"), _need(reason, "reason"), at)
        if done:  # audit journal
            tx.audit_kill_switch("disengage", scope, user.strip(), reason.strip(), at)
        return done


def status(store: Store) -> list[KillSwitch]:
    """The switches engaged now."""
    with store.transaction() as tx:
        return [_switch(e) for e in tx.engaged_switches()]


def history(store: Store, scope: str | None = None) -> list[KillSwitchEvent]:
    """Every engage and disengage, oldest first."""
    with store.transaction() as tx:
        return tx.kill_switch_history(scope)


def ensure_orders_allowed(store: Store, account: str | None = None,
                          broker: str | None = None) -> None:
    """Raise KillSwitchEngaged when the global switch, the broker's or the account's is
    engaged; return quietly otherwise."""
    stops = blocking(status(store), account, broker)
    if stops:
        what = " and ".join(filter(None, (account and f"account {account}",
                                          broker and f"broker {broker}"))) or "any account"
        raise KillSwitchEngaged(f"no order may leave for {what}: "
                                + "; ".join(s.describe() for s in stops))


def data_age_minutes(store: Store, session: date, now: datetime | None = None) -> float | None:
    """Minutes between the end of the latest priced day and the later of the traded session's
    end and ``now`` (0 when the session itself has prices); None when the book has none."""
    with store.transaction() as tx:
        last = tx.last_price_date()
    if last is None:
        return None
    if last >= session:
        return 0.0
    end = datetime.combine(session, time.max, UTC)
    later = max(end, now) if now is not None else end
    return (later - datetime.combine(last, time.max, UTC)).total_seconds() / 60.0


def auto_engage(store: Store, session: date, policy: KillSwitchPolicy,
                inputs: TriggerInputs | None = None, now: datetime | None = None) -> list[str]:
    """Engage the global switch when a trigger of ``policy`` fires; returns the reasons.
    Market-data age is measured here (latest price date against ``session``); the other
    inputs come from execution and reconciliation when they exist."""
    given = inputs or TriggerInputs()
    state = TriggerInputs(data_age_minutes(store, session, now), given.orders, given.rejects,
                          given.intraday_return, given.reconciliation_break)
    reasons = auto_triggers(state, policy)
    if reasons:
        engage(store, reason="automatic: " + "; ".join(reasons), user=AUTO_USER, now=now)
    return reasons


def book_day_return(store: Store, session: date) -> float | None:
    """The book's return on ``session`` on the positions held at its close: their value at
    the session's closes against the same positions at the previous session's closes
    (flows do not move it); None when nothing priced is held."""
    snap = snapshot(store, as_of=session, missing_fx_nan=True)
    previous = trading_calendar().previous_session(session)
    with store.transaction() as tx:
        market, earlier = load_market(tx, session), load_market(tx, previous)
    ids = [str(i) for i in snap.instruments]
    today, _ = market.closes(ids, session)
    before, _ = earlier.closes(ids, previous)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (before / today)[snap.pos_instrument]
    value = np.asarray(snap.market_value, dtype=np.float64)
    ok = np.isfinite(value) & np.isfinite(ratio) & (value != 0)
    if not ok.any():
        return None
    return float(value[ok].sum() / (value[ok] * ratio[ok]).sum() - 1.0)


def _switch(e: KillSwitchEvent) -> KillSwitch:
    return KillSwitch(e.scope, e.user, e.at, e.reason)


__all__ = ["GLOBAL", "KillSwitchEngaged", "auto_engage", "book_day_return", "data_age_minutes",
           "disengage", "engage", "ensure_orders_allowed", "history", "status"]
