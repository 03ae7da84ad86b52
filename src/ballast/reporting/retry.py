"""Retries with exponential backoff for the delivery channels: temporary failures (a 4xx SMTP
reply, a refused connection, an HTTP 5xx) are tried again after growing pauses; permanent ones
(a 5xx SMTP reply, an HTTP 4xx) stop at once."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ballast.domain import BallastError

T = TypeVar("T")


class DeliveryFailed(BallastError):
    """A message or alert could not be delivered (after ``attempts`` tries)."""

    hint = ("Check the server named in the message (address, port, TLS option, credentials); "
            "the attempt is recorded in the audit journal.")

    def __init__(self, message: str, *, attempts: int, permanent: bool) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.permanent = permanent


class TemporaryError(Exception):
    """A failure worth trying again (wraps the channel's own error)."""


@dataclass(frozen=True, slots=True)
class Backoff:
    """``attempts`` tries in all; the pause before try ``k`` (from 1) is
    ``first_delay · factor^(k-1)``, at most ``max_delay`` seconds."""

    attempts: int = 4
    first_delay: float = 1.0
    factor: float = 2.0
    max_delay: float = 30.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.first_delay < 0 or self.factor < 1:
            raise ValueError("backoff: attempts ≥ 1, first_delay ≥ 0 and factor ≥ 1")

    def delays(self) -> list[float]:
        """The pauses between the tries (one fewer than ``attempts``)."""
        return [min(self.first_delay * self.factor ** k, self.max_delay)
                for k in range(self.attempts - 1)]


DEFAULT_BACKOFF = Backoff()


def with_retries(call: Callable[[], T], backoff: Backoff, what: str,
                 sleep: Callable[[float], None] = time.sleep) -> tuple[T, int]:
    """Run ``call`` until it succeeds; it raises :class:`TemporaryError` for a failure worth
    retrying, anything else is permanent. Returns the result and the number of tries;
    raises DeliveryFailed naming ``what`` when the tries run out or a failure is permanent."""
    delays = backoff.delays()
    for attempt in range(1, backoff.attempts + 1):
        try:
            return call(), attempt
        except TemporaryError as exc:
            if attempt == backoff.attempts:
                raise DeliveryFailed(f"{what}: gave up after {attempt} tries: {exc}",
                                     attempts=attempt, permanent=False) from exc
            sleep(delays[attempt - 1])
        except DeliveryFailed:
            raise
        except Exception as exc:
            raise DeliveryFailed(f"{what}: {exc}", attempts=attempt, permanent=True) from exc
    raise AssertionError("unreachable: the loop returns or raises")
