"""Rich renderings of engine results: tables a person would rather look at than read."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ballast.engine.errors import ImportRejected
from ballast.engine.imports import ImportReport
from ballast.engine.rows import AccountRow, BookSummary, GainRow, LotRow, PositionRow


def _numeric(table: Table, *names: str) -> None:
    """Right-aligned columns that are never cut (text columns give way instead)."""
    for name in names:
        table.add_column(name, justify="right", no_wrap=True, min_width=len(name))


def _money(value: float) -> str:
    return "—" if value != value else f"{value:,.2f}"


def _signed(value: float) -> Text:
    if value != value:
        return Text("—", style="dim")
    return Text(f"{value:+,.2f}", style="green" if value >= 0 else "red")


def accounts_table(rows: Sequence[AccountRow]) -> Table:
    """Accounts with household, type, model and value."""
    t = Table(title=f"{len(rows)} accounts", title_justify="left")
    for col in ("account", "household", "type", "custodian", "model"):
        t.add_column(col)
    _numeric(t, "value", "cash")
    for r in rows:
        t.add_row(r.account_id, f"{r.household} ({r.household_id})", r.type, r.custodian,
                  r.model, _money(r.value), _money(r.cash))
    return t


def positions_table(rows: Sequence[PositionRow]) -> Table:
    """Positions with price, value, basis and unrealized gain."""
    t = Table(title=f"{len(rows)} positions", title_justify="left")
    t.add_column("account")
    t.add_column("symbol")
    _numeric(t, "quantity", "price", "as of", "value", "cost basis", "unrealized", "weight")
    for r in rows:
        t.add_row(r.account_id, r.symbol, f"{r.quantity:,}", _money(r.price),
                  str(r.price_date or "missing"), _money(r.market_value), _money(r.cost_basis),
                  _signed(r.unrealized), f"{r.weight:.1%}")
    return t


def lots_table(rows: Sequence[LotRow]) -> Table:
    """Open tax lots."""
    t = Table(title=f"{len(rows)} open lots", title_justify="left")
    for col in ("account", "symbol", "lot"):
        t.add_column(col)
    _numeric(t, "quantity", "basis", "unit cost", "acquired", "holding from", "wash adj.")
    for r in rows:
        t.add_row(r.account_id, r.symbol, r.lot_id, f"{r.quantity:,}", f"{r.cost_basis:,.2f}",
                  f"{r.unit_cost:,.4f}", str(r.acquired), str(r.holding_start),
                  f"{r.wash_sale_adjustment:,.2f}" if r.wash_sale_adjustment else "")
    return t


def gains_table(rows: Sequence[GainRow], year: int | None) -> Group:
    """Realized gains per lot, then totals by term."""
    t = Table(title=f"realized gains{f' {year}' if year else ''}", title_justify="left")
    for col in ("account", "symbol", "lot", "term"):
        t.add_column(col)
    _numeric(t, "quantity", "acquired", "sold", "proceeds", "basis", "gain", "wash disallowed")
    totals: dict[tuple[str, str], list[float]] = {}
    for r in rows:
        t.add_row(r.account_id, r.symbol, r.lot_id, r.term, f"{r.quantity:,}", str(r.acquired),
                  str(r.sold), f"{r.proceeds:,.2f}", f"{r.cost_basis:,.2f}",
                  _signed(float(r.gain)),
                  f"{r.wash_sale_disallowed:,.2f}" if r.wash_sale_disallowed else "")
        acc = totals.setdefault((r.term, r.currency), [0.0, 0.0])
        acc[0] += float(r.gain)
        acc[1] += float(r.wash_sale_disallowed)
    s = Table(title="totals", title_justify="left")
    for col in ("term", "currency", "gain", "wash-sale disallowed", "reportable"):
        s.add_column(col, justify="right")
    for (term, ccy), (gain, wash) in sorted(totals.items()):
        s.add_row(term, ccy, _signed(gain), _money(wash), _signed(gain + wash))
    return Group(t, s)


def import_report_panel(report: ImportReport) -> Panel:
    """What an import wrote, skipped and quarantined."""
    lines = [f"[bold]{report.kind}[/] from {report.file}"]
    if report.already_imported:
        lines.append("[yellow]this exact file was already imported: nothing changed[/]")
    lines.append(f"rows read: {report.rows}   written: [green]{report.written}[/]   "
                 f"already in the book: {report.skipped}   quarantined: "
                 f"[{'red' if report.quarantined else 'green'}]{len(report.quarantined)}[/]")
    for e in report.quarantined[:20]:
        lines.append(f"  [red]✗[/] {e}")
    if len(report.quarantined) > 20:
        lines.append(f"  … {len(report.quarantined) - 20} more (see `--json`)")
    lines.append(f"[dim]{report.seconds:.2f} s[/]")
    return Panel("\n".join(lines), title="import", expand=False)


def rejection_table(exc: ImportRejected) -> Group:
    """Every bad row of a rejected file: row, field, reason."""
    t = Table(title=f"{exc.file}: nothing was imported — {len(exc.errors)} problem(s)",
              title_justify="left", title_style="bold red")
    t.add_column("row", justify="right", no_wrap=True)
    t.add_column("field", no_wrap=True)
    t.add_column("value", overflow="fold")
    t.add_column("problem")
    for e in exc.errors[:200]:
        t.add_row("header" if e.row == 0 else str(e.row), e.field, e.raw, e.reason)
    if len(exc.errors) > 200:
        t.caption = f"… and {len(exc.errors) - 200} more (use --json for all)"
    hint = Text(f"hint: {exc.hint}", style="dim")
    return Group(t, hint)


def summary_panel(s: BookSummary) -> Group:
    """The book at a glance: AUM, accounts, gains and the largest holdings."""
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column(justify="right")
    by_type = ", ".join(f"{n} {t}" for t, n in sorted(s.accounts_by_type.items()))
    for label, value in (
        ("as of", str(s.as_of)),
        ("households", f"{s.households:,}"),
        ("accounts", f"{s.accounts:,}  ({by_type})"),
        ("instruments", f"{s.instruments:,}"),
        ("transactions", f"{s.transactions:,}"),
        ("assets under management", f"{s.aum:,.2f} {s.currency}"),
        ("  of which cash", f"{s.cash:,.2f}"),
        ("positions / open lots", f"{s.positions:,} / {s.open_lots:,}"),
        ("unrealized gains", f"{s.unrealized_gain:+,.2f}"),
        ("unrealized losses",
         f"{s.unrealized_loss:+,.2f}  in {s.positions_with_loss} positions"),
        ("realized short / long term", f"{s.realized_short_term:+,.2f} / "
                                       f"{s.realized_long_term:+,.2f}"),
        ("wash-sale disallowed", f"{s.wash_sale_disallowed:,.2f}"),
    ):
        head.add_row(label, value)
    top = Table(title="largest holdings", title_justify="left")
    top.add_column("symbol")
    top.add_column("value", justify="right")
    top.add_column("share of AUM", justify="right")
    for sym, holding in s.top_holdings:
        top.add_row(sym, f"{holding:,.2f}", f"{holding / s.aum:.1%}" if s.aum else "")
    parts: list[Panel | Table | Text] = [
        Panel(head, title=f"ballast book — {s.database}", expand=False), top]
    if s.unpriced:
        parts.append(Text(f"no price on or before {s.as_of} for {', '.join(s.unpriced)}: "
                          "those positions are left out of the values above", style="yellow"))
    if s.stale:
        parts.append(Text(f"stale prices (too many sessions without a close before {s.as_of}): "
                          f"{', '.join(s.stale)}", style="yellow"))
    parts.append(Text(f"built in {s.seconds:.1f} s", style="dim"))
    return Group(*parts)
