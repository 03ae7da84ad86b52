"""Who a bearer token or session id belongs to, looked up once per store generation.

Revoking a token, ending a session, deactivating a user or changing their roles are all
commits, which move the generation (:mod:`ballast.api.generation`): a principal kept under the
generation it was checked at is the one :func:`ballast.engine.users.authenticate` would find
now, until the token's expiry, which is checked at every request. Failed lookups are never
kept (guessed tokens cannot push real ones out)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from threading import Lock

from ballast.engine import users
from ballast.engine.service import Store
from ballast.engine.users import Principal


class Principals:
    """:func:`ballast.engine.users.authenticate`, kept per token for the generation it was
    checked at (at most ``size`` tokens, the least recently used first out)."""

    def __init__(self, generation: Callable[[], Hashable], size: int = 4096) -> None:
        self._generation, self._size = generation, size
        self._lock = Lock()
        self._kept: OrderedDict[tuple[str, str], tuple[Hashable, Principal, datetime | None]]
        self._kept = OrderedDict()

    def authenticate(self, store: Store, token: str, kind: str) -> Principal:
        """The principal of ``token`` (an API token or a session id, per ``kind``);
        AuthenticationFailed as :func:`ballast.engine.users.authenticate` raises it."""
        key, now = (users.token_digest(token), kind), datetime.now(UTC)
        generation = self._generation()
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and kept[0] == generation and (kept[2] is None or now < kept[2]):
            return kept[1]
        principal = users.authenticate(store, token, kind=kind, now=now)
        with store.transaction() as tx:
            found = tx.token_owner(key[0])
        if found is not None:
            with self._lock:
                self._kept[key] = (generation, principal, found[0].expires_at)
                self._kept.move_to_end(key)
                while len(self._kept) > self._size:
                    self._kept.popitem(last=False)
        return principal
