"""The FIX 4.4 broker adapter: a QuickFIX initiator session on the broker contract."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import quickfix as fix

from ballast.domain import ZERO, BallastError
from ballast.execution.broker import BrokerReport, BrokerUnavailable, Capabilities
from ballast.execution.fix.application import Callbacks
from ballast.execution.fix.journal import OrderJournal, Tracked
from ballast.execution.fix.messages import (
    ExecReport,
    cancel_request,
    logout,
    new_order_single,
    replace_request,
    status_request,
    test_request,
)
from ballast.execution.fix.settings import BEGIN_STRING, FixSettings
from ballast.execution.orders import Fill, Order, OrderType, Side, TimeInForce


class FixBroker:
    """A broker reached over a FIX 4.4 session (QuickFIX initiator). ``submit`` sends a
    NewOrderSingle and returns at once (state submitted); execution reports arriving on
    QuickFIX's thread are journaled and answer ``order_status`` and ``fills``. An order the
    journal knows is never sent again; after a logon every order still open is asked about
    with an OrderStatusRequest."""

    def __init__(self, settings: FixSettings) -> None:
        self.settings = settings
        self.name = settings.name
        self.capabilities = Capabilities(settings.fractional, frozenset(OrderType),
                                         frozenset(TimeInForce))
        self._session = fix.SessionID(BEGIN_STRING, settings.sender_comp_id,
                                      settings.target_comp_id)
        self._where = (f"FIX session {settings.sender_comp_id}->{settings.target_comp_id} at "
                       f"{settings.host}:{settings.port}")
        self._cond = threading.Condition()
        self._callbacks = Callbacks(self._on_session, self._on_report, self._on_heartbeat)
        self._heartbeats: set[str] = set()
        self._initiator: fix.ThreadedSocketInitiator | None = None
        self._factories: tuple[fix.SessionSettings, fix.FileStoreFactory,
                               fix.FileLogFactory] | None = None
        self._journal: OrderJournal | None = None
        self._logged_on = False
        self._logons = self._asked = 0

    # the session

    def connect(self) -> None:
        """Start the session, wait for the logon (``logon_timeout_seconds``), ask about every
        open order and wait until everything the broker sent while we were away has arrived;
        raises BrokerUnavailable (and leaves no session running) when the broker does not
        answer."""
        s = self.settings
        with self._cond:
            if self._journal is None:
                s.store_dir.mkdir(parents=True, exist_ok=True)
                self._journal = OrderJournal(s.store_dir / "orders.jsonl", sync=s.sync_journal)
        if self._initiator is None:
            qf = fix.SessionSettings()
            qf.setFromString(s.session_text)
            # QuickFIX holds references to these: they must outlive the initiator
            self._factories = (qf, fix.FileStoreFactory(qf), fix.FileLogFactory(qf))
            _, store, log = self._factories
            self._initiator = (fix.ThreadedSocketInitiator(self._callbacks, store, qf, log)
                               if s.log_messages else
                               fix.ThreadedSocketInitiator(self._callbacks, store, qf))
            self._initiator.start()
        with self._cond:
            logged_on = self._cond.wait_for(lambda: self._logged_on, s.logon_timeout_seconds)
        if not logged_on:
            self.disconnect()
            raise BrokerUnavailable(f"{self._where}: no logon within "
                                    f"{s.logon_timeout_seconds:g} s; is the broker's FIX "
                                    "acceptor up and are the CompIDs right?")
        try:
            self._ask_open_orders()
            self._catch_up()
        except BrokerUnavailable:
            self.disconnect()
            raise

    def _catch_up(self) -> None:
        """Send a TestRequest and wait for its Heartbeat: QuickFIX processes incoming messages
        in sequence order, so by then every report the broker sent before it — resent after
        a gap, or answering the status requests — has been journaled. A heartbeat can be
        lost to the gap fill of a resend, so an unanswered test request is sent again after a
        second."""
        end = time.monotonic() + self.settings.reply_timeout_seconds
        while self._logged_on and time.monotonic() < end:
            if self._test(min(1.0, max(end - time.monotonic(), 0.0))):
                return
        raise BrokerUnavailable(f"{self._where}: no answer to a test request within "
                                f"{self.settings.reply_timeout_seconds:g} s after the logon; "
                                "try again")

    def _test(self, timeout: float) -> bool:
        """Send one TestRequest; whether its Heartbeat came within ``timeout`` seconds."""
        request = f"ballast-{time.time_ns()}"
        self._send(test_request(request))
        with self._cond:
            return self._cond.wait_for(
                lambda: request in self._heartbeats or not self._logged_on, timeout) \
                and self._logged_on

    def disconnect(self) -> None:
        """Log out and stop the session (sequence numbers stay in ``store_dir``)."""
        initiator, self._initiator = self._initiator, None
        if initiator is not None and self._logged_on:
            # a Logout sent now (Session.logout would wait for QuickFIX's next timer tick)
            try:
                self._send(logout("ballast disconnects"))
                with self._cond:
                    self._cond.wait_for(lambda: not self._logged_on,
                                        self.settings.reply_timeout_seconds)
            except BrokerUnavailable:
                pass  # the connection is gone already
        if initiator is not None:
            initiator.stop(True)  # the logout is done: no need to wait for it
            del initiator  # QuickFIX keeps the session registered until the initiator is gone
        with self._cond:
            self._logged_on = False
            if self._journal is not None:
                self._journal.close()
                self._journal = None

    def _on_session(self, logged_on: bool) -> None:
        with self._cond:
            self._logged_on = logged_on
            self._logons += logged_on
            self._cond.notify_all()

    def _on_heartbeat(self, test_req_id: str) -> None:
        with self._cond:
            self._heartbeats.add(test_req_id)
            self._cond.notify_all()

    def _on_report(self, report: ExecReport) -> None:
        with self._cond:
            if self._journal is not None:
                self._journal.apply(report)
            self._cond.notify_all()

    def _open(self) -> OrderJournal:
        """The journal, when logged on; raises BrokerUnavailable otherwise. Call with the
        lock held."""
        if self._journal is None or not self._logged_on:
            raise BrokerUnavailable(f"{self._where}: not logged on (the connection was lost "
                                    "or never made); connect again — orders already sent are "
                                    "recognized by their ClOrdIDs and not sent twice")
        return self._journal

    def _send(self, message: fix.Message) -> None:
        """Send one message (never with the lock held: QuickFIX's thread takes it)."""
        try:
            sent = fix.Session.sendToTarget(message, self._session)
        except fix.SessionNotFound as exc:
            raise BrokerUnavailable(f"{self._where}: no such session") from exc
        if not sent:
            raise BrokerUnavailable(f"{self._where}: the message could not be sent; connect "
                                    "again — QuickFIX resends what the broker missed")

    def _ask_open_orders(self) -> None:
        """After a logon: an OrderStatusRequest for every order sent and not known done."""
        with self._cond:
            journal = self._open()
            if self._asked == self._logons:
                return
            self._asked = self._logons
            asks = [status_request(t.order, t.wire_id) for t in journal.orders.values()
                    if not t.is_done]
        for message in asks:
            self._send(message)

    # orders

    def submit(self, order: Order) -> BrokerReport:
        """Send ``order`` as a NewOrderSingle. An order already sent is not sent again: its
        known report is returned (an order sent without any answer yet is asked about first,
        and sent only when the broker says it does not know it)."""
        self._ask_open_orders()
        with self._cond:
            journal = self._open()
            known = journal.orders.get(order.client_order_id)
            if known is not None:
                self._cond.wait_for(lambda: known.answered or known.unknown
                                    or not self._logged_on,
                                    self.settings.reply_timeout_seconds)
                if not known.unknown:
                    if known.answered:
                        return known.report()
                    raise BrokerUnavailable(f"{self._where}: order {order.client_order_id} "
                                            "was sent before and the broker has not answered "
                                            "a status request about it; run again later")
            tracked = journal.sent(order)
        self._send(new_order_single(order))
        with self._cond:
            return tracked.report()

    def cancel(self, client_order_id: str) -> BrokerReport:
        """Send an OrderCancelRequest for what is left of an open order and wait for the
        answer (``reply_timeout_seconds``); a done order is reported as it is."""
        return self._request(client_order_id, None, None)

    def replace(self, client_order_id: str, *, quantity: Decimal | None = None,
                limit_price: Decimal | None = None) -> BrokerReport:
        """Send an OrderCancelReplaceRequest changing the quantity or the limit price and wait
        for the answer; the order keeps its client order id in every report."""
        return self._request(client_order_id, quantity, limit_price, replacing=True)

    def _request(self, client_order_id: str, quantity: Decimal | None,
                 limit_price: Decimal | None, *, replacing: bool = False) -> BrokerReport:
        self._ask_open_orders()
        with self._cond:
            t = self._tracked(client_order_id)
            if t.is_done:
                return t.report()
            journal = self._open()
            if replacing:
                new = replace(t.order,
                              quantity=t.order.quantity if quantity is None else quantity,
                              limit_price=t.order.limit_price if limit_price is None
                              else limit_price)
                wire = journal.request(client_order_id, new.quantity, new.limit_price)
                message = replace_request(new, t.wire_id, wire)
            else:
                wire = journal.request(client_order_id)
                message = cancel_request(t.order, t.wire_id, wire)
        self._send(message)
        with self._cond:
            self._cond.wait_for(lambda: wire in journal.replies or not self._logged_on,
                                self.settings.reply_timeout_seconds)
            return t.report()

    def _tracked(self, client_order_id: str) -> Tracked:
        t = self._open().orders.get(client_order_id)
        if t is None:
            raise BallastError(f"{self._where}: order {client_order_id} was never sent "
                               "through this session",
                               hint="Submit it first; cancel and replace name a sent order.")
        return t

    # reports

    def order_status(self, client_order_id: str) -> BrokerReport | None:
        """The order as the execution reports received describe it (None: never sent)."""
        with self._cond:
            t = self._open().orders.get(client_order_id)
            return None if t is None else t.report()

    def fills(self, since: datetime | None = None) -> list[Fill]:
        """Every fill received (after ``since``), by ExecID; a busted fill is followed by its
        reversal (negative quantity and commission, the bust's ExecID)."""
        with self._cond:
            out = [f for f in self._open().fills if since is None or f.at > since]
        return sorted(out, key=lambda f: (f.at, f.fill_id))

    def positions(self) -> dict[str, Decimal]:
        """Net quantity by instrument, from the fills received through this session."""
        out: dict[str, Decimal] = {}
        for f in self.fills():
            sign = 1 if f.side is Side.BUY else -1
            out[f.instrument_id] = out.get(f.instrument_id, ZERO) + sign * f.quantity
        return {k: v for k, v in out.items() if v}

    def cash(self) -> dict[str, Decimal]:
        """Cash by currency the fills received imply: buys pay, sells receive, less commission."""
        out: dict[str, Decimal] = {}
        for f in self.fills():
            sign = 1 if f.side is Side.BUY else -1
            out[f.currency] = out.get(f.currency, ZERO) - sign * f.quantity * f.price - \
                f.commission
        return out
