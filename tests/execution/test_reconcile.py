"""The pure reconciliation: each kind of break, with its amounts and words, and nothing more."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from ballast.execution import Fill, Side
from ballast.execution.reconcile import (
    BreakKind,
    compare_cash,
    compare_fills,
    compare_positions,
    fill_cash,
)

D = Decimal
AT = datetime(2021, 1, 5, 15, tzinfo=UTC)
FILL = Fill("F1", "B1-x", "AAPL", Side.BUY, D(10), D("130.5"), D("1.00"), "USD", AT)


def test_positions_break_by_kind() -> None:
    book = {("A", "AAPL"): D(10), ("A", "XOM"): D(5), ("B", "VTI"): D(3)}
    broker = {("A", "AAPL"): D(10), ("A", "XOM"): D(7), ("B", "SPY"): D(2)}
    breaks = compare_positions(book, broker)
    assert [(b.kind, b.account, b.item, b.difference) for b in breaks] == [
        (BreakKind.QUANTITY_DIFFERS, "A", "XOM", D(2)),
        (BreakKind.MISSING_IN_BOOK, "B", "SPY", D(2)),
        (BreakKind.MISSING_AT_BROKER, "B", "VTI", D(-3))]
    assert breaks[0].words == "A: XOM 5 in the book, 7 at the broker (+2)"
    assert compare_positions(book, broker, tolerance=D(3)) == []


def test_cash_breaks_beyond_the_tolerance() -> None:
    book = {("A", "USD"): D("100.00"), ("A", "EUR"): D("5.00")}
    broker = {("A", "USD"): D("100.40"), ("A", "EUR"): D("5.00")}
    assert compare_cash(book, broker, D("0.50")) == []
    [b] = compare_cash(book, broker)
    assert (b.kind, b.item, b.book, b.broker, b.difference) == (
        BreakKind.CASH_DIFFERS, "USD", D("100.00"), D("100.40"), D("0.40"))


def test_fills_by_execution_id() -> None:
    other = replace(FILL, fill_id="F2", quantity=D(4))
    assert compare_fills("sim", [FILL, other], [other, FILL]) == []
    unknown = replace(FILL, fill_id="F3")
    breaks = compare_fills("sim", [FILL, other], [FILL, FILL, unknown])
    assert [(b.kind, b.item, b.difference) for b in breaks] == [
        (BreakKind.FILL_DUPLICATED, "AAPL", D(1)),
        (BreakKind.MISSING_AT_BROKER, "AAPL", D(-4)),
        (BreakKind.FILL_UNKNOWN, "AAPL", D(10))]
    assert breaks[2].words == "fill F3 (buy 10 AAPL) reported by the broker is unknown to " \
        "the book"


def test_a_fill_reported_differently() -> None:
    fewer = replace(FILL, quantity=D(9))
    dearer = replace(FILL, price=D("130.6"))
    [q] = compare_fills("sim", [FILL], [fewer])
    [c] = compare_fills("sim", [FILL], [dearer])
    assert (q.kind, q.difference) == (BreakKind.QUANTITY_DIFFERS, D(-1))
    assert (c.kind, c.item, c.difference) == (BreakKind.CASH_DIFFERS, "USD", D("-1.0"))
    assert fill_cash(FILL) == D("-1306.00") and fill_cash(replace(FILL, side=Side.SELL)) == \
        D("1304.00")
