"""The simulated broker's own books — orders by client order id with their fills, positions,
cash, and how often each id was submitted — and their file: SQLite, one row per order, each
change committed in one transaction (journaled and synced), so a paper-trading broker survives
a restart of ballast as a real broker does, and a crash leaves the books before a change or
after it, never half of one. A change rewrites only the orders it touched."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
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
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS orders (client_order_id TEXT PRIMARY KEY,"
    " seq INTEGER NOT NULL, body TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS balances (kind TEXT NOT NULL, key TEXT NOT NULL,"
    " amount TEXT NOT NULL, PRIMARY KEY (kind, key))",
    "CREATE TABLE IF NOT EXISTS submits (client_order_id TEXT PRIMARY KEY,"
    " count INTEGER NOT NULL)",
)


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


class BooksFile:
    """The books in a SQLite file (write-ahead log, synced on every commit). The connection
    opens on first use and stays open until :meth:`close`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None

    def load(self) -> BrokerBooks:
        """The books saved in the file; empty books when there is no file yet."""
        if not self.path.exists():
            return BrokerBooks()
        with self._transaction() as conn:
            found = conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if found is None or found[0] != FORMAT:
                raise ValueError(f"format is {found and found[0]!r}, expected {FORMAT!r}")
            books = BrokerBooks()
            for (body,) in conn.execute("SELECT body FROM orders ORDER BY seq"):
                w = _decode(json.loads(body))
                books.orders[w.order.client_order_id] = w
            for kind, key, amount in conn.execute("SELECT kind, key, amount FROM balances"):
                (books.positions if kind == "position" else books.cash)[key] = Decimal(amount)
            books.submits.update(conn.execute("SELECT client_order_id, count FROM submits"))
            return books

    def save(self, books: BrokerBooks, orders: Iterable[str]) -> None:
        """Write the ``orders`` named (client order ids) with their submit counts, and the
        positions and cash of ``books``, in one transaction."""
        touched = sorted(set(orders))
        position = {k: n for n, k in enumerate(books.orders)}
        with self._transaction() as conn:
            _prepare(conn)
            conn.executemany(
                "INSERT INTO orders VALUES (?, ?, ?) ON CONFLICT (client_order_id) DO UPDATE"
                " SET body = excluded.body",
                [(k, position[k], json.dumps(_working(books.orders[k]), sort_keys=True))
                 for k in touched if k in books.orders])
            conn.execute("DELETE FROM balances")
            conn.executemany("INSERT INTO balances VALUES (?, ?, ?)", [
                *(("position", k, str(v)) for k, v in books.positions.items()),
                *(("cash", k, str(v)) for k, v in books.cash.items())])
            conn.executemany(
                "INSERT INTO submits VALUES (?, ?) ON CONFLICT (client_order_id) DO UPDATE"
                " SET count = excluded.count",
                [(k, books.submits[k]) for k in touched if k in books.submits])

    def close(self) -> None:
        """Close the connection (the next use opens it again)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction, committed on leaving and rolled back on an error; an error of a
        file that is not such books is a DataError."""
        try:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except (sqlite3.DatabaseError, ValueError, KeyError, TypeError,
                ArithmeticError) as exc:
            self.close()
            raise DataError(f"simulated broker state {self.path}: unreadable ({exc})",
                            hint="Restore the file from a backup, or move it away to start "
                            "the simulated broker with empty books.") from exc

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn


def _prepare(conn: sqlite3.Connection) -> None:
    for statement in _SCHEMA:
        conn.execute(statement)
    conn.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (FORMAT,))


def _working(w: WorkingOrder) -> dict[str, Any]:
    return {"order": _order(w.order), "broker_id": w.broker_id,
            "accept_at": w.accept_at.isoformat(), "slices": [str(s) for s in w.slices],
            "state": w.state.value, "filled": str(w.filled), "done_slices": w.done_slices,
            "reason": w.reason, "fills": [_fill(f) for f in w.fills]}


def _decode(w: dict[str, Any]) -> WorkingOrder:
    o = w["order"]
    order = Order(o["client_order_id"], o["block_id"], o["instrument_id"], Side(o["side"]),
                  Decimal(o["quantity"]), OrderType(o["order_type"]),
                  None if o["limit_price"] is None else Decimal(o["limit_price"]),
                  TimeInForce(o["time_in_force"]))
    return WorkingOrder(
        order, w["broker_id"], datetime.fromisoformat(w["accept_at"]),
        [Decimal(s) for s in w["slices"]], OrderState(w["state"]), Decimal(w["filled"]),
        int(w["done_slices"]), w["reason"],
        [Fill(f["fill_id"], f["client_order_id"], f["instrument_id"], Side(f["side"]),
              Decimal(f["quantity"]), Decimal(f["price"]), Decimal(f["commission"]),
              f["currency"], datetime.fromisoformat(f["at"])) for f in w["fills"]])


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
