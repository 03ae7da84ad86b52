"""The pure lot-relief functions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from ballast.domain import AccountId, InstrumentId, LedgerError, LotId, LotMethod, LotSpec, TaxLot
from ballast.ledger import average_lots, select_lots


def lot(lot_id: str, quantity: str, basis: str, acquired: date) -> TaxLot:
    return TaxLot(LotId(lot_id), AccountId("A"), InstrumentId("XYZ"), D(quantity), D(basis),
                  acquired, acquired)


LOTS = [
    lot("L1", "100", "1000", date(2019, 1, 2)),   # 10 / unit, long-term on 2020-06-01
    lot("L2", "100", "2000", date(2019, 6, 3)),   # 20 / unit, short-term
    lot("L3", "100", "1500", date(2020, 2, 3)),   # 15 / unit, short-term
    lot("L4", "50", "600", date(2019, 1, 2)),     # 12 / unit, long-term, same day as L1
]
SALE = date(2020, 6, 1)


def picked(method: LotMethod, quantity: str, price: str | None = None) -> list[tuple[str, D]]:
    out = select_lots(LOTS, D(quantity), method, sale_date=SALE,
                      price=D(price) if price else None)
    return [(lot.id, q) for lot, q in out]


def test_fifo_breaks_same_day_ties_by_lot_id() -> None:
    assert picked(LotMethod.FIFO, "170") == [("L1", D(100)), ("L4", D(50)), ("L2", D(20))]


def test_lifo() -> None:
    assert picked(LotMethod.LIFO, "120") == [("L3", D(100)), ("L2", D(20))]


def test_hifo() -> None:
    assert picked(LotMethod.HIFO, "250") == [("L2", D(100)), ("L3", D(100)), ("L4", D(50))]


def test_min_tax_losses_then_long_gains_then_short_gains() -> None:
    # at 16: L2 loses 4/unit, L3 gains 1 short, L1 gains 6 long, L4 gains 4 long
    assert picked(LotMethod.MIN_TAX, "350", "16") == [
        ("L2", D(100)), ("L4", D(50)), ("L1", D(100)), ("L3", D(100))]


def test_min_tax_largest_loss_per_unit_first() -> None:
    # at 11: L2 loses 9, L3 loses 4, L4 loses 1, L1 gains 1 (long)
    assert picked(LotMethod.MIN_TAX, "260", "11") == [
        ("L2", D(100)), ("L3", D(100)), ("L4", D(50)), ("L1", D(10))]


def test_min_tax_needs_a_price() -> None:
    with pytest.raises(LedgerError, match="needs the sale price"):
        picked(LotMethod.MIN_TAX, "10")


def test_average_rebases_every_lot_and_conserves_basis() -> None:
    out = select_lots(LOTS, D(120), LotMethod.AVERAGE, sale_date=SALE)
    average = D(5100) / D(350)
    assert [(lot.id, q) for lot, q in out] == [("L1", D(100)), ("L4", D(20))]
    assert out[0][0].cost_basis == 100 * average
    rebased = average_lots(LOTS)
    assert sum(x.cost_basis for x in rebased) == D(5100)
    assert {x.id: x.quantity for x in rebased} == {x.id: x.quantity for x in LOTS}


def test_specific() -> None:
    specs = (LotSpec(D(30), lot_id=LotId("L3")), LotSpec(D(20), lot_id=LotId("L1")),
             LotSpec(D(10), lot_id=LotId("L3")))
    out = select_lots(LOTS, D(60), LotMethod.SPECIFIC, sale_date=SALE, specific=specs)
    assert [(lot.id, q) for lot, q in out] == [("L3", D(40)), ("L1", D(20))]


@pytest.mark.parametrize(("quantity", "specs", "message"), [
    (10, (), "needs the lots named"),
    (10, (LotSpec(D(10), lot_id=LotId("L9")),), "lot L9 is not open"),
    (60, (LotSpec(D(60), lot_id=LotId("L4")),), "lot L4 holds 50, fewer than the 60 named"),
    (10, (LotSpec(D(5), lot_id=LotId("L1")),), "add up to 5, not the 10 relieved"),
])
def test_specific_errors(quantity: int, specs: tuple[LotSpec, ...], message: str) -> None:
    with pytest.raises(LedgerError, match=message):
        select_lots(LOTS, D(quantity), LotMethod.SPECIFIC, sale_date=SALE, specific=specs)


@pytest.mark.parametrize("method", [m for m in LotMethod if m is not LotMethod.SPECIFIC])
def test_not_enough_units(method: LotMethod) -> None:
    with pytest.raises(LedgerError, match="relieving 351 units but only 350 are held"):
        select_lots(LOTS, D(351), method, sale_date=SALE, price=D(10))
