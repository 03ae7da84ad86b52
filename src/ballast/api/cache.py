"""Whole-book reads computed once and kept: the book view (every account valued) and the
latest run's summary. A request never waits for one except the very first; a stale value is
served while a fresh one is computed in the background, and a change made through the API
refreshes the summary at once and marks the book view stale."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Generic, TypeVar

from starlette.concurrency import run_in_threadpool

T = TypeVar("T")


class Cached(Generic[T]):
    """The value of ``compute``, recomputed in the background once older than ``max_age``
    seconds."""

    def __init__(self, compute: Callable[[], T], max_age: float) -> None:
        self._compute = compute
        self._max_age = max_age
        self._lock = threading.Lock()
        self._value: tuple[T, datetime] | None = None
        self._at = 0.0
        self._refreshing = False

    @property
    def ready(self) -> bool:
        """True once a value has been computed (``get`` then never waits)."""
        return self._value is not None

    async def aget(self) -> tuple[T, datetime]:
        """``get`` for a coroutine: the first computation runs in the thread pool."""
        return self.get() if self.ready else await run_in_threadpool(self.get)

    def get(self) -> tuple[T, datetime]:
        """The value and when it was computed (computed now if there is none yet)."""
        with self._lock:
            kept = self._value
            start = (kept is not None and not self._refreshing
                     and time.monotonic() - self._at > self._max_age)
            if start:
                self._refreshing = True
        if kept is None:
            return self.refresh()
        if start:
            threading.Thread(target=self._background, daemon=True).start()
        return kept

    def refresh(self) -> tuple[T, datetime]:
        """Compute the value now."""
        value = (self._compute(), datetime.now(UTC))
        with self._lock:
            self._value, self._at, self._refreshing = value, time.monotonic(), False
        return value

    def invalidate(self) -> None:
        """Mark the value stale: the next read starts a refresh."""
        with self._lock:
            self._at = 0.0

    def _background(self) -> None:
        try:
            self.refresh()
        except Exception:  # keep serving the last value; the next read tries again
            logging.getLogger("ballast.api").exception("background refresh failed")
            with self._lock:
                self._refreshing = False
