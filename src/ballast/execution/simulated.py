"""A simulated broker on the broker contract: fills from a price lookup with spread, slippage
and commission, partial fills, latency in simulated time, seeded rejects, trading hours; its
books in memory, or in a file that survives a restart (``simulated_state``)."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

from ballast.domain import ZERO
from ballast.execution.blocks import largest_remainder
from ballast.execution.broker import BrokerReport, BrokerUnavailable, Capabilities, Clock
from ballast.execution.fill_model import PRICE_TICK, commission, fill_price
from ballast.execution.orders import (
    OPEN,
    Fill,
    Order,
    OrderState,
    OrderType,
    Side,
    TimeInForce,
)
from ballast.execution.simulated_state import BooksFile, BrokerBooks, WorkingOrder


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """How the simulated market behaves. ``spread_bps`` is the full bid-ask spread (a buy pays
    half of it above the price, a sell half below) and ``slippage_bps`` moves every fill
    further against the order. A fill costs ``commission_per_share`` × quantity +
    ``commission_bps`` of its value; an order's first fill at least ``commission_minimum``.
    Each order fills in ``fill_slices`` parts ``slice_seconds`` apart, the first
    ``latency_seconds`` after it was sent; ``reject_probability`` of orders are rejected
    (drawn from ``seed`` and the client order id, so a rerun rejects the same ones)."""

    spread_bps: Decimal = Decimal(2)
    slippage_bps: Decimal = Decimal(1)
    commission_per_share: Decimal = Decimal("0.005")
    commission_bps: Decimal = ZERO
    commission_minimum: Decimal = Decimal(1)
    latency_seconds: float = 0.2
    fill_slices: int = 1
    slice_seconds: float = 30.0
    reject_probability: float = 0.0
    fractional: bool = False
    seed: int = 0


class SimulatedBroker:
    """The simulated broker. ``prices`` gives the current price of an instrument (None: no
    market data, the order is rejected); ``is_open`` says whether the market trades at a
    moment; ``currencies`` maps instruments to their currency (USD when absent). With
    ``state`` (a file path) its books are read from that file and every change is written back
    before the call that made it returns, as a real broker keeps its books whatever happens
    to its clients; without it they live in memory."""

    name = "simulated"

    def __init__(self, prices: Callable[[str], Decimal | None], clock: Clock,
                 config: SimulationConfig | None = None, *,
                 is_open: Callable[[datetime], bool] = lambda _: True,
                 currencies: Mapping[str, str] | None = None,
                 state: Path | None = None) -> None:
        self._prices = prices
        self._clock = clock
        self.config = config or SimulationConfig()
        self._is_open = is_open
        self._currencies = dict(currencies or {})
        self._file = None if state is None else BooksFile(state)
        self.books = BrokerBooks() if self._file is None else self._file.load()
        self._orders = self.books.orders
        self._positions = self.books.positions
        self._cash = self.books.cash
        self._touched: set[str] = set()  # orders changed since the books were last written
        self._connected = False
        self.submitted = 0  # orders accepted for working (resubmissions not counted)
        self.capabilities = Capabilities(
            self.config.fractional, frozenset(OrderType), frozenset(TimeInForce))

    def connect(self) -> None:
        self._connected = True

    def disconnect(self) -> None:
        self._connected = False
        if self._file is not None:
            self._file.close()

    def _check(self) -> None:
        if not self._connected:
            raise BrokerUnavailable("simulated broker: not connected")
        self._advance()
        self._keep()

    def _keep(self) -> None:
        """Write the orders changed since the last write, with positions and cash, to the
        state file."""
        if self._touched and self._file is not None:
            self._file.save(self.books, self._touched)
        self._touched.clear()

    def submit(self, order: Order) -> BrokerReport:
        """Take ``order``; an id already known returns its report and changes nothing but
        the count of its submits."""
        self._check()
        coid = order.client_order_id
        self.books.submits[coid] = self.books.submits.get(coid, 0) + 1
        self._touched.add(coid)
        known = self._orders.get(coid)
        if known is not None:
            self._keep()
            return self._report(known)
        now = self._clock.now()
        cfg = self.config
        w = WorkingOrder(order, f"SIM{len(self._orders) + 1}",
                         now + timedelta(seconds=cfg.latency_seconds),
                         self._plan(order.quantity))
        self._orders[coid] = w
        self.submitted += 1
        if not cfg.fractional and order.quantity != order.quantity.to_integral_value():
            self._end(w, OrderState.REJECTED, "fractional shares are not supported")
        elif not self._is_open(now):
            self._end(w, OrderState.REJECTED, "the market is closed")
        elif random.Random(f"{cfg.seed}:{order.client_order_id}").random() < \
                cfg.reject_probability:
            self._end(w, OrderState.REJECTED, "rejected by the broker (simulated)")
        self._keep()
        return self._report(w)

    def cancel(self, client_order_id: str) -> BrokerReport:
        """Cancel what is left of an open order (a done order is reported as it is)."""
        self._check()
        w = self._orders[client_order_id]
        if w.state in OPEN:
            self._end(w, OrderState.CANCELLED, "cancelled on request")
        self._keep()
        return self._report(w)

    def replace(self, client_order_id: str, *, quantity: Decimal | None = None,
                limit_price: Decimal | None = None) -> BrokerReport:
        """Change an open order's quantity (not below what is filled) or limit price."""
        self._check()
        w = self._orders[client_order_id]
        if w.state not in OPEN:
            return self._report(w)
        new_quantity = w.order.quantity if quantity is None else max(quantity, w.filled)
        if new_quantity == w.filled:
            self._end(w, OrderState.FILLED if w.filled else OrderState.CANCELLED,
                      "replaced down to what was filled")
            self._keep()
            return self._report(w)
        w.order = replace(w.order, quantity=new_quantity,
                          limit_price=limit_price or w.order.limit_price)
        left = max(len(w.slices) - w.done_slices, 1)
        w.slices = w.slices[:w.done_slices] + self._plan(new_quantity - w.filled, left)
        self._touched.add(client_order_id)
        self._keep()
        return self._report(w)

    def order_status(self, client_order_id: str) -> BrokerReport | None:
        self._check()
        w = self._orders.get(client_order_id)
        return None if w is None else self._report(w)

    def fills(self, since: datetime | None = None) -> list[Fill]:
        """Every fill (after ``since``), in time order."""
        self._check()
        out = [f for w in self._orders.values() for f in w.fills
               if since is None or f.at > since]
        return sorted(out, key=lambda f: (f.at, f.fill_id))

    def positions(self) -> dict[str, Decimal]:
        self._check()
        return {k: v for k, v in self._positions.items() if v}

    def cash(self) -> dict[str, Decimal]:
        self._check()
        return dict(self._cash)

    def _plan(self, quantity: Decimal, parts: int | None = None) -> list[Decimal]:
        units = int(quantity) if quantity == quantity.to_integral_value() else 0
        n = parts or self.config.fill_slices
        if units < n or n <= 1:
            return [quantity] if quantity else []
        return [Decimal(s) for s in largest_remainder(units, [1] * n)]

    def _report(self, w: WorkingOrder) -> BrokerReport:
        return BrokerReport(w.order.client_order_id, w.broker_id, w.state, w.filled, w.reason)

    def _end(self, w: WorkingOrder, state: OrderState, reason: str) -> None:
        w.state, w.reason = state, reason
        self._touched.add(w.order.client_order_id)

    def _advance(self) -> None:
        """Bring every open order up to the clock: acceptance, then each due slice."""
        now = self._clock.now()
        for w in self._orders.values():
            if w.state in OPEN and now >= w.accept_at:
                self._work(w, now)

    def _work(self, w: WorkingOrder, now: datetime) -> None:
        if w.state is OrderState.SUBMITTED:
            w.state = OrderState.ACCEPTED
            self._touched.add(w.order.client_order_id)
        o = w.order
        if o.order_type is OrderType.MARKET_ON_CLOSE:
            if not self._is_open(now):
                self._fill(w, o.quantity - w.filled, now, close=True)
            return
        ioc = o.time_in_force is TimeInForce.IOC
        while w.state in OPEN and w.done_slices < len(w.slices):
            due = w.accept_at + timedelta(seconds=self.config.slice_seconds * w.done_slices)
            if due > now:
                break
            if not self._is_open(due):
                self._end(w, OrderState.EXPIRED, "the market closed")
                return
            filled = self._fill(w, w.slices[w.done_slices], due, close=False)
            if filled:
                w.done_slices += 1
            if ioc or not filled:
                break  # immediate or cancel: one attempt; a limit not marketable: keep working
        if w.state in OPEN and ioc:
            self._end(w, OrderState.CANCELLED, "immediate or cancel: the rest is cancelled")
        elif w.state in OPEN and o.time_in_force is TimeInForce.DAY and not self._is_open(now):
            self._end(w, OrderState.EXPIRED, "the market closed")

    def _fill(self, w: WorkingOrder, quantity: Decimal, at: datetime, *, close: bool) -> bool:
        o, cfg = w.order, self.config
        price = self._prices(o.instrument_id)
        if price is None:
            self._end(w, OrderState.REJECTED, f"no market data for {o.instrument_id}")
            return False
        sign = 1 if o.side is Side.BUY else -1
        price = price.quantize(PRICE_TICK, ROUND_HALF_EVEN) if close else fill_price(
            price, o.side, cfg)
        limit = o.limit_price
        if limit is not None and sign * (price - limit) > 0:
            return False
        fee = commission(quantity, price, cfg, first=not w.fills)
        currency = self._currencies.get(o.instrument_id, "USD")
        fill = Fill(f"{o.client_order_id}-{len(w.fills) + 1}", o.client_order_id,
                    o.instrument_id, o.side, quantity, price, fee, currency, at)
        w.fills.append(fill)
        self._touched.add(o.client_order_id)
        w.filled += quantity
        w.state = OrderState.FILLED if w.filled >= o.quantity else OrderState.PARTIALLY_FILLED
        self._positions[o.instrument_id] = self._positions.get(o.instrument_id, ZERO) + \
            sign * quantity
        self._cash[currency] = self._cash.get(currency, ZERO) - sign * quantity * price - fee
        return True
