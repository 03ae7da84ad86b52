"""Orders: an explicit transition table, deterministic client order ids, an event per change."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from ballast.domain import ZERO, BallastError


class OrderState(StrEnum):
    NEW = "new"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


class OrderType(StrEnum):
    MARKET = "market"
    LIMIT = "limit"
    MARKET_ON_CLOSE = "market_on_close"


class TimeInForce(StrEnum):
    DAY = "day"
    GTC = "gtc"
    IOC = "ioc"


_S = OrderState
# A fill report implies acceptance, so a submitted order may go straight to a fill.
TRANSITIONS: Mapping[OrderState, frozenset[OrderState]] = {
    _S.NEW: frozenset({_S.SUBMITTED, _S.REJECTED, _S.CANCELLED}),
    _S.SUBMITTED: frozenset({_S.ACCEPTED, _S.PARTIALLY_FILLED, _S.FILLED, _S.REJECTED,
                             _S.CANCELLED, _S.EXPIRED}),
    _S.ACCEPTED: frozenset({_S.PARTIALLY_FILLED, _S.FILLED, _S.CANCELLED, _S.EXPIRED}),
    _S.PARTIALLY_FILLED: frozenset({_S.PARTIALLY_FILLED, _S.FILLED, _S.CANCELLED, _S.EXPIRED}),
    _S.FILLED: frozenset(),
    _S.CANCELLED: frozenset(),
    _S.REJECTED: frozenset(),
    _S.EXPIRED: frozenset(),
}
TERMINAL = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)
OPEN = frozenset({_S.SUBMITTED, _S.ACCEPTED, _S.PARTIALLY_FILLED})


class InvalidTransition(BallastError):
    """An order was asked to move to a state its transition table does not allow."""

    hint = "This is a bug or an out-of-order broker report; the order was left unchanged."


def client_order_id(run_id: int, scope: str, instrument_id: str, side: Side, seq: int) -> str:
    """The id of one order intent: a hash of the run, the account or block, the instrument, the
    side and a sequence. The same inputs always give the same id, so a restart never creates a
    second order for the same intent."""
    key = f"{run_id}|{scope}|{instrument_id}|{side.value}|{seq}"
    return f"B{run_id}-" + hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution of an order, as the broker reports it; ``commission`` in ``currency``."""

    fill_id: str
    client_order_id: str
    instrument_id: str
    side: Side
    quantity: Decimal
    price: Decimal
    commission: Decimal
    currency: str
    at: datetime


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """One state change of an order: from ``previous`` to ``state`` at ``at``, and why."""

    client_order_id: str
    seq: int
    previous: OrderState | None
    state: OrderState
    at: datetime
    filled_quantity: Decimal
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Order:
    """An order to a broker; ``block_id`` names the block it works (itself for a whole block)."""

    client_order_id: str
    block_id: str
    instrument_id: str
    side: Side
    quantity: Decimal
    order_type: OrderType = OrderType.MARKET
    limit_price: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.DAY
    state: OrderState = OrderState.NEW
    filled_quantity: Decimal = ZERO
    events: int = 0  # how many state changes so far: the seq of the next event is events + 1

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise BallastError(f"order {self.client_order_id}: quantity must be positive")
        if (self.order_type is OrderType.LIMIT) != (self.limit_price is not None):
            raise BallastError(f"order {self.client_order_id}: a limit order, and only a "
                               "limit order, has a limit price")

    @property
    def is_open(self) -> bool:
        """Sent and not yet in a terminal state."""
        return self.state in OPEN

    @property
    def is_done(self) -> bool:
        """In a terminal state: filled, cancelled, rejected or expired."""
        return self.state in TERMINAL

    def transition(self, to: OrderState, at: datetime, *, filled_quantity: Decimal | None = None,
                   reason: str = "") -> tuple[Order, OrderEvent]:
        """The order in state ``to`` and the event recording the change; raises
        InvalidTransition when the table does not allow it."""
        if to not in TRANSITIONS[self.state]:
            raise InvalidTransition(
                f"order {self.client_order_id}: cannot go from {self.state} to {to}")
        filled = self.filled_quantity if filled_quantity is None else filled_quantity
        if filled < self.filled_quantity or filled > self.quantity:
            raise InvalidTransition(
                f"order {self.client_order_id}: filled quantity {filled} is outside "
                f"[{self.filled_quantity}, {self.quantity}]")
        changed = replace(self, state=to, filled_quantity=filled, events=self.events + 1)
        event = OrderEvent(self.client_order_id, changed.events, self.state, to, at, filled,
                           reason)
        return changed, event

    def bust(self, at: datetime, *, filled_quantity: Decimal, reason: str = ""
             ) -> tuple[Order, OrderEvent]:
        """The broker cancelled executions already reported (a trade bust): the one change
        that lowers the filled quantity, and the one way out of filled — the order is
        partially filled again (accepted when nothing stays filled) and may fill again."""
        if self.state not in (OrderState.PARTIALLY_FILLED, OrderState.FILLED):
            raise InvalidTransition(
                f"order {self.client_order_id}: nothing {self.state} can be busted")
        if not ZERO <= filled_quantity < self.filled_quantity:
            raise InvalidTransition(
                f"order {self.client_order_id}: a bust must lower the filled quantity "
                f"{self.filled_quantity}, not set it to {filled_quantity}")
        to = OrderState.PARTIALLY_FILLED if filled_quantity else OrderState.ACCEPTED
        changed = replace(self, state=to, filled_quantity=filled_quantity,
                          events=self.events + 1)
        return changed, OrderEvent(self.client_order_id, changed.events, self.state, to, at,
                                   filled_quantity, reason or "trade bust")
