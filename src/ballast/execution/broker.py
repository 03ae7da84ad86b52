"""The one broker contract every adapter implements (simulated, FIX, …), and the clock."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from ballast.domain import BallastError
from ballast.execution.orders import Fill, Order, OrderState, OrderType, TimeInForce


class BrokerUnavailable(BallastError):
    """The broker cannot be reached or refused the session: check the connection, then run
    the command again (orders already sent are recognized by their client order ids)."""

    hint = "Check the broker connection and run the command again; nothing is sent twice."


class Clock(Protocol):
    """What the engine reads the time from and waits with."""

    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class WallClock:
    """The real time (UTC); ``sleep`` sleeps."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class SimulatedClock:
    """Simulated time: ``sleep`` moves it forward at once."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def sleep(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a broker accepts."""

    fractional: bool
    order_types: frozenset[OrderType]
    time_in_force: frozenset[TimeInForce]


@dataclass(frozen=True, slots=True)
class BrokerReport:
    """A broker's view of one order (an execution report)."""

    client_order_id: str
    broker_order_id: str
    state: OrderState
    filled_quantity: Decimal
    reason: str = ""


class Broker(Protocol):
    """One adapter contract. Orders are named by their client order id; a submit of an id the
    broker already knows returns its report and sends nothing (a restart is safe)."""

    name: str
    capabilities: Capabilities

    def connect(self) -> None: ...

    def disconnect(self) -> None: ...

    def submit(self, order: Order) -> BrokerReport: ...

    def cancel(self, client_order_id: str) -> BrokerReport: ...

    def replace(self, client_order_id: str, *, quantity: Decimal | None = None,
                limit_price: Decimal | None = None) -> BrokerReport: ...

    def order_status(self, client_order_id: str) -> BrokerReport | None: ...

    def fills(self, since: datetime | None = None) -> list[Fill]: ...

    def positions(self) -> dict[str, Decimal]: ...

    def cash(self) -> dict[str, Decimal]: ...
