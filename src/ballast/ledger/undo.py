"""An undo log: every mutation of the book goes through one, so a failed apply rolls back."""

from __future__ import annotations

from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")

_MISSING: Any = object()
_KEY, _ATTR, _APPEND = 0, 1, 2


class Undo:
    """Records the old value before each change; :meth:`rollback` restores them in reverse."""

    __slots__ = ("_log",)

    def __init__(self) -> None:
        self._log: list[tuple[int, Any, Any, Any]] = []

    def set_key(self, container: dict[K, V], key: K, value: V) -> None:
        """``container[key] = value``."""
        self._log.append((_KEY, container, key, container.get(key, _MISSING)))
        container[key] = value

    def del_key(self, container: dict[K, V], key: K) -> None:
        """``del container[key]`` (the key must exist)."""
        self._log.append((_KEY, container, key, container.pop(key)))

    def set_index(self, container: list[V], index: int, value: V) -> None:
        """``container[index] = value``."""
        self._log.append((_KEY, container, index, container[index]))
        container[index] = value

    def set_attr(self, obj: object, name: str, value: object) -> None:
        """``setattr(obj, name, value)``."""
        self._log.append((_ATTR, obj, name, getattr(obj, name)))
        setattr(obj, name, value)

    def append(self, container: list[V], value: V) -> None:
        """``container.append(value)``."""
        self._log.append((_APPEND, container, None, None))
        container.append(value)

    def forget(self) -> None:
        """Keep every recorded change: empty the log without undoing anything."""
        self._log.clear()

    def rollback(self) -> None:
        """Undo every recorded change, newest first, and empty the log."""
        for op, container, key, old in reversed(self._log):
            if op == _APPEND:
                container.pop()
            elif op == _ATTR:
                setattr(container, key, old)
            elif old is _MISSING:
                del container[key]
            else:
                container[key] = old
        self._log.clear()
