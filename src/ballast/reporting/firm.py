"""The firm report for a period: assets and flows, composites, the drift distribution of the
accounts (a histogram), trading, compliance breaches and tax-loss harvesting; HTML and PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.platypus import Flowable, Spacer

from ballast.reporting import format as f
from ballast.reporting.charts import histogram_chart, svg
from ballast.reporting.html import render_template
from ballast.reporting.pdf_layout import (
    SMALL,
    SUBTITLE,
    TITLE,
    WIDTH,
    build,
    cards,
    notice,
    number_table,
    para,
    section,
)
from ballast.reporting.statement import Period


@dataclass(frozen=True, slots=True)
class Composite:
    """The accounts following one model (or none: ``model`` empty)."""

    model: str
    accounts: int
    value: float
    twr: float | None
    benchmark_twr: float | None


@dataclass(frozen=True, slots=True)
class DriftBucket:
    label: str
    accounts: int


@dataclass(frozen=True, slots=True)
class Breach:
    day: date
    account_id: str
    what: str


@dataclass(frozen=True, slots=True)
class FirmReport:
    """``start_value``/``end_value`` and flows in ``currency``; ``drift`` counts accounts with a
    model by total drift (half the sum of absolute sleeve and cash deviations)."""

    firm: str
    period: Period
    currency: str
    generated: date
    households: int
    accounts: int
    start_value: float | None
    end_value: float
    inflows: float
    outflows: float
    twr: float | None
    composites: tuple[Composite, ...]
    drift: tuple[DriftBucket, ...]
    median_drift: float | None
    buys: int
    sells: int
    bought: Decimal
    sold: Decimal
    commissions: Decimal
    breaches: tuple[Breach, ...]
    harvested: Decimal
    harvesting_accounts: int
    realized_short: Decimal
    realized_long: Decimal
    notices: tuple[str, ...] = ()

    @property
    def harvesting_yield(self) -> float | None:
        """Losses harvested over the firm's value at the start of the period."""
        if not self.start_value or self.start_value <= 0:
            return None
        return float(self.harvested) / self.start_value

    @property
    def file_stem(self) -> str:
        return f"firm-report-{self.period.label}"


def drift_chart_svg(r: FirmReport) -> str:
    return svg(histogram_chart([b.label for b in r.drift], [b.accounts for b in r.drift]))


def render_firm_html(r: FirmReport) -> str:
    """The firm report as a standalone HTML page."""
    return render_template("firm.html", r=r, drift_chart=drift_chart_svg(r))


def render_firm_pdf(r: FirmReport) -> bytes:
    """The firm report as PDF bytes."""
    story: list[Flowable] = [
        para(f"Firm report · {r.period.label}", TITLE),
        para(f"{f.day(r.period.start)} – {f.day(r.period.end)} · {r.households} households, "
             f"{r.accounts} accounts · amounts in {r.currency}", SUBTITLE), Spacer(1, 8)]
    story += [notice(n) for n in r.notices]
    story += section("Assets and flows", cards([
        (f"Assets on {f.day(r.period.start)}", f.money(r.start_value)),
        ("Inflows", f.money(r.inflows)), ("Outflows", f.money(r.outflows)),
        (f"Assets on {f.day(r.period.end)}", f.money(r.end_value))]), Spacer(1, 4),
        para(f"Time-weighted return of all accounts together: {f.percent(r.twr)}.", SMALL))
    story += section("Composites", number_table(
        ["Model", "Accounts", "Assets", "Return", "Benchmark"],
        [[f.label(c.model) if c.model else "No model", str(c.accounts), f.money(c.value),
          f.percent(c.twr), f.percent(c.benchmark_twr)] for c in r.composites],
        [180, 70, 110, 80, 80], [1, 2, 3, 4]))
    story += section("Drift from target", histogram_chart(
        [b.label for b in r.drift], [b.accounts for b in r.drift], width=WIDTH),
        para(f"Accounts with a model by total drift at the end of the period; median "
             f"{f.percent(r.median_drift)}.", SMALL))
    story += section("Trading", number_table(
        ["Buys", "Sells", "Bought", "Sold", "Commissions"],
        [[str(r.buys), str(r.sells), f.money(r.bought), f.money(r.sold),
          f.money(r.commissions)]], [70, 70, 130, 130, 110], [0, 1, 2, 3, 4]))
    breaches = (number_table(["Date", "Account", "Breach"],
                             [[f.day(b.day), b.account_id, b.what] for b in r.breaches],
                             [70, 80, 370], []) if r.breaches
                else para("No compliance breach in this period.", SUBTITLE))
    story += section(f"Compliance breaches ({len(r.breaches)})", breaches)
    story += section("Tax-loss harvesting", number_table(
        ["Losses harvested", "Accounts", "Harvesting yield", "Realized short term",
         "Realized long term"],
        [[f.money(r.harvested), str(r.harvesting_accounts), f.percent(r.harvesting_yield),
          f.money(r.realized_short), f.money(r.realized_long)]], [110, 70, 100, 120, 120],
        [0, 1, 2, 3, 4]))
    return build(story, firm=r.firm, title=f"Firm report {r.period.label}",
                 right=f"Firm report · {r.period.label}",
                 footer=f"Prepared on {f.day(r.generated)} · internal, not for clients")
