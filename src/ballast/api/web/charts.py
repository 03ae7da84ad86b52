"""Charts drawn on the server as inline SVG (no script, no outside request): an account's
allocation against its model's targets, and its value over time."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

LABEL_W, BAR_W, VALUE_W = 96.0, 420.0, 130.0
ROW_H, BAR_H, TOP = 30.0, 10.0, 26.0


@dataclass(frozen=True, slots=True)
class Slice:
    """One line of the chart: a holding (or cash) with its weight now and its target
    (None when the model has no target for it)."""

    label: str
    current: float
    target: float | None


def bar_width(weight: float, scale: float) -> float:
    """The width in pixels of a bar of ``weight`` when ``scale`` fills the bar area."""
    if not math.isfinite(weight) or weight <= 0 or scale <= 0:
        return 0.0
    return round(BAR_W * min(weight / scale, 1.0), 2)


def _pct(weight: float | None) -> str:
    return "—" if weight is None or not math.isfinite(weight) else f"{weight * 100:.1f}%"


def allocation_svg(slices: Sequence[Slice], title: str) -> Markup:
    """Horizontal bars, two per holding: the weight now (solid) and the target (outlined)."""
    weights = [s.current for s in slices] + [s.target for s in slices if s.target is not None]
    scale = max([w for w in weights if math.isfinite(w)] + [0.01])
    width = LABEL_W + BAR_W + VALUE_W
    height = TOP + ROW_H * len(slices) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
             f'height="{height:.0f}" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>",
             f'<rect class="now" x="{LABEL_W}" y="4" width="12" height="10"/>'
             f'<text x="{LABEL_W + 16}" y="13">now</text>',
             f'<rect class="target" x="{LABEL_W + 60}" y="4" width="12" height="10"/>'
             f'<text x="{LABEL_W + 76}" y="13">target</text>']
    for i, s in enumerate(slices):
        y = TOP + i * ROW_H
        parts.append(f'<g class="slice" data-label="{escape(s.label)}">'
                     f'<text class="label" x="{LABEL_W - 8}" y="{y + BAR_H + 2}" '
                     f'text-anchor="end">{escape(s.label)}</text>'
                     f'<rect class="now" x="{LABEL_W}" y="{y}" height="{BAR_H}" '
                     f'width="{bar_width(s.current, scale)}"/>')
        if s.target is not None:
            parts.append(f'<rect class="target" x="{LABEL_W}" y="{y + BAR_H + 1}" '
                         f'height="{BAR_H - 2}" width="{bar_width(s.target, scale)}"/>')
        parts.append(f'<text class="value" x="{LABEL_W + BAR_W + 8}" y="{y + BAR_H + 2}">'
                     f"{_pct(s.current)} / {_pct(s.target)}</text></g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def value_svg(days: Sequence[date], values: Sequence[float], title: str) -> Markup:
    """A line of ``values`` over ``days`` with the lowest and highest value and the first and
    last day marked; missing values break nothing (they are left out)."""
    points = [(d, v) for d, v in zip(days, values, strict=True) if math.isfinite(v)]
    width, height, left, top, plot_h = 646.0, 190.0, 70.0, 12.0, 150.0
    plot_w = width - left - 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart line" role="img" '
             f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
             f'height="{height:.0f}" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>"]
    if len(points) >= 2:
        low, high = min(v for _, v in points), max(v for _, v in points)
        span = (high - low) or 1.0
        first, last = points[0][0], points[-1][0]
        days_span = max((last - first).days, 1)
        xy = [(left + plot_w * (d - first).days / days_span,
               top + plot_h * (1 - (v - low) / span)) for d, v in points]
        parts.append('<polyline class="value" fill="none" points="'
                     + " ".join(f"{x:.1f},{y:.1f}" for x, y in xy) + '"/>')
        parts.append(f'<line class="axis" x1="{left}" y1="{top + plot_h}" '
                     f'x2="{left + plot_w}" y2="{top + plot_h}"/>')
        parts.append(f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{high:,.0f}</text>'
                     f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">{low:,.0f}'
                     f'</text><text x="{left}" y="{height - 8}">{first.isoformat()}</text>'
                     f'<text x="{left + plot_w}" y="{height - 8}" text-anchor="end">'
                     f"{last.isoformat()}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))
