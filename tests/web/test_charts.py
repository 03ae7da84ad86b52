"""The allocation chart: bar widths proportional to the weights (the largest fills the bar
area), targets drawn beside holdings, labels escaped; and an account's slices add up to its
whole value."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from ballast.api.web.charts import BAR_W, Slice, allocation_svg
from ballast.api.web.pages_book import allocation
from ballast.engine import overview

from .conftest import Dashboard

SVG = "{http://www.w3.org/2000/svg}"


def _bars(svg: str) -> dict[str, dict[str, float]]:
    root = ET.fromstring(svg)
    out: dict[str, dict[str, float]] = {}
    for g in root.iter(f"{SVG}g"):
        out[g.attrib["data-label"]] = {r.attrib["class"]: float(r.attrib["width"])
                                       for r in g.iter(f"{SVG}rect")}
    return out


def test_bars_are_proportional_to_the_weights() -> None:
    svg = allocation_svg([Slice("AAPL", 0.5, 0.4), Slice("<b>&", 0.3, None),
                          Slice("cash", 0.2, 0.1)], "A & B")
    bars = _bars(svg)
    assert bars == {"AAPL": {"now": 420.0, "target": 336.0}, "<b>&": {"now": 252.0},
                    "cash": {"now": 168.0, "target": 84.0}}
    assert BAR_W == 420.0
    assert "<b>&amp;" not in svg and "&lt;b&gt;&amp;" in svg
    assert "50.0% / 40.0%" in svg and "30.0% / —" in svg


def test_missing_or_negative_weights_draw_no_bar() -> None:
    bars = _bars(allocation_svg([Slice("X", math.nan, 0.2), Slice("Y", -0.1, None)], "t"))
    assert bars == {"X": {"now": 0.0, "target": 420.0}, "Y": {"now": 0.0}}


def test_an_accounts_slices_add_up_to_its_value(dashboard: Dashboard) -> None:
    view = overview.account_view(dashboard.store, "HH001-TAX")
    slices = allocation(view, {"AAPL": 0.6, "ZZZZ": 0.35}, 0.05)
    assert math.isclose(sum(s.current for s in slices), 1.0, rel_tol=1e-9)
    by = {s.label: s for s in slices}
    assert by["ZZZZ"].current == 0.0 and by["ZZZZ"].target == 0.35
    assert math.isclose(by["cash"].current, view.account.cash / view.account.value)
    held = {p.symbol: p.market_value for p in view.positions}
    for symbol, value in held.items():
        assert math.isclose(by[symbol].current, value / view.account.value)
