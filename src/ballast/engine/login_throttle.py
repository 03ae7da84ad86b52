"""Login throttling: password attempts (the dashboard's login form and ``POST /auth/login``)
are counted per user name and per client address in the store, so every server worker sees
the same counts.

An attempt is counted before its password is checked (concurrent guesses count too) and a
successful login forgets its user name's count. Once a name has :data:`USER_LIMIT` attempts
in :data:`WINDOW` without a login (an address :data:`ADDRESS_LIMIT`: offices share one), the
next attempt locks it out: HTTP 429 with ``Retry-After``, for :data:`FIRST_LOCK`, doubling with
each lockout in a row up to :data:`LONGEST_LOCK`. A locked-out attempt's password is not
checked. Every lockout is written to the audit journal (``login.locked``)."""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from datetime import datetime, timedelta

from ballast.audit import Draft
from ballast.domain import BallastError
from ballast.engine.service import Store
from ballast.store.login_throttle import ThrottleRecord

WINDOW = timedelta(minutes=15)
USER_LIMIT = 5
ADDRESS_LIMIT = 20
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)
FORGET_AFTER = timedelta(days=1)  # a counter idle this long (and its backoff) is dropped


class TooManyAttempts(BallastError):
    """Too many failed logins for a user name or from an address: retry after
    ``retry_after`` seconds."""

    hint = "Wait for the time given in Retry-After, or ask an admin to check the audit journal."

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def user_key(name: str) -> str:
    return f"user:{name.strip()}"


def address_key(address: str) -> str:
    return f"address:{address}"


def _limit(key: str) -> int:
    return USER_LIMIT if key.startswith("user:") else ADDRESS_LIMIT


def lock_length(lockouts: int) -> timedelta:
    """How long the ``lockouts``-th lockout in a row lasts (1, 2, 4… minutes, at most an
    hour)."""
    return min(FIRST_LOCK * (1 << min(max(lockouts, 1) - 1, 20)), LONGEST_LOCK)


def _rolled(r: ThrottleRecord, now: datetime) -> ThrottleRecord:
    """``r`` with its window restarted once it is over, and its backoff forgotten a day after
    its last lockout."""
    if r.locked_until is not None and r.locked_until > now:
        return r
    if r.locked_until is not None and now - r.locked_until > FORGET_AFTER:
        r = replace(r, lockouts=0, locked_until=None)
    if now - r.window_start > WINDOW:
        r = replace(r, failures=0, window_start=now)
    return r


def _seconds(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds()))


def attempt(store: Store, name: str, address: str, now: datetime) -> None:
    """Count a password attempt for ``name`` from ``address``; TooManyAttempts (and a
    ``login.locked`` journal entry when a lockout starts) when either is locked out."""
    keys = (user_key(name), address_key(address))
    refused: list[tuple[str, datetime]] = []
    with store.transaction() as tx:
        rows = tx.throttles_for_update(keys, now)
        drafts = []
        for key in keys:
            r = _rolled(rows[key], now)
            if r.locked_until is not None and r.locked_until > now:
                refused.append((key, r.locked_until))
            elif r.failures >= _limit(key):
                lockouts = r.lockouts + 1
                until = now + lock_length(lockouts)
                r = replace(r, failures=0, window_start=until, locked_until=until,
                            lockouts=lockouts)
                refused.append((key, until))
                drafts.append(Draft(
                    "login.locked", (key,), f"{_limit(key)} failed logins within "
                    f"{WINDOW.total_seconds() / 60:.0f} minutes: locked for "
                    f"{lock_length(lockouts).total_seconds():.0f} s", {
                        "key": key, "attempted_user": name.strip(), "address": address,
                        "lockouts_in_a_row": lockouts, "locked_until": until.isoformat()}))
            rows[key] = replace(r, last_at=now)
        if not refused:
            rows = {k: replace(r, failures=r.failures + 1) for k, r in rows.items()}
        for r in rows.values():
            tx.save_throttle(r)
        if drafts:
            tx.append_audit(drafts)
        tx.purge_throttles(now - FORGET_AFTER)
    if refused:
        key, until = max(refused, key=lambda x: x[1])
        what = "this user name" if key.startswith("user:") else "this address"
        logging.getLogger("ballast.api").warning(
            "login throttled", extra={"key": key, "locked_until": until.isoformat()})
        raise TooManyAttempts(f"too many failed logins for {what}: try again in "
                              f"{_seconds(until, now)} s", _seconds(until, now))


def succeeded(store: Store, name: str) -> None:
    """A login of ``name`` succeeded: forget its failed attempts and lockouts."""
    with store.transaction() as tx:
        tx.clear_throttle(user_key(name))
