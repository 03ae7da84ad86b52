"""HTML statements and firm reports from the Jinja2 templates shipped in
``ballast/reporting/templates`` (autoescaped; charts inline as SVG)."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ballast.reporting import format as fmt
from ballast.reporting.charts import allocation_chart, growth_chart, svg
from ballast.reporting.statement import Statement


def _fmt(value: Any, kind: str = "money") -> str:
    """One filter for every number kind the templates show."""
    if kind == "money":
        return fmt.money(value)
    if kind == "signed":
        return fmt.signed_money(value)
    if kind == "pct":
        return fmt.percent(value)
    if kind == "spct":
        return fmt.percent(value, signed=True)
    if kind == "qty":
        return fmt.quantity(value)
    if kind == "price":
        return fmt.price(value)
    raise ValueError(f"unknown number format {kind!r}")


@cache
def environment() -> Environment:
    """The template environment (built once per process)."""
    env = Environment(loader=PackageLoader("ballast.reporting", "templates"),
                      autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["fmt"] = _fmt
    env.filters["day"] = fmt.day
    env.filters["label"] = fmt.label
    return env


def statement_charts(s: Statement) -> dict[str, str]:
    """The statement's charts as inline SVG, by name (``growth`` empty without a curve)."""
    p = s.performance
    growth = ""
    if p is not None and len(p.curve_dates) > 1:
        growth = svg(growth_chart(p.curve_dates, p.curve_portfolio, p.curve_benchmark,
                                  p.benchmark))
    allocation = svg(allocation_chart(s.allocation)) if s.allocation else ""
    return {"growth": growth, "allocation": allocation}


def holdings_totals(s: Statement) -> dict[str, float]:
    """Sums of the holdings' value, basis and unrealized gain."""
    return {"market_value": sum(h.market_value for h in s.holdings),
            "cost_basis": sum(h.cost_basis for h in s.holdings),
            "unrealized": sum(h.unrealized for h in s.holdings)}


def render_statement_html(s: Statement) -> str:
    """The statement as a standalone HTML page."""
    template = environment().get_template("statement.html")
    return template.render(s=s, charts=statement_charts(s), totals=holdings_totals(s),
                           multi=len(s.accounts) > 1)


def render_template(name: str, **context: Any) -> str:
    """Any shipped template with ``context`` (used by the firm report)."""
    return environment().get_template(name).render(**context)


__all__ = ["environment", "holdings_totals", "render_statement_html",
           "render_template", "statement_charts"]
