"""FIX 4.4 messages as the adapter writes and reads them (checked against the FIX 4.4 data
dictionary QuickFIX ships), and the adapter's journal: duplicates ignored by ExecID, a bust
reversed, the same state replayed after a restart."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

fix = pytest.importorskip("quickfix")

from ballast.execution import Order, OrderState, OrderType, Side, TimeInForce  # noqa: E402
from ballast.execution.fix.journal import OrderJournal  # noqa: E402
from ballast.execution.fix.messages import (  # noqa: E402
    ExecReport,
    new_order_single,
    parse_report,
    replace_request,
    status_request,
)
from ballast.execution.fix.settings import FixSettings, bundled_dictionary  # noqa: E402

D = Decimal
AT = datetime(2021, 1, 5, 15, 0, tzinfo=UTC)


def fields(message: fix.Message) -> dict[int, str]:
    """Tag → value of a message's body, read from its wire form."""
    wire = message.toString()
    return {int(k): v for k, v in (f.split("=", 1) for f in wire.split("\x01") if f)}


def validate(message: fix.Message) -> None:
    """Raise when the message breaks the FIX 4.4 data dictionary."""
    header = message.getHeader()
    header.setField(fix.BeginString("FIX.4.4"))
    header.setField(fix.SenderCompID("A"))
    header.setField(fix.TargetCompID("B"))
    header.setField(fix.MsgSeqNum(1))
    header.setField(fix.SendingTime())
    fix.DataDictionary(str(bundled_dictionary())).validate(fix.Message(message.toString()))


@pytest.mark.parametrize(("order_type", "tif", "limit", "wire"), [
    (OrderType.MARKET, TimeInForce.DAY, None, {40: "1", 59: "0"}),
    (OrderType.LIMIT, TimeInForce.GTC, D("101.25"), {40: "2", 59: "1", 44: "101.25"}),
    (OrderType.MARKET, TimeInForce.IOC, None, {40: "1", 59: "3"}),
    (OrderType.MARKET_ON_CLOSE, TimeInForce.DAY, None, {40: "1", 59: "7"}),
])
def test_a_new_order_single_says_what_the_order_is(
        order_type: OrderType, tif: TimeInForce, limit: Decimal | None,
        wire: dict[int, str]) -> None:
    order = Order("B1-abc", "blk", "AAPL", Side.SELL, D("250"), order_type, limit, tif)
    message = new_order_single(order)
    validate(message)
    got = fields(message)
    assert {35: got[35], 11: got[11], 55: got[55], 54: got[54], 38: got[38]} == \
        {35: "D", 11: "B1-abc", 55: "AAPL", 54: "2", 38: "250"}
    assert {k: got[k] for k in wire} == wire
    assert (44 in got) == (limit is not None)


def test_replace_and_status_requests_name_the_order_on_the_wire() -> None:
    order = Order("B1-abc", "blk", "XOM", Side.BUY, D(7), OrderType.LIMIT, D("40.5"))
    replace = replace_request(order, "B1-abc", "B1-abc/R1")
    status = status_request(order, "B1-abc/R1")
    validate(replace)
    validate(status)
    assert {k: fields(replace)[k] for k in (35, 41, 11, 38, 44)} == \
        {35: "G", 41: "B1-abc", 11: "B1-abc/R1", 38: "7", 44: "40.5"}
    assert {k: fields(status)[k] for k in (35, 11, 55, 54)} == \
        {35: "H", 11: "B1-abc/R1", 55: "XOM", 54: "1"}


def report(exec_id: str, exec_type: str, status: str, cum: str, *, cl: str = "C1",
           last: str = "0", px: str = "0", ref: str = "", dup: bool = False) -> ExecReport:
    return ExecReport("8", exec_id, exec_type, status, cl, "", "O1", D(10), D(cum), D(last),
                      D(px), D("0.05") if last != "0" else D(0), "USD", AT, "", ref, "", dup)


def test_an_execution_report_is_read_exactly() -> None:
    raw = ("8=FIX.4.4\x019=0\x0135=8\x0134=5\x0143=Y\x0149=B\x0152=20210105-15:00:00.000\x01"
           "56=A\x016=101.125\x0111=C1\x0112=0.04\x0114=8\x0115=USD\x0117=X9\x0131=101.125\x01"
           "32=8\x0137=O1\x0138=10\x0139=1\x0154=1\x0155=AAPL\x0160=20210105-15:00:01.250\x01"
           "150=F\x01151=2\x0110=000\x01")
    got = parse_report(fix.Message(raw, False))
    assert got == ExecReport("8", "X9", "F", "1", "C1", "", "O1", D(10), D(8), D(8),
                             D("101.125"), D("0.04"), "USD",
                             datetime(2021, 1, 5, 15, 0, 1, 250000, tzinfo=UTC), "", "", "",
                             True)
    assert ExecReport.from_json(got.to_json()) == got


def test_the_journal_ignores_duplicates_reverses_busts_and_replays(tmp_path: Path) -> None:
    path = tmp_path / "orders.jsonl"
    journal = OrderJournal(path)
    journal.sent(Order("C1", "blk", "AAPL", Side.BUY, D(10)))
    assert journal.apply(report("X1", "0", "0", "0"))
    assert journal.apply(report("X2", "F", "1", "4", last="4", px="100"))
    assert not journal.apply(report("X2", "F", "1", "4", last="4", px="100", dup=True))
    assert journal.apply(report("X3", "F", "2", "10", last="6", px="101"))
    assert journal.apply(report("X4", "H", "1", "6", ref="X2", last="4", px="100"))
    assert not journal.apply(report("X5", "F", "2", "10", cl="SOMEONE-ELSE", last="1"))
    journal.close()

    for j in (journal, OrderJournal(path)):  # the live one and one replayed from the file
        assert [(f.fill_id, f.quantity, f.price, f.commission) for f in j.fills] == [
            ("X2", D(4), D(100), D("0.05")), ("X3", D(6), D(101), D("0.05")),
            ("X4", D(-4), D(100), D("-0.05"))]
        assert j.orders["C1"].report().state is OrderState.PARTIALLY_FILLED
        assert j.orders["C1"].report().filled_quantity == 6
    assert len(path.read_text().splitlines()) == 5  # the order and four new reports


def test_settings_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="port"):
        FixSettings(port=0, sender_comp_id="A", target_comp_id="B", store_dir=tmp_path)
    text = FixSettings(port=9878, sender_comp_id="A", target_comp_id="B",
                       store_dir=tmp_path).session_text
    assert "SocketConnectPort=9878" in text and "ResetOnLogon=N" in text
