"""Statements rendered to HTML and PDF: the PDF is rasterized to PNG with pypdfium2 (PDFium,
the engine of Chrome's viewer) and its text extracted; figures are formatted, never raw."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
from reportlab.graphics.shapes import String

from ballast.reporting import (
    ActivityItem,
    JournalEvent,
    narrate,
    render_statement_html,
    render_statement_pdf,
)
from ballast.reporting import format as fmt
from ballast.reporting.charts import growth_chart
from ballast.reporting.pdf_layout import plain

from .sample import sample_statement


def pdf_text(data: bytes) -> str:
    """The text of every page, whitespace (line breaks) collapsed to single spaces."""
    pages = (p.get_textpage().get_text_range() for p in pdfium.PdfDocument(data))
    return " ".join(" ".join(pages).split())


def test_pdf_renders_to_png_and_reads_as_a_statement(tmp_path: Path) -> None:
    data = render_statement_pdf(sample_statement())
    doc = pdfium.PdfDocument(data)
    assert len(doc) >= 1
    image = doc[0].render(scale=1.0).to_pil()
    image.save(tmp_path / "page1.png")
    assert image.size == (612, 792)  # US Letter at 72 dpi
    gray = image.convert("L")
    assert gray.getextrema()[0] < 60  # ink on the page, not a blank render
    text = pdf_text(data)
    for expected in ("HARBOR & PINE ADVISORS", "Abbott joint", "Account H001-TAX",
                     "Statement for 2020Q1", "Jan 1, 2020 – Mar 31, 2020", "205,431.27",
                     "-21.43%", "-19.63%", "-1.80%", "64,437.50", "130.5",
                     "Harvest a -3,400 loss", "WHAT THE AUTOMATION DID AND WHY",
                     "Rebalance review", "Largest contributors to return",
                     "SPDR S&P 500 ETF SPY 31.00% -6.12%", "+0.45%"):
        assert expected in text, expected
    assert not re.search(r"\d\.\d{5,}", text), "a raw float reached the PDF"


def test_html_is_escaped_formatted_and_has_inline_charts() -> None:
    s = sample_statement(title="Abbott <joint> & co")
    page = render_statement_html(s)
    assert "Abbott &lt;joint&gt; &amp; co" in page and "<joint>" not in page
    assert page.count("<svg") == 2  # growth and allocation
    clips = re.findall(r'<clipPath id="([^"]+)"', page)
    assert len(set(clips)) == len(clips) == 2  # a shared id would clip one chart by another
    assert '<td class="n neg">-21.43%</td>' in page
    assert '<td class="n">64,437.50</td>' in page
    assert "Harbor &amp; Pine Advisors" in page
    assert not re.search(r"\d\.\d{5,}", re.sub(r"<svg.*?</svg>", "", page, flags=re.S))


def test_empty_sections_say_so_in_both_formats() -> None:
    s = sample_statement(performance=None, holdings=(), transactions=(), gains=(),
                         allocation=(), activity=(),
                         notices=("There is nothing to report for 2031Q1.",))
    for text in (pdf_text(render_statement_pdf(s)), render_statement_html(s)):
        assert "There is nothing to report for 2031Q1." in text
        assert "No transactions in this period." in text
        assert "No securities held at the end of the period." in text
        assert "The automation made no changes to this account in this period." in text


def test_a_long_holdings_list_flows_over_pages_with_its_header() -> None:
    many = tuple(replace(sample_statement().holdings[0], symbol=f"S{i:03d}")
                 for i in range(120))
    data = render_statement_pdf(sample_statement(holdings=many))
    doc = pdfium.PdfDocument(data)
    assert len(doc) >= 3
    pages = [p.get_textpage().get_text_range() for p in doc]
    assert sum("Market value" in p for p in pages) >= 2  # the header repeats
    assert all(f"S{i:03d}" in "".join(pages) for i in range(120))


def test_number_formats() -> None:
    assert fmt.money(1234567.891) == "1,234,567.89"
    assert fmt.money(-0.001) == "0.00" and fmt.money(float("nan")) == "–"
    assert fmt.money(Decimal("-1200.5")) == "-1,200.50"
    assert fmt.signed_money(1200) == "+1,200.00" and fmt.signed_money(-5) == "-5.00"
    assert fmt.percent(0.01234) == "1.23%" and fmt.percent(-0.00001) == "0.00%"
    assert fmt.percent(0.018, signed=True) == "+1.80%" and fmt.percent(None) == "–"
    assert fmt.quantity(Decimal("1200.000")) == "1,200"
    assert fmt.quantity(Decimal("3.2500")) == "3.25"
    assert fmt.price(Decimal("174.38")) == "174.38" and fmt.price(12.3456) == "12.3456"
    assert fmt.price(10.0) == "10.00"
    assert fmt.day(date(2020, 3, 9)) == "Mar 9, 2020"
    assert fmt.label("us_large_cap") == "US large cap" and fmt.label("tax_deferred") == \
        "Tax deferred"
    assert plain("−5 → 6 ≥ 7") == "-5 -> 6 >= 7"


def test_narrative_groups_a_run_and_tells_why() -> None:
    run, d = "run:4", date(2020, 3, 9)
    events = [
        JournalEvent(d, "rebalance.proposed", run, "sell 100 XOM: energy over its band",
                     {"side": "sell", "quantity": "100", "instrument": "XOM",
                      "trigger": "energy 12% vs target 7% ±5%"}),
        JournalEvent(d, "rebalance.proposed", run, "buy 40 OXY",
                     {"side": "buy", "quantity": "40", "instrument": "OXY"}),
        JournalEvent(d, "compliance.approved", run, "no rule breached"),
        JournalEvent(date(2020, 3, 10), "fill.booked", run, "booked",
                     {"side": "sell", "quantity": "100", "price": "35.1", "instrument": "XOM"}),
        JournalEvent(date(2020, 2, 1), "kill_switch.engaged", "", "broker down",
                     {"scope": "broker:simulated"}, actor="ops"),
    ]
    assert narrate(events) == (
        ActivityItem(date(2020, 2, 1), "Trading paused",
                     "The kill switch of broker simulated was engaged by ops: Broker down. "
                     "No orders were sent while it was engaged."),
        ActivityItem(d, "Rebalance review: 2 trades proposed (sell 100 XOM, buy 40 OXY)",
                     "Why: energy 12% vs target 7% ±5%. Sell 100 XOM: energy over its band. "
                     "Buy 40 OXY."),
        ActivityItem(d, "Compliance check passed",
                     "Every firm and account rule was met before trading."),
        ActivityItem(date(2020, 3, 10), "1 trade executed", "Sold 100 XOM at 35.10."),
    )


def test_growth_chart_ticks_read_exactly() -> None:
    """Ticks 2.5 percentage points apart read 2.5%, 5.0%, 7.5% — not 2%, 5%, 8%."""
    days = [date(2021, 1, d) for d in range(1, 6)]
    drawing = growth_chart(days, [0.0, -0.02, 0.03, 0.06, 0.07], [], "")
    labels = [s.text for s in drawing.contents if isinstance(s, String) and s.text.endswith("%")]
    assert labels == ["-2.5%", "0.0%", "2.5%", "5.0%", "7.5%"]
    wide = growth_chart(days, [0.0, 0.1, 0.2, 0.3, 0.38], [], "")
    assert [s.text for s in wide.contents if isinstance(s, String)
            and s.text.endswith("%")] == ["0%", "10%", "20%", "30%", "40%"]
