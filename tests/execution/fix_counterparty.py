"""A FIX 4.4 acceptor on loopback that plays the broker for the FIX adapter's tests and
benchmark: real QuickFIX (ThreadedSocketAcceptor, on its own threads), not product code.

It accepts orders and fills them at its prices — fully, in slices, or only a share of them
(``fill_ratio``; 0 leaves the order working) — rejects the symbols of ``reject``, answers
cancel, replace and status requests, busts a fill on request, and can drop the connection
once after ``drop_after`` new orders. It counts every NewOrderSingle it receives by ClOrdID
(``received``), so a test sees an order that reached it twice."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import TracebackType

import quickfix as fix

from ballast.execution.fix.messages import (
    AVG_PX,
    CL_ORD_ID,
    COMMISSION,
    CUM_QTY,
    CURRENCY,
    EXEC_ID,
    EXEC_REF_ID,
    EXEC_TYPE,
    LAST_PX,
    LAST_QTY,
    LEAVES_QTY,
    MSG_TYPE,
    ORD_REJ_REASON,
    ORD_STATUS,
    ORDER_ID,
    ORDER_QTY,
    ORIG_CL_ORD_ID,
    POSS_DUP,
    SIDE,
    SYMBOL,
    TEXT,
    TRANSACT_TIME,
    text,
)
from ballast.execution.fix.settings import FixSettings, bundled_dictionary

SENDER, TARGET = "BROKER", "BALLAST"
CENT = Decimal("0.01")


def adapter_settings(counterparty: Counterparty, store_dir: Path) -> FixSettings:
    """The adapter's settings for a session with ``counterparty`` (a second to reconnect)."""
    return FixSettings(port=counterparty.port, sender_comp_id=TARGET, target_comp_id=SENDER,
                       store_dir=store_dir, reconnect_seconds=1, logon_timeout_seconds=10,
                       reply_timeout_seconds=10)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Rules:
    """How the broker behaves."""

    reject: frozenset[str] = frozenset()
    fill_ratio: dict[str, Decimal] = field(default_factory=dict)
    slices: int = 1
    drop_after: int | None = None
    prices: dict[str, Decimal] = field(default_factory=dict)
    commission_per_share: Decimal = Decimal("0.005")
    trade_time: datetime | None = None  # the TransactTime of every report (None: now)


@dataclass
class _Order:
    order_id: str
    symbol: str
    side: str
    quantity: Decimal
    status: str = "0"
    cum: Decimal = Decimal(0)
    value: Decimal = Decimal(0)
    fills: dict[str, tuple[Decimal, Decimal, Decimal]] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.status in ("0", "1")


class Counterparty(fix.Application):  # type: ignore[misc]
    """The broker. Use as a context manager: it listens on ``port`` while inside."""

    def __init__(self, store_dir: Path, rules: Rules | None = None) -> None:
        super().__init__()
        self.rules = rules or Rules()
        self.port = free_port()
        self.received: Counter[str] = Counter()
        self.logon_seqs: list[int] = []
        self.poss_dups = 0
        self._store_dir = store_dir
        self._lock = threading.RLock()
        self._orders: dict[str, _Order] = {}  # by every ClOrdID the order had
        self._by_exec: dict[str, _Order] = {}
        self._ids = self._order_ids = 0
        self._dropped = False
        self._session = fix.SessionID("FIX.4.4", SENDER, TARGET)
        self._acceptor: fix.ThreadedSocketAcceptor | None = None

    def __enter__(self) -> Counterparty:
        settings = fix.SessionSettings()
        settings.setFromString("\n".join([
            "[DEFAULT]", "ConnectionType=acceptor",
            f"FileStorePath={self._store_dir / 'counterparty'}",
            "StartTime=00:00:00", "EndTime=00:00:00", "HeartBtInt=30",
            "ResetOnLogon=N", "ResetOnLogout=N", "ResetOnDisconnect=N",
            "UseDataDictionary=Y", f"DataDictionary={bundled_dictionary()}",
            f"SocketAcceptPort={self.port}", "SocketNodelay=Y",
            "[SESSION]", "BeginString=FIX.4.4", f"SenderCompID={SENDER}",
            f"TargetCompID={TARGET}", ""]))
        # QuickFIX keeps references to the settings and the store factory: keep them alive
        self._keep = (settings, fix.FileStoreFactory(settings))
        self._acceptor = fix.ThreadedSocketAcceptor(self, self._keep[1], settings)
        self._acceptor.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        acceptor, self._acceptor = self._acceptor, None
        if acceptor is not None:
            acceptor.stop(True)

    def wait(self, condition: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Wait until ``condition`` holds (polling); False after ``timeout`` seconds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                if condition():
                    return True
            time.sleep(0.01)
        return False

    def filled(self, cl_ord_id: str) -> Decimal:
        """What the broker filled of an order (after busts)."""
        with self._lock:
            return self._orders[cl_ord_id].cum

    def quantity(self, cl_ord_id: str) -> Decimal:
        """An order's quantity as the broker has it (after replaces)."""
        with self._lock:
            return self._orders[cl_ord_id].quantity

    def exec_ids(self, cl_ord_id: str) -> list[str]:
        """The ExecIDs of an order's fills, in order."""
        with self._lock:
            return list(self._orders[cl_ord_id].fills)

    def bust(self, exec_id: str) -> None:
        """Cancel a trade (ExecType H, ExecRefID the busted fill)."""
        with self._lock:
            o = self._by_exec[exec_id]
            qty, price, _ = o.fills[exec_id]
            o.cum -= qty
            o.value -= qty * price
            o.status = "1" if o.cum else "4"
            message = self._report(o, next(k for k, v in self._orders.items() if v is o), "H",
                                   [(LAST_QTY, text(qty)), (LAST_PX, text(price)),
                                    (EXEC_REF_ID, exec_id)])
        self._send(message)  # not under the lock: QuickFIX's thread takes it in fromApp

    # QuickFIX callbacks

    def onCreate(self, session_id: fix.SessionID) -> None:  # QuickFIX names the callbacks
        """Nothing to set up."""

    def onLogon(self, session_id: fix.SessionID) -> None:
        """Nothing to do: the initiator asks for what it missed."""

    def onLogout(self, session_id: fix.SessionID) -> None:
        """Orders stay working across a disconnection."""

    def toAdmin(self, message: fix.Message, session_id: fix.SessionID) -> None:
        """Sent as built."""

    def toApp(self, message: fix.Message, session_id: fix.SessionID) -> None:
        """Sent as built."""

    def fromAdmin(self, message: fix.Message, session_id: fix.SessionID) -> None:
        header = message.getHeader()
        if header.getField(MSG_TYPE) == "A":
            with self._lock:
                self.logon_seqs.append(int(header.getField(34)))

    def fromApp(self, message: fix.Message, session_id: fix.SessionID) -> None:
        kind = message.getHeader().getField(MSG_TYPE)
        with self._lock:
            if message.getHeader().isSetField(POSS_DUP) and \
                    message.getHeader().getField(POSS_DUP) == "Y":
                self.poss_dups += 1
            if kind == "D":
                self._new_order(message)
            elif kind in ("F", "G"):
                self._cancel_or_replace(message, replacing=kind == "G")
            elif kind == "H":
                self._status(message)

    # the broker

    def _new_order(self, m: fix.Message) -> None:
        cl = m.getField(CL_ORD_ID)
        self.received[cl] += 1
        known = self._orders.get(cl)
        if known is not None:  # a ClOrdID it has: report, never a second order
            self._send(self._report(known, cl, "I"))
            return
        self._order_ids += 1
        o = _Order(f"O{self._order_ids}", m.getField(SYMBOL), m.getField(SIDE),
                   Decimal(m.getField(ORDER_QTY)))
        self._orders[cl] = o
        if o.symbol in self.rules.reject:
            o.status = "8"
            self._send(self._report(o, cl, "8", [(TEXT, f"{o.symbol} is restricted"),
                                                 (ORD_REJ_REASON, "0")]))
        else:
            self._send(self._report(o, cl, "0"))
            self._work(o, cl)
        if self.rules.drop_after == self._order_ids and not self._dropped:
            self._dropped = True
            fix.Session.lookupSession(self._session).disconnect()

    def _work(self, o: _Order, cl: str) -> None:
        """Fill up to the symbol's fill ratio of the order, in slices."""
        target = (o.quantity * self.rules.fill_ratio.get(o.symbol, Decimal(1))).to_integral_value()
        left = target - o.cum
        n = self.rules.slices
        price = self.rules.prices.get(o.symbol, Decimal(100))
        for k in range(n):
            qty = left // n + (1 if k < left % n else 0)
            if qty <= 0:
                continue
            self._ids += 1
            exec_id = f"X{self._ids}"
            commission = (qty * self.rules.commission_per_share).quantize(CENT)
            o.cum += qty
            o.value += qty * price
            o.fills[exec_id] = (qty, price, commission)
            self._by_exec[exec_id] = o
            o.status = "2" if o.cum >= o.quantity else "1"
            self._send(self._report(o, cl, "F", [
                (LAST_QTY, text(qty)), (LAST_PX, text(price)), (COMMISSION, text(commission)),
                (CURRENCY, "USD")], exec_id=exec_id))

    def _cancel_or_replace(self, m: fix.Message, *, replacing: bool) -> None:
        cl, orig = m.getField(CL_ORD_ID), m.getField(ORIG_CL_ORD_ID)
        o = self._orders.get(orig)
        if o is None or not o.is_open:
            reject = fix.Message()
            reject.getHeader().setField(fix.StringField(MSG_TYPE, "9"))
            for tag, value in [(ORDER_ID, o.order_id if o else "NONE"), (CL_ORD_ID, cl),
                               (ORIG_CL_ORD_ID, orig), (ORD_STATUS, o.status if o else "8"),
                               (434, "2" if replacing else "1"),
                               (TEXT, "too late" if o else "unknown order")]:
                reject.setField(fix.StringField(tag, value))
            self._send(reject)
            return
        self._orders[cl] = o
        if replacing:
            o.quantity = Decimal(m.getField(ORDER_QTY))
            o.status = "2" if o.cum >= o.quantity else ("1" if o.cum else "0")
            self._send(self._report(o, cl, "5", [(ORIG_CL_ORD_ID, orig)]))
            self._work(o, cl)
        else:
            o.status = "4"
            self._send(self._report(o, cl, "4", [(ORIG_CL_ORD_ID, orig)]))

    def _status(self, m: fix.Message) -> None:
        cl = m.getField(CL_ORD_ID)
        o = self._orders.get(cl)
        if o is None:
            o = _Order("NONE", m.getField(SYMBOL), m.getField(SIDE), Decimal(0), status="8")
            self._send(self._report(o, cl, "I", [(ORD_REJ_REASON, "5"),
                                                 (TEXT, "unknown order")]))
        else:
            self._send(self._report(o, cl, "I"))

    def _report(self, o: _Order, cl: str, exec_type: str,
                extra: list[tuple[int, str]] | None = None, *,
                exec_id: str | None = None) -> fix.Message:
        if exec_id is None:
            self._ids += 1
            exec_id = f"X{self._ids}"
        msg = fix.Message()
        msg.getHeader().setField(fix.StringField(MSG_TYPE, "8"))
        leaves = o.quantity - o.cum if o.is_open else Decimal(0)
        avg = (o.value / o.cum).quantize(Decimal("0.0001")) if o.cum else Decimal(0)
        for tag, value in [(ORDER_ID, o.order_id), (CL_ORD_ID, cl), (EXEC_ID, exec_id),
                           (EXEC_TYPE, exec_type), (ORD_STATUS, o.status), (SIDE, o.side),
                           (SYMBOL, o.symbol), (ORDER_QTY, text(o.quantity)),
                           (LEAVES_QTY, text(leaves)), (CUM_QTY, text(o.cum)),
                           (AVG_PX, text(avg)), *(extra or [])]:
            msg.setField(fix.StringField(tag, value))
        at = self.rules.trade_time or datetime.now(UTC)
        msg.setField(fix.StringField(TRANSACT_TIME, at.strftime("%Y%m%d-%H:%M:%S.%f")[:-3]))
        return msg

    def _send(self, message: fix.Message) -> None:
        fix.Session.sendToTarget(message, self._session)
