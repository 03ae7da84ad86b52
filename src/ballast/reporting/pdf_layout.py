"""The PDF house style: page frame with the firm's header and page numbers, paragraph styles,
and number tables (right-aligned figures, negatives in red). ReportLab's standard Helvetica is
used, so no font file is needed; text is mapped onto the characters that font has."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ballast.reporting.charts import ACCENT, GRID, INK, MUTED

MARGIN = 0.6 * inch
WIDTH = LETTER[0] - 2 * MARGIN
NEG = colors.HexColor("#a23b2a")
BAND = colors.HexColor("#f5f7f9")
NOTICE = colors.HexColor("#fff8e1")

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=9, leading=12, textColor=INK)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7.5, leading=10, textColor=MUTED)
TITLE = ParagraphStyle("title", parent=BODY, fontName="Helvetica-Bold", fontSize=18,
                       leading=22)
SUBTITLE = ParagraphStyle("subtitle", parent=BODY, textColor=MUTED)
META = ParagraphStyle("meta", parent=SUBTITLE, alignment=TA_RIGHT)
HEADING = ParagraphStyle("heading", parent=BODY, fontName="Helvetica-Bold", fontSize=10,
                         leading=13, textColor=ACCENT, spaceBefore=12, spaceAfter=4)

_PLAIN = str.maketrans({"−": "-", "→": "->", "≥": ">=", "≤": "<=", "≈": "~", "·": "·",
                        "\u2009": " ", "\u202f": " "})


def plain(text: str) -> str:
    """``text`` in the characters Helvetica (WinAnsi) can draw; others become ``?``."""
    mapped = text.translate(_PLAIN)
    return mapped.encode("cp1252", errors="replace").decode("cp1252")


def para(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of plain text (escaped; ``<b>`` is not interpreted)."""
    return Paragraph(escape(plain(text)), style)


def rich(markup: str, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of trusted markup (``<b>``…) whose variable parts the caller escaped."""
    return Paragraph(plain(markup), style)


def heading(text: str) -> Paragraph:
    return para(text.upper(), HEADING)


def number_table(header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
                 numeric: Sequence[int], *, total: bool = False) -> Table:
    """A full-width table of text cells (``widths`` are scaled to the page): ``numeric``
    columns right-aligned, negative figures red, the last row bold when ``total``; the header
    repeats on each page."""
    scale = WIDTH / sum(widths)
    data = [[plain(h) for h in header]] + [[plain(c) for c in r] for r in rows]
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7.5),
        ("TEXTCOLOR", (0, 0), (-1, 0), MUTED),
        ("TEXTCOLOR", (0, 1), (-1, -1), INK),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, GRID),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for c in numeric:
        style.append(("ALIGN", (c, 0), (c, -1), "RIGHT"))
        for r, row in enumerate(data[1:], start=1):
            if row[c].startswith("-"):
                style.append(("TEXTCOLOR", (c, r), (c, r), NEG))
    if total and rows:
        style += [("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 8),
                  ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK)]
    return Table(data, colWidths=[w * scale for w in widths], style=TableStyle(style), repeatRows=1,
                 hAlign="LEFT")


def cards(pairs: Sequence[tuple[str, str]]) -> Table:
    """Key figures side by side on a light band."""
    width = WIDTH / len(pairs)
    data = [[para(k, SMALL) for k, _ in pairs],
            [rich(f"<b>{escape(v)}</b>", ParagraphStyle("v", parent=BODY, fontSize=12,
                                                          leading=15)) for _, v in pairs]]
    return Table(data, colWidths=[width] * len(pairs), hAlign="LEFT", style=TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), BAND),
        ("LINEAFTER", (0, 0), (-2, -1), 3, colors.white),
        ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))


def notice(text: str) -> Table:
    """A highlighted sentence (e.g. that a period has no data)."""
    return Table([[para(text)]], colWidths=[WIDTH], hAlign="LEFT", style=TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), NOTICE),
        ("LINEBEFORE", (0, 0), (0, -1), 3, colors.HexColor("#c9a227")),
        ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))


def section(title: str, *body: Flowable) -> list[Flowable]:
    """A heading kept on the page with the start of its content."""
    return [KeepTogether([heading(title), *body[:1]]), *body[1:]]


def build(story: list[Flowable], *, firm: str, title: str, right: str, footer: str) -> bytes:
    """Lay ``story`` out on Letter pages with the firm's header and a numbered footer."""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=LETTER, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN + 22, bottomMargin=MARGIN + 10,
                            title=plain(title), author=plain(firm), creator="ballast")
    on_page = _decorate(plain(firm), plain(right), plain(footer))
    doc.build([*story, Spacer(1, 1)], onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue()


def _decorate(firm: str, right: str, footer: str) -> Callable[[Canvas, Any], None]:
    def draw(canvas: Canvas, doc: Any) -> None:
        width, height = LETTER
        canvas.saveState()
        top = height - MARGIN
        canvas.setFillColor(ACCENT)
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawString(MARGIN, top, firm.upper())
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(width - MARGIN, top, right)
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(1.5)
        canvas.line(MARGIN, top - 6, width - MARGIN, top - 6)
        canvas.setFont("Helvetica", 7)
        canvas.drawString(MARGIN, MARGIN - 4, footer)
        canvas.drawRightString(width - MARGIN, MARGIN - 4, f"Page {doc.page}")
        canvas.restoreState()
    return draw
