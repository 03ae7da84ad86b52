"""The adapter's own durable record: every order it sent, every cancel or replace request, and
every execution report it received, appended to a JSON-lines file (written through to the
operating system, and with ``sync`` also to the disk) before the message is sent or
acknowledged. A restarted adapter replays it, so it knows which client
order ids the broker has seen, what they became, and every fill by its ExecID."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from ballast.domain import ZERO
from ballast.execution.broker import BrokerReport
from ballast.execution.fix.messages import CANCEL_REJECT, UNKNOWN_ORDER, ExecReport
from ballast.execution.orders import (
    TERMINAL,
    Fill,
    Order,
    OrderState,
    OrderType,
    Side,
    TimeInForce,
)

_S = OrderState
# OrdStatus (39) → state; pending and restated statuses read as accepted or partially filled.
_STATES = {"1": _S.PARTIALLY_FILLED, "2": _S.FILLED, "3": _S.EXPIRED, "4": _S.CANCELLED,
           "8": _S.REJECTED, "C": _S.EXPIRED, "A": _S.SUBMITTED}
TRADE, TRADE_CANCEL, REPLACED, ORDER_STATUS = "F", "H", "5", "I"


def state_of(ord_status: str, cum_qty: Decimal) -> OrderState:
    """The order state an OrdStatus means (an open status with fills: partially filled)."""
    state = _STATES.get(ord_status)
    if state is not None:
        return state
    return _S.PARTIALLY_FILLED if cum_qty > 0 else _S.ACCEPTED


@dataclass(slots=True)
class Tracked:
    """What the adapter knows of one order: its current ClOrdID on the wire (a replace or a
    cancel gives it a new one), the broker's id, state and filled quantity."""

    order: Order
    wire_id: str
    requests: int = 0
    broker_order_id: str = ""
    state: OrderState = _S.SUBMITTED
    filled: Decimal = ZERO
    reason: str = ""
    answered: bool = False  # an execution report about it came back
    unknown: bool = False  # the broker answered a status request: it does not know the order

    @property
    def is_done(self) -> bool:
        return self.state in TERMINAL

    def report(self) -> BrokerReport:
        return BrokerReport(self.order.client_order_id, self.broker_order_id, self.state,
                            self.filled, self.reason)


class OrderJournal:
    """The orders, requests and execution reports of one FIX session, replayed from ``path``
    and appended to it. Not thread-safe: the adapter holds its lock around every call."""

    def __init__(self, path: Path, *, sync: bool = False) -> None:
        self.path = path
        self._sync = sync
        self.orders: dict[str, Tracked] = {}
        self.fills: list[Fill] = []
        self.replies: set[str] = set()  # ClOrdIDs of requests the broker answered
        self._by_wire: dict[str, str] = {}
        self._exec_ids: set[str] = set()
        self._pending: dict[str, tuple[Decimal, Decimal | None]] = {}  # replace wire id → new
        self._fill_by_exec: dict[str, Fill] = {}
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        self._replay(json.loads(line))
        self._file: IO[str] = path.open("a", encoding="utf-8")

    def close(self) -> None:
        self._file.close()

    def sent(self, order: Order) -> Tracked:
        """Record that ``order`` is being sent (before it is)."""
        self._write({"kind": "order", **_order_json(order)})
        return self._on_order(order)

    def request(self, client_order_id: str, quantity: Decimal | None = None,
                limit_price: Decimal | None = None) -> str:
        """Record a cancel (no quantity) or replace request; returns its new ClOrdID."""
        t = self.orders[client_order_id]
        wire = f"{client_order_id}/{'R' if quantity is not None else 'C'}{t.requests + 1}"
        self._write({"kind": "request", "id": client_order_id, "wire": wire,
                     "quantity": None if quantity is None else str(quantity),
                     "limit": None if limit_price is None else str(limit_price)})
        self._on_request(client_order_id, wire, quantity, limit_price)
        return wire

    def apply(self, report: ExecReport) -> bool:
        """Take an execution report or a cancel reject; False when it is a duplicate (its
        ExecID was seen: a possible-duplicate resend) or about an order not ours."""
        if report.msg_type == CANCEL_REJECT:
            return self._on_cancel_reject(report)
        known = self._by_wire.get(report.cl_ord_id) or self._by_wire.get(report.orig_cl_ord_id)
        if known is None or report.exec_id in self._exec_ids:
            return False
        self._write({"kind": "report", **report.to_json()})
        self._on_report(known, report)
        return True

    def _write(self, row: dict[str, Any]) -> None:
        self._file.write(json.dumps(row) + "\n")
        self._file.flush()  # survives the process being killed
        if self._sync:  # survives the machine stopping
            os.fsync(self._file.fileno())

    def _replay(self, row: dict[str, Any]) -> None:
        kind = row.pop("kind")
        if kind == "order":
            self._on_order(_order_of(row))
        elif kind == "request":
            self._on_request(row["id"], row["wire"],
                             None if row["quantity"] is None else Decimal(row["quantity"]),
                             None if row["limit"] is None else Decimal(row["limit"]))
        else:
            report = ExecReport.from_json(row)
            known = self._by_wire.get(report.cl_ord_id) or \
                self._by_wire.get(report.orig_cl_ord_id)
            if known is not None:
                self._on_report(known, report)

    def _on_order(self, order: Order) -> Tracked:
        t = self.orders.get(order.client_order_id)
        if t is None:
            t = self.orders[order.client_order_id] = Tracked(order, order.client_order_id)
        t.unknown = False
        self._by_wire[order.client_order_id] = order.client_order_id
        return t

    def _on_request(self, client_order_id: str, wire: str, quantity: Decimal | None,
                    limit_price: Decimal | None) -> None:
        t = self.orders[client_order_id]
        t.requests += 1
        self._by_wire[wire] = client_order_id
        if quantity is not None:
            self._pending[wire] = (quantity, limit_price)

    def _on_cancel_reject(self, report: ExecReport) -> bool:
        known = self._by_wire.get(report.orig_cl_ord_id) or self._by_wire.get(report.cl_ord_id)
        if known is None:
            return False
        self.replies.add(report.cl_ord_id)
        self.orders[known].reason = f"cancel or replace rejected: {report.text}".rstrip(": ")
        return True

    def _on_report(self, client_order_id: str, report: ExecReport) -> None:
        t = self.orders[client_order_id]
        self._exec_ids.add(report.exec_id)
        self.replies.add(report.cl_ord_id)
        if report.exec_type == ORDER_STATUS and report.ord_rej_reason == UNKNOWN_ORDER:
            if not t.answered:
                t.unknown = True
            return
        t.answered = True
        t.broker_order_id = report.order_id or t.broker_order_id
        if report.exec_type == TRADE and report.last_qty:
            self._add_fill(t, report, report.last_qty, report.commission)
        elif report.exec_type == TRADE_CANCEL:
            busted = self._fill_by_exec.get(report.exec_ref_id)
            if busted is not None:
                self._add_fill(t, replace(report, last_px=busted.price), -busted.quantity,
                               -busted.commission)
        elif report.exec_type == REPLACED:
            quantity, limit = self._pending.pop(report.cl_ord_id, (t.order.quantity, None))
            t.order = replace(t.order, quantity=report.order_qty or quantity,
                              limit_price=limit if limit is not None else t.order.limit_price)
            t.wire_id = report.cl_ord_id
        t.state = state_of(report.ord_status, report.cum_qty)
        t.filled = report.cum_qty
        t.reason = report.text

    def _add_fill(self, t: Tracked, report: ExecReport, quantity: Decimal,
                  commission: Decimal) -> None:
        o = t.order
        fill = Fill(report.exec_id, o.client_order_id, o.instrument_id, o.side, quantity,
                    report.last_px, commission, report.currency, report.at)
        self.fills.append(fill)
        self._fill_by_exec[report.exec_id] = fill


def _order_json(order: Order) -> dict[str, str | None]:
    return {"id": order.client_order_id, "block": order.block_id,
            "instrument": order.instrument_id, "side": order.side.value,
            "quantity": str(order.quantity), "type": order.order_type.value,
            "limit": None if order.limit_price is None else str(order.limit_price),
            "tif": order.time_in_force.value}


def _order_of(row: dict[str, Any]) -> Order:
    return Order(row["id"], row["block"], row["instrument"], Side(row["side"]),
                 Decimal(row["quantity"]), OrderType(row["type"]),
                 None if row["limit"] is None else Decimal(row["limit"]),
                 TimeInForce(row["tif"]), state=OrderState.SUBMITTED)
