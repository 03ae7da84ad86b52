"""Rich renderings of rebalancing runs and models."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ballast.engine.rebalance import RebalanceResult


def rebalance_review(result: RebalanceResult, files: Sequence[Path], limit: int = 60) -> Group:
    """The run at a glance, the accounts that trade, the skipped ones, the trades, then the
    currency conversions they need."""
    status = Counter(a.status for a in result.accounts)
    buys = sum(t.est_value for t in result.trades if t.side == "buy")
    sells = sum(t.est_value for t in result.trades if t.side == "sell")
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column(justify="right")
    for label, value in (
        ("as of", str(result.as_of)),
        ("run", "dry run (not stored)" if result.run_id is None else f"#{result.run_id}"),
        ("accounts", f"{len(result.accounts):,}"),
        ("to trade / no action / skipped",
         f"{status['trade']:,} / {status['no_action']:,} / {status['skipped']:,}"),
        ("trades", f"{len(result.trades):,}"),
        ("buys / sells", f"{buys:,.2f} / {sells:,.2f}"),
        ("snapshot / policy", f"{result.snapshot_id} / {result.policy_version}"),
    ):
        head.add_row(label, value)
    parts: list[Panel | Table | Text] = [Panel(head, title="rebalance", expand=False)]
    if result.stale:
        parts.append(Text(f"stale prices, not traded on: {', '.join(result.stale)}",
                          style="yellow"))
    trading = [a for a in result.accounts if a.status == "trade"]
    if trading:
        t = Table(title=f"{len(trading)} accounts to trade", title_justify="left")
        t.add_column("account", no_wrap=True)
        t.add_column("model", no_wrap=True)
        t.add_column("why", min_width=24, ratio=1)
        for col in ("value", "drift before", "drift after"):
            t.add_column(col, justify="right", no_wrap=True)
        for a in trading[:limit]:
            t.add_row(a.account_id, a.model, _why(a.reasons), f"{a.value:,.2f}",
                      f"{a.drift_before:.1%}", f"{a.drift_after:.1%}")
        parts.append(t)
    skipped = [a for a in result.accounts if a.status == "skipped"]
    if skipped:
        s = Table(title=f"{len(skipped)} accounts skipped", title_justify="left",
                  title_style="yellow")
        s.add_column("account", no_wrap=True)
        s.add_column("reason")
        for a in skipped[:limit]:
            s.add_row(a.account_id, a.reasons)
        parts.append(s)
    if result.trades:
        tr = Table(title=f"trades (first {min(limit, len(result.trades))} of "
                   f"{len(result.trades)})", title_justify="left")
        tr.add_column("account", no_wrap=True)
        for col in ("quantity", "est. value", "est. cost"):
            tr.add_column(col, justify="right", no_wrap=True)
        tr.add_column("rationale")
        for trade in result.trades[:limit]:
            tr.add_row(trade.account_id, f"{trade.quantity:,}", f"{trade.est_value:,.2f}",
                       f"{trade.est_cost:,.2f}", trade.rationale)
        parts.append(tr)
    if result.fx:
        parts.append(_fx_table(result, limit))
    if files:
        parts.append(Text("written: " + ", ".join(str(f) for f in files), style="dim"))
    return Group(*parts)


def _why(reasons: str) -> str:
    """The triggers, with the tax pass's changes counted (each is told in its trade's rationale
    and in the run's JSON)."""
    triggers, _, tax = reasons.partition("; tax: ")
    n = len(tax.split("; ")) if tax else 0
    return triggers + (f" (tax pass: {n} change{'s' if n > 1 else ''})" if n else "")


def _fx_table(result: RebalanceResult, limit: int) -> Table:
    """The currency conversions the trades need (FX legs)."""
    t = Table(title=f"currency conversions (first {min(limit, len(result.fx))} of "
              f"{len(result.fx)})", title_justify="left")
    t.add_column("account", no_wrap=True)
    for col in ("buy", "sell", "est. cost"):
        t.add_column(col, justify="right", no_wrap=True)
    t.add_column("rationale (with the rate)")
    for leg in result.fx[:limit]:
        t.add_row(leg.account_id, f"{leg.buy_amount:,} {leg.buy_currency}",
                  f"{leg.sell_amount:,} {leg.sell_currency}", f"{leg.est_cost:,.2f}",
                  leg.rationale)
    return t


def models_table(rows: Sequence[tuple[str, str, bool]], title: str) -> Table:
    """Model names with their versions and whether the version is new."""
    t = Table(title=title, title_justify="left")
    t.add_column("model")
    t.add_column("version")
    t.add_column("status")
    for name, version, new in rows:
        t.add_row(name, version, "new version stored" if new else "unchanged")
    return t
