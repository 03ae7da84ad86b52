"""Reads kept in memory and keyed by the store's write generation
(:mod:`ballast.api.generation`), so that a change committed by anyone — this process, another
worker, the command line — is seen by the next request of every process.

- :class:`Cached` keeps one whole-book value. ``exact`` ones (the latest run's index: proposals,
  trades, approval states) are recomputed before they are served once the generation has moved;
  the others (the book valuation, seconds of work at 10,000 accounts) are served while a fresh
  one is computed in the background, with the time they were computed (``computed_at``).
- :class:`Responses` keeps the JSON bodies of read endpoints under keys that name everything
  they were made from (the generation, the cached values' stamps), least recently used first
  out."""

from __future__ import annotations

import gc
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from typing import Generic, TypeVar

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

T = TypeVar("T")
_STALE = object()  # a generation no store has: the value must be recomputed


class Cached(Generic[T]):
    """The value of ``compute`` at the store's generation (``generation()``). When the
    generation has moved, an ``exact`` value is recomputed before it is served (one computation
    at a time; concurrent readers wait for it); otherwise the last value is served while a
    fresh one is computed in the background."""

    def __init__(self, compute: Callable[[], T], generation: Callable[[], Hashable], *,
                 exact: bool) -> None:
        self._compute, self._generation, self._exact = compute, generation, exact
        self._lock = threading.Lock()  # guards the fields below
        self._computing = threading.Lock()  # one computation at a time
        self._value: tuple[T, datetime] | None = None
        self._at: Hashable = _STALE
        self._refreshing = False

    @property
    def ready(self) -> bool:
        """True once a value has been computed."""
        return self._value is not None

    def fresh(self) -> bool:
        """True when ``get`` would answer at once: a value at the current generation, or any
        value of a cache that is not exact."""
        return self._value is not None and (not self._exact or self._at == self._generation())

    async def aget(self) -> tuple[T, datetime]:
        """``get`` for a coroutine: a computation it has to wait for runs in the thread pool."""
        return self.get() if self.fresh() else await run_in_threadpool(self.get)

    def get(self) -> tuple[T, datetime]:
        """The value and when it was computed (computed now when there is none, or when the
        generation moved and the cache is exact)."""
        generation = self._generation()
        with self._lock:
            kept, current = self._value, self._at == generation
            start = (kept is not None and not current and not self._exact
                     and not self._refreshing)
            if start:
                self._refreshing = True
        if kept is not None and current:
            return kept
        if kept is None or self._exact:
            return self._refresh_once(generation)
        if start:
            threading.Thread(target=self._background, daemon=True).start()
        return kept

    def refresh(self) -> tuple[T, datetime]:
        """Compute the value now."""
        with self._computing:
            return self._store(self._generation())

    def invalidate(self) -> None:
        """Mark the value stale: the next read recomputes it (or starts its refresh)."""
        with self._lock:
            self._at = _STALE

    def _refresh_once(self, generation: Hashable) -> tuple[T, datetime]:
        """Compute the value unless another thread did while this one waited."""
        with self._computing:
            with self._lock:
                if self._value is not None and self._at == generation:
                    return self._value
            return self._store(generation)

    def _store(self, generation: Hashable) -> tuple[T, datetime]:
        value = (self._compute(), datetime.now(UTC))
        with self._lock:
            self._value, self._at, self._refreshing = value, generation, False
        # The value's hundreds of thousands of objects live on: out of the collector's sight,
        # they no longer make every collection of the requests' garbage slower, nor a full
        # one a pause of tens of milliseconds. (Reference counting still frees a replaced
        # value: it has no cycles.)
        gc.freeze()
        return value

    def _background(self) -> None:
        try:
            self.refresh()
        except Exception:  # keep serving the last value; the next read tries again
            logging.getLogger("ballast.api").exception("background refresh failed")
            with self._lock:
                self._refreshing = False


class Responses:
    """Response bodies by key, at most ``size`` of them (the least recently used go first)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._bodies: OrderedDict[Hashable, bytes] = OrderedDict()

    def get(self, key: Hashable) -> bytes | None:
        """The body kept under ``key``, or None."""
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
            return body

    def put(self, key: Hashable, body: bytes) -> bytes:
        """Keep ``body`` under ``key``; returns it."""
        with self._lock:
            self._bodies[key] = body
            self._bodies.move_to_end(key)
            while len(self._bodies) > self._size:
                self._bodies.popitem(last=False)
        return body


def kept_json(responses: Responses, key: Hashable, build: Callable[[], BaseModel]) -> Response:
    """The JSON answer kept under ``key``, else the one ``build`` makes (then kept)."""
    body = responses.get(key)
    if body is None:
        body = responses.put(key, build().model_dump_json().encode())
    return Response(body, media_type="application/json")


def json_response(model: BaseModel) -> Response:
    """``model`` as a JSON answer (what FastAPI would send for it, without validating it
    again against the route's response model)."""
    return Response(model.model_dump_json().encode(), media_type="application/json")
