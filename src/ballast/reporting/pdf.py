"""Statements as PDF, drawn with ReportLab: the same sections, figures and charts as the HTML
page (docs/reporting.md says why ReportLab rather than an HTML-to-PDF engine)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from ballast.reporting import format as f
from ballast.reporting.charts import allocation_chart, growth_chart
from ballast.reporting.html import holdings_totals
from ballast.reporting.pdf_layout import (
    BODY,
    META,
    SMALL,
    SUBTITLE,
    TITLE,
    WIDTH,
    build,
    cards,
    notice,
    number_table,
    para,
    plain,
    rich,
    section,
)
from ballast.reporting.statement import Statement


def render_statement_pdf(s: Statement) -> bytes:
    """The statement as PDF bytes."""
    multi = len(s.accounts) > 1
    story: list[Flowable] = [_title(s)]
    story += [notice(n) for n in s.notices]
    story += section("Accounts", number_table(
        ["Account", "Name", "Type", "Model", "Custodian"],
        [[a.account_id, a.name, f.label(a.type), f.label(a.model) if a.model else f.MISSING,
          a.custodian or f.MISSING] for a in s.accounts],
        [80, 170, 90, 100, 86], []))
    story += _performance(s)
    story += _allocation(s)
    story += _holdings(s, multi)
    story += _transactions(s, multi)
    story += _gains(s, multi)
    story += section("Fees", rich(
        f"Fees and commissions charged in the period: <b>{f.money(s.fees)} "
        f"{escape(s.currency)}</b>.", BODY))
    story += _activity(s, multi)
    story += [Spacer(1, 14), para(
        f"Prepared by {s.firm} on {f.day(s.generated)}. Returns are time-weighted and shown "
        "before taxes; past performance does not guarantee future results. Values use closing "
        "prices of the last trading day on or before each date.", SMALL)]
    return build(story, firm=s.firm, title=f"{s.title} {s.period.label}",
                 right=f"{s.title} · {s.period.label}",
                 footer=f"{s.subject.capitalize()} {s.subject_id} · "
                        f"{f.day(s.period.start)} – {f.day(s.period.end)} · {s.currency}")


def _title(s: Statement) -> Table:
    kind = "Household" if s.subject == "household" else "Account"
    sub = f"{kind} {s.subject_id}" + (f" · {s.household}" if s.household and
                                      s.subject == "account" else "")
    left = [para(s.title, TITLE), para(sub, SUBTITLE)]
    right = [rich(f"Statement for <b>{escape(plain(s.period.label))}</b>", META),
             para(f"{f.day(s.period.start)} – {f.day(s.period.end)}", META),
             para(f"Amounts in {s.currency}", META)]
    return Table([[left, right]], colWidths=[WIDTH * 0.62, WIDTH * 0.38], hAlign="LEFT",
                 style=TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                   ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]))


def _performance(s: Statement) -> list[Flowable]:
    p = s.performance
    if p is None:
        return []
    figures = cards([(f"Value on {f.day(s.period.start)}", f.money(p.start_value)),
                     ("Deposits less withdrawals", f.signed_money(p.net_flows)),
                     ("Investment gain", f.signed_money(p.investment_gain)),
                     (f"Value on {f.day(s.period.end)}", f.money(p.end_value))])
    returns = number_table(
        ["Return for the period", "Portfolio", p.benchmark or "Benchmark", "Difference"],
        [["Time-weighted return", f.percent(p.twr), f.percent(p.benchmark_twr),
          f.percent(p.excess, signed=True)],
         ["Money-weighted return", f.percent(p.money_weighted), f.MISSING,
          f.MISSING]],
        [226, 100, 100, 100], [1, 2, 3])
    out: list[Flowable] = [figures, Spacer(1, 6), returns]
    if len(p.curve_dates) > 1:
        out += [Spacer(1, 8), growth_chart(p.curve_dates, p.curve_portfolio, p.curve_benchmark,
                                           p.benchmark, width=WIDTH)]
    if p.contributors:
        out += [Spacer(1, 8), number_table(
            ["Largest contributors to return", "Symbol", "Average weight", "Contribution"],
            [[c.name, c.symbol, f.percent(c.average_weight),
              f.percent(c.contribution, signed=True)] for c in p.contributors],
            [226, 100, 100, 100], [2, 3])]
    return section("Performance", *out)


def _allocation(s: Statement) -> list[Flowable]:
    if not s.allocation:
        return section("Allocation against target",
                       para("No holdings at the end of the period.", SUBTITLE))
    table = number_table(
        ["Sleeve", "Actual", "Target", "Drift"],
        [[f.label(r.label), f.percent(r.weight), f.percent(r.target),
          f.percent(r.drift, signed=True)] for r in s.allocation],
        [226, 100, 100, 100], [1, 2, 3])
    return section("Allocation against target", allocation_chart(s.allocation, width=WIDTH),
                   Spacer(1, 4), table)


def _holdings(s: Statement, multi: bool) -> list[Flowable]:
    title = f"Holdings on {f.day(s.period.end)}"
    if not s.holdings:
        return section(title, para("No securities held at the end of the period.", SUBTITLE))
    lead = ["Account"] if multi else []
    rows = [([h.account_id] if multi else []) + [
        h.symbol, h.name, f.quantity(h.quantity), f.price(h.price), f.money(h.market_value),
        f.money(h.cost_basis), f.money(h.unrealized), f.percent(h.weight)] for h in s.holdings]
    t = holdings_totals(s)
    rows.append(([""] if multi else []) + [
        "Total", "", "", "", f.money(t["market_value"]), f.money(t["cost_basis"]),
        f.money(t["unrealized"]), ""])
    name_w = 118 if multi else 172
    widths = ([54] if multi else []) + [40, name_w, 50, 50, 66, 66, 62, 40]
    off = len(lead)
    return section(title, number_table(
        [*lead, "Symbol", "Name", "Quantity", "Price", "Market value", "Cost basis",
         "Unrealized", "Weight"], rows, widths, [off + i for i in range(2, 8)], total=True))


def _transactions(s: Statement, multi: bool) -> list[Flowable]:
    if not s.transactions:
        return section("Transactions", para("No transactions in this period.", SUBTITLE))
    lead = ["Account"] if multi else []
    rows = [[f.day(t.day), *([t.account_id] if multi else []), f.label(t.kind),
             t.symbol or f.MISSING, f.quantity(t.quantity), f.price(t.price),
             f.money(t.amount), f.money(t.fees)] for t in s.transactions]
    widths = [66, *([54] if multi else []), 84, 50, 60, 60, 80, 50]
    off = 1 + len(lead)
    return section("Transactions", number_table(
        ["Date", *lead, "Activity", "Symbol", "Quantity", "Price", "Amount", "Fees"], rows,
        widths, [off + i for i in range(2, 6)]))


def _gains(s: Statement, multi: bool) -> list[Flowable]:
    g = s.gains_summary
    summary = number_table(
        ["", "Short term", "Long term", "Wash-sale loss disallowed", "Losses harvested",
         "Harvesting yield"],
        [["This period", f.money(g.short_term), f.money(g.long_term),
          f.money(g.wash_sale_disallowed), f.money(g.harvested),
          f.percent(g.harvesting_yield)]], [76, 80, 80, 110, 90, 90], [1, 2, 3, 4, 5])
    if not s.gains:
        return section("Realized gains and losses", summary, Spacer(1, 4), para(
            "No sales realized a gain or loss in this period.", SUBTITLE))
    lead = ["Account"] if multi else []
    rows = [[*([r.account_id] if multi else []), r.symbol, f.day(r.acquired), f.day(r.sold),
             f.quantity(r.quantity), f.money(r.proceeds), f.money(r.cost_basis),
             f.money(r.gain), f.label(r.term)] for r in s.gains]
    widths = [*([54] if multi else []), 44, 66, 66, 50, 70, 70, 66, 40]
    off = len(lead)
    detail = number_table([*lead, "Symbol", "Acquired", "Sold", "Quantity", "Proceeds",
                           "Cost basis", "Gain", "Term"], rows, widths,
                          [off + i for i in range(3, 7)])
    return section("Realized gains and losses", summary, Spacer(1, 6), detail)


def _activity(s: Statement, multi: bool) -> list[Flowable]:
    title = "What the automation did and why"
    if not s.activity:
        whom = "these accounts" if multi else "this account"
        return section(title, para(f"The automation made no changes to {whom} in this period.",
                                   SUBTITLE))
    items: list[Flowable] = [
        rich(f"<font color='#6b7a88'>{escape(plain(f.day(a.day)))}</font>&nbsp;&nbsp;"
             f"<b>{escape(plain(a.headline))}.</b> {escape(plain(a.detail))}", BODY)
        for a in s.activity]
    spaced: list[Flowable] = []
    for item in items:
        spaced += [item, Spacer(1, 4)]
    return section(title, *spaced)
