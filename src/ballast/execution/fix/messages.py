"""FIX 4.4 messages: the requests the adapter sends and the execution reports it reads.

Market-on-close is sent as a market order (OrdType 1) with TimeInForce 7, at the close: the
FIX 4.4 dictionary no longer has OrdType 5."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import quickfix as fix

from ballast.execution.orders import Order, OrderType, Side, TimeInForce

# tags
AVG_PX, CL_ORD_ID, COMMISSION, CUM_QTY, CURRENCY, EXEC_ID = 6, 11, 12, 14, 15, 17
EXEC_REF_ID, LAST_PX, LAST_QTY, MSG_TYPE, ORDER_ID, ORDER_QTY = 19, 31, 32, 35, 37, 38
ORD_STATUS, ORD_TYPE, ORIG_CL_ORD_ID, POSS_DUP, PRICE, SIDE, SYMBOL = 39, 40, 41, 43, 44, 54, 55
TEXT, TIME_IN_FORCE, TRANSACT_TIME, ORD_REJ_REASON, TEST_REQ_ID = 58, 59, 60, 103, 112
EXEC_TYPE, LEAVES_QTY = 150, 151

NEW_ORDER_SINGLE, CANCEL_REQUEST, REPLACE_REQUEST, STATUS_REQUEST = "D", "F", "G", "H"
EXECUTION_REPORT, CANCEL_REJECT, LOGOUT, HEARTBEAT, TEST_REQUEST = "8", "9", "5", "0", "1"
UNKNOWN_ORDER = "5"  # OrdRejReason: the broker does not know the order

SIDES = {Side.BUY: "1", Side.SELL: "2"}
ORD_TYPES = {OrderType.MARKET: "1", OrderType.LIMIT: "2", OrderType.MARKET_ON_CLOSE: "1"}
TIFS = {TimeInForce.DAY: "0", TimeInForce.GTC: "1", TimeInForce.IOC: "3"}
AT_THE_CLOSE = "7"


def text(value: Decimal) -> str:
    """A decimal as FIX writes it: plain digits, no exponent."""
    return format(value.normalize(), "f")


def _message(msg_type: str, values: list[tuple[int, str]]) -> fix.Message:
    msg = fix.Message()
    msg.getHeader().setField(fix.StringField(MSG_TYPE, msg_type))
    for tag, value in values:
        msg.setField(fix.StringField(tag, value))
    msg.setField(fix.TransactTime())
    return msg


def logout(reason: str) -> fix.Message:
    """A Logout (35=5) with ``reason`` as its text."""
    msg = fix.Message()
    msg.getHeader().setField(fix.StringField(MSG_TYPE, LOGOUT))
    msg.setField(fix.StringField(TEXT, reason))
    return msg


def test_request(test_req_id: str) -> fix.Message:
    """A TestRequest (35=1): the broker answers with a Heartbeat carrying ``test_req_id``."""
    msg = fix.Message()
    msg.getHeader().setField(fix.StringField(MSG_TYPE, TEST_REQUEST))
    msg.setField(fix.StringField(TEST_REQ_ID, test_req_id))
    return msg


def new_order_single(order: Order) -> fix.Message:
    """A NewOrderSingle (35=D) for ``order``; its ClOrdID is the order's client order id."""
    tif = AT_THE_CLOSE if order.order_type is OrderType.MARKET_ON_CLOSE else \
        TIFS[order.time_in_force]
    fields = [(CL_ORD_ID, order.client_order_id), (SYMBOL, order.instrument_id),
              (SIDE, SIDES[order.side]), (ORDER_QTY, text(order.quantity)),
              (ORD_TYPE, ORD_TYPES[order.order_type]), (TIME_IN_FORCE, tif)]
    if order.limit_price is not None:
        fields.append((PRICE, text(order.limit_price)))
    return _message(NEW_ORDER_SINGLE, fields)


def cancel_request(order: Order, wire_id: str, new_wire_id: str) -> fix.Message:
    """An OrderCancelRequest (35=F) for the order known on the wire as ``wire_id``."""
    return _message(CANCEL_REQUEST, [
        (ORIG_CL_ORD_ID, wire_id), (CL_ORD_ID, new_wire_id), (SYMBOL, order.instrument_id),
        (SIDE, SIDES[order.side]), (ORDER_QTY, text(order.quantity))])


def replace_request(order: Order, wire_id: str, new_wire_id: str) -> fix.Message:
    """An OrderCancelReplaceRequest (35=G): ``order`` carries the new quantity and limit."""
    fields = [(ORIG_CL_ORD_ID, wire_id), (CL_ORD_ID, new_wire_id),
              (SYMBOL, order.instrument_id), (SIDE, SIDES[order.side]),
              (ORDER_QTY, text(order.quantity)), (ORD_TYPE, ORD_TYPES[order.order_type])]
    if order.limit_price is not None:
        fields.append((PRICE, text(order.limit_price)))
    return _message(REPLACE_REQUEST, fields)


def status_request(order: Order, wire_id: str) -> fix.Message:
    """An OrderStatusRequest (35=H) for the order known on the wire as ``wire_id``."""
    msg = _message(STATUS_REQUEST, [(CL_ORD_ID, wire_id), (SYMBOL, order.instrument_id),
                                    (SIDE, SIDES[order.side])])
    msg.removeField(TRANSACT_TIME)
    return msg


@dataclass(frozen=True, slots=True)
class ExecReport:
    """The fields of one ExecutionReport (35=8) or OrderCancelReject (35=9) the adapter uses;
    quantities and prices exactly as sent."""

    msg_type: str
    exec_id: str
    exec_type: str
    ord_status: str
    cl_ord_id: str
    orig_cl_ord_id: str
    order_id: str
    order_qty: Decimal | None
    cum_qty: Decimal
    last_qty: Decimal
    last_px: Decimal
    commission: Decimal
    currency: str
    at: datetime
    text: str
    exec_ref_id: str
    ord_rej_reason: str
    poss_dup: bool

    def to_json(self) -> dict[str, str | bool | None]:
        """The report as JSON values (decimals and times as text), for the journal."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_json(cls, row: dict[str, str | bool | None]) -> ExecReport:
        """The report :meth:`to_json` wrote."""
        def dec(key: str) -> Decimal:
            return Decimal(str(row[key]))
        return cls(str(row["msg_type"]), str(row["exec_id"]), str(row["exec_type"]),
                   str(row["ord_status"]), str(row["cl_ord_id"]), str(row["orig_cl_ord_id"]),
                   str(row["order_id"]),
                   None if row["order_qty"] is None else dec("order_qty"), dec("cum_qty"),
                   dec("last_qty"), dec("last_px"), dec("commission"), str(row["currency"]),
                   datetime.fromisoformat(str(row["at"])), str(row["text"]),
                   str(row["exec_ref_id"]), str(row["ord_rej_reason"]), bool(row["poss_dup"]))


def _plain(value: object) -> str | bool | None:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _get(msg: fix.FieldMap, tag: int, default: str = "") -> str:
    return str(msg.getField(tag)) if msg.isSetField(tag) else default


def _time(value: str) -> datetime:
    """A FIX UTCTimestamp (``YYYYMMDD-HH:MM:SS[.sss…]``) as an aware datetime."""
    if not value:
        return datetime.now(UTC)
    fmt = "%Y%m%d-%H:%M:%S.%f" if "." in value else "%Y%m%d-%H:%M:%S"
    return datetime.strptime(value[:21] if "." in value else value, fmt).replace(tzinfo=UTC)


def parse_report(msg: fix.Message) -> ExecReport:
    """The adapter's view of an ExecutionReport or an OrderCancelReject."""
    header = msg.getHeader()
    msg_type = _get(header, MSG_TYPE)
    qty = _get(msg, ORDER_QTY)
    return ExecReport(
        msg_type=msg_type, exec_id=_get(msg, EXEC_ID), exec_type=_get(msg, EXEC_TYPE),
        ord_status=_get(msg, ORD_STATUS), cl_ord_id=_get(msg, CL_ORD_ID),
        orig_cl_ord_id=_get(msg, ORIG_CL_ORD_ID), order_id=_get(msg, ORDER_ID),
        order_qty=Decimal(qty) if qty else None, cum_qty=Decimal(_get(msg, CUM_QTY, "0")),
        last_qty=Decimal(_get(msg, LAST_QTY, "0")), last_px=Decimal(_get(msg, LAST_PX, "0")),
        commission=Decimal(_get(msg, COMMISSION, "0")), currency=_get(msg, CURRENCY, "USD"),
        at=_time(_get(msg, TRANSACT_TIME)), text=_get(msg, TEXT),
        exec_ref_id=_get(msg, EXEC_REF_ID), ord_rej_reason=_get(msg, ORD_REJ_REASON),
        poss_dup=_get(header, POSS_DUP) == "Y")
