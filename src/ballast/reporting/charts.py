"""Charts drawn on the server as ReportLab drawings: vector in the PDF, and the same drawing as
inline SVG in the HTML (one implementation for both)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from datetime import date

from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors

from ballast.reporting.format import day, label, percent
from ballast.reporting.statement import AllocationRow

INK = colors.HexColor("#1f2d3a")
MUTED = colors.HexColor("#6b7a88")
GRID = colors.HexColor("#e3e8ed")
ACCENT = colors.HexColor("#2a6f97")
TARGET = colors.HexColor("#b8c4ce")
BENCH = colors.HexColor("#c9a227")
FONT = "Helvetica"


def allocation_chart(rows: Sequence[AllocationRow], width: float = 460) -> Drawing:
    """Horizontal bars: each sleeve's weight (blue) over its model target (grey)."""
    row_h, top, left, right = 22.0, 22.0, 168.0, 52.0
    height = top + row_h * len(rows) + 6
    d = Drawing(width, height)
    scale = max([r.weight for r in rows] + [r.target or 0.0 for r in rows] + [0.01])
    span = width - left - right
    d.add(Rect(left, height - 12, 9, 7, fillColor=ACCENT, strokeColor=None))
    d.add(String(left + 13, height - 12, "Actual", fontName=FONT, fontSize=7, fillColor=MUTED))
    d.add(Rect(left + 60, height - 12, 9, 7, fillColor=TARGET, strokeColor=None))
    d.add(String(left + 73, height - 12, "Target", fontName=FONT, fontSize=7, fillColor=MUTED))
    for i, r in enumerate(rows):
        y = height - top - row_h * (i + 1) + 4
        d.add(String(left - 8, y + 5, _clip(label(r.label), 30), fontName=FONT, fontSize=8,
                     fillColor=INK, textAnchor="end"))
        if r.target is not None:
            d.add(Rect(left, y + 10, span * r.target / scale, 5, fillColor=TARGET,
                       strokeColor=None))
        w = span * max(r.weight, 0.0) / scale
        d.add(Rect(left, y + 1, w, 8, fillColor=ACCENT, strokeColor=None))
        d.add(String(left + w + 4, y + 2, percent(r.weight, 1), fontName=FONT, fontSize=7,
                     fillColor=INK))
    d.add(Line(left, 2, left, height - top + 4, strokeColor=MUTED, strokeWidth=0.5))
    return d


def growth_chart(days: Sequence[date], portfolio: Sequence[float],
                 benchmark: Sequence[float], benchmark_name: str,
                 width: float = 460, height: float = 170) -> Drawing:
    """Cumulative return over the period of the portfolio (and the benchmark when given)."""
    d = Drawing(width, height)
    left, bottom, right, top = 44.0, 22.0, 10.0, 18.0
    series = [list(portfolio)] + ([list(benchmark)] if benchmark else [])
    values = [v for s in series for v in s if math.isfinite(v)] or [0.0]
    lo, hi = min(min(values), 0.0), max(max(values), 0.0)
    ticks = _ticks(lo, hi)
    lo, hi = ticks[0], ticks[-1]
    pw, ph = width - left - right, height - bottom - top
    n = max(len(days) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + pw * i / n, bottom + ph * (v - lo) / (hi - lo)

    places = _places(ticks[1] - ticks[0] if len(ticks) > 1 else 1.0)
    for t in ticks:
        _, y = xy(0, t)
        d.add(Line(left, y, width - right, y, strokeColor=GRID, strokeWidth=0.5))
        d.add(String(left - 4, y - 3, percent(t, places), fontName=FONT, fontSize=7,
                     fillColor=MUTED, textAnchor="end"))
    _, y0 = xy(0, 0.0)
    d.add(Line(left, y0, width - right, y0, strokeColor=MUTED, strokeWidth=0.6))
    for s, color in zip(series, (ACCENT, BENCH), strict=False):
        points = [c for i, v in enumerate(s) if math.isfinite(v) for c in xy(i, v)]
        if len(points) >= 4:
            d.add(PolyLine(points, strokeColor=color, strokeWidth=1.4))
    if days:
        d.add(String(left, 6, day(days[0]), fontName=FONT, fontSize=7, fillColor=MUTED))
        d.add(String(width - right, 6, day(days[-1]), fontName=FONT, fontSize=7,
                     fillColor=MUTED, textAnchor="end"))
    legend = [("Portfolio", ACCENT)] + ([(benchmark_name, BENCH)] if benchmark else [])
    x = left
    for name, color in legend:
        d.add(Line(x, height - 8, x + 14, height - 8, strokeColor=color, strokeWidth=2))
        d.add(String(x + 18, height - 11, name, fontName=FONT, fontSize=7, fillColor=INK))
        x += 30 + 4.2 * len(name)
    return d


def histogram_chart(labels: Sequence[str], counts: Sequence[int], width: float = 460,
                    height: float = 160) -> Drawing:
    """Vertical bars of counts per bucket (the firm report's drift distribution)."""
    d = Drawing(width, height)
    left, bottom, top = 30.0, 24.0, 14.0
    ph = height - bottom - top
    top_count = max([*counts, 1])
    slot = (width - left) / max(len(labels), 1)
    for t in _ticks(0, top_count, integer=True):
        y = bottom + ph * t / top_count if top_count else bottom
        if y > height - top + 0.5:
            break
        d.add(Line(left, y, width, y, strokeColor=GRID, strokeWidth=0.5))
        d.add(String(left - 4, y - 3, f"{t:g}", fontName=FONT, fontSize=7, fillColor=MUTED,
                     textAnchor="end"))
    for i, (name, count) in enumerate(zip(labels, counts, strict=True)):
        x = left + slot * i + slot * 0.15
        h = ph * count / top_count
        d.add(Rect(x, bottom, slot * 0.7, h, fillColor=ACCENT, strokeColor=None))
        d.add(String(x + slot * 0.35, bottom + h + 3, str(count), fontName=FONT, fontSize=7,
                     fillColor=INK, textAnchor="middle"))
        d.add(String(x + slot * 0.35, bottom - 11, name, fontName=FONT, fontSize=7,
                     fillColor=MUTED, textAnchor="middle"))
    return d


def svg(drawing: Drawing) -> str:
    """The drawing as an inline ``<svg>`` element: no XML prolog, doctype, or placeholder
    title, and a clip-path id of its own (several charts share one page)."""
    text: str = renderSVG.drawToString(drawing)
    text = text[text.find("<svg"):]
    text = text.replace("<title>...</title>", "").replace("<desc>...</desc>", "")
    clip = "clip-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
    return text.replace('id="clip"', f'id="{clip}"').replace("url(#clip)", f"url(#{clip})")


def _ticks(lo: float, hi: float, *, integer: bool = False) -> list[float]:
    """About five round tick values covering [lo, hi]."""
    if hi - lo <= 0:
        hi = lo + (1.0 if integer else 0.01)
    raw = (hi - lo) / 4
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    if integer:
        step = max(1.0, round(step))
    first = math.floor(lo / step) * step
    out = [first]
    while out[-1] < hi - 1e-12:
        out.append(out[-1] + step)
    return out


def _places(step: float) -> int:
    """Decimals a percentage tick needs so that every tick reads exactly (2.5% steps: one)."""
    for places in range(4):
        scaled = step * 100 * 10 ** places
        if abs(scaled - round(scaled)) < 1e-6:
            return places
    return 4


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
