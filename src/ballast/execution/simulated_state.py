"""The simulated broker's own books — orders by client order id with their fills, positions,
cash, and how often each id was submitted — and their file: JSON, written atomically (a
temporary file beside it, flushed to disk, then renamed over it), so a paper-trading broker
survives a restart of ballast as a real broker does, and a crash leaves the old file or the new
one, never half of one."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ballast.domain import ZERO, DataError
from ballast.execution.orders import (
    Fill,
    Order,
    OrderState,
    OrderType,
    Side,
    TimeInForce,
)

FORMAT = "ballast-simulated-broker/1"


@dataclass(slots=True)
class WorkingOrder:
    """The broker's mutable record of one order: when it is accepted, the slices it fills in,
    its state, what is filled and the fills."""

    order: Order
    broker_id: str
    accept_at: datetime
    slices: list[Decimal]
    state: OrderState = OrderState.SUBMITTED
    filled: Decimal = ZERO
    done_slices: int = 0
    reason: str = ""
    fills: list[Fill] = field(default_factory=list)


@dataclass(slots=True)
class BrokerBooks:
    """Everything the simulated broker knows. ``submits`` counts every submit of each client
    order id, a repeat included (a repeat is answered with the known order's report)."""

    orders: dict[str, WorkingOrder] = field(default_factory=dict)
    positions: dict[str, Decimal] = field(default_factory=dict)
    cash: dict[str, Decimal] = field(default_factory=dict)
    submits: dict[str, int] = field(default_factory=dict)


def save_books(path: Path, books: BrokerBooks) -> None:
    """Write ``books`` to ``path`` atomically."""
    text = json.dumps(_encode(books), indent=1, sort_keys=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def load_books(path: Path) -> BrokerBooks:
    """The books saved at ``path``; empty books when there is no file yet."""
    if not path.exists():
        return BrokerBooks()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"format is {data.get('format')!r}, expected {FORMAT!r}")
        return _decode(data)
    except (ValueError, KeyError, TypeError, ArithmeticError) as exc:
        raise DataError(f"simulated broker state {path}: unreadable ({exc})",
                        hint="Restore the file from a backup, or move it away to start the "
                        "simulated broker with empty books.") from exc


def _encode(books: BrokerBooks) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "orders": [{
            "order": _order(w.order), "broker_id": w.broker_id,
            "accept_at": w.accept_at.isoformat(), "slices": [str(s) for s in w.slices],
            "state": w.state.value, "filled": str(w.filled), "done_slices": w.done_slices,
            "reason": w.reason, "fills": [_fill(f) for f in w.fills]}
            for w in books.orders.values()],
        "positions": {k: str(v) for k, v in books.positions.items()},
        "cash": {k: str(v) for k, v in books.cash.items()},
        "submits": dict(books.submits),
    }


def _decode(data: dict[str, Any]) -> BrokerBooks:
    orders = {}
    for w in data["orders"]:
        o = w["order"]
        order = Order(o["client_order_id"], o["block_id"], o["instrument_id"], Side(o["side"]),
                      Decimal(o["quantity"]), OrderType(o["order_type"]),
                      None if o["limit_price"] is None else Decimal(o["limit_price"]),
                      TimeInForce(o["time_in_force"]))
        orders[order.client_order_id] = WorkingOrder(
            order, w["broker_id"], datetime.fromisoformat(w["accept_at"]),
            [Decimal(s) for s in w["slices"]], OrderState(w["state"]), Decimal(w["filled"]),
            int(w["done_slices"]), w["reason"],
            [Fill(f["fill_id"], f["client_order_id"], f["instrument_id"], Side(f["side"]),
                  Decimal(f["quantity"]), Decimal(f["price"]), Decimal(f["commission"]),
                  f["currency"], datetime.fromisoformat(f["at"])) for f in w["fills"]])
    return BrokerBooks(orders, {k: Decimal(v) for k, v in data["positions"].items()},
                       {k: Decimal(v) for k, v in data["cash"].items()},
                       {k: int(v) for k, v in data["submits"].items()})


def _order(o: Order) -> dict[str, Any]:
    return {"client_order_id": o.client_order_id, "block_id": o.block_id,
            "instrument_id": o.instrument_id, "side": o.side.value, "quantity": str(o.quantity),
            "order_type": o.order_type.value,
            "limit_price": None if o.limit_price is None else str(o.limit_price),
            "time_in_force": o.time_in_force.value}


def _fill(f: Fill) -> dict[str, Any]:
    return {"fill_id": f.fill_id, "client_order_id": f.client_order_id,
            "instrument_id": f.instrument_id, "side": f.side.value, "quantity": str(f.quantity),
            "price": str(f.price), "commission": str(f.commission), "currency": f.currency,
            "at": f.at.isoformat()}
