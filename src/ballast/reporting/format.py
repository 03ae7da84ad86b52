"""Number and date formatting shared by the HTML and PDF renderers: no raw floats reach a
client. Only characters of the PDF's standard fonts are used (an ASCII minus, an en dash)."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

MISSING = "–"


def money(value: float | Decimal | None, places: int = 2) -> str:
    """``12,345.67``; negative as ``-12,345.67``; None or NaN as an en dash."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    text = f"{value:,.{places}f}"
    return "0.00" if text in ("-0.00", "-0") else text


def signed_money(value: float | Decimal | None) -> str:
    """Money with an explicit sign for changes: ``+1,200.00``."""
    text = money(value)
    return text if text.startswith(("-", MISSING)) or text == "0.00" else "+" + text


def percent(value: float | None, places: int = 2, *, signed: bool = False) -> str:
    """A fraction as a percentage: 0.0123 → ``1.23%`` (``+1.23%`` when ``signed``)."""
    if value is None or not math.isfinite(value):
        return MISSING
    text = f"{value * 100:.{places}f}%"
    if text.startswith("-") and float(text[:-1]) == 0:
        text = text[1:]
    return "+" + text if signed and not text.startswith("-") and float(text[:-1]) else text


def quantity(value: Decimal | None) -> str:
    """Whole units without decimals (``1,200``), fractional units as booked (``3.25``)."""
    if value is None:
        return MISSING
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value.normalize():,f}"


def price(value: float | Decimal | None) -> str:
    """A unit price with two to four decimals."""
    if value is None:
        return MISSING
    text = f"{value:,.4f}".rstrip("0")
    return text + "0" * max(0, 2 - len(text.partition(".")[2]))


def day(value: date) -> str:
    """``Mar 31, 2020``."""
    return f"{value:%b} {value.day}, {value.year}"


def label(text: str) -> str:
    """An identifier as words: ``us_large_cap`` → ``Us large cap`` → ``US large cap``."""
    words = text.replace("_", " ").split()
    if not words:
        return text
    out = " ".join(words)
    out = out[0].upper() + out[1:]
    return out.replace("Us ", "US ", 1) if out.startswith("Us ") else out
