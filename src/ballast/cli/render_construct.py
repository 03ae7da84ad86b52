"""Rich renderings of a model build and of a risk report."""

from __future__ import annotations

from pathlib import Path

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ballast.cli.render import _money, _numeric
from ballast.engine.construct import BuildReport
from ballast.engine.risk import FactorRisk, RiskReport


def _pct(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value + 0.0:.{digits}%}"


def _facts(title: str, rows: list[tuple[str, str]]) -> Panel:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for label, value in rows:
        grid.add_row(label, value)
    return Panel(grid, title=title, expand=False)


def build_review(r: BuildReport) -> Group:
    """Inputs, method and constraints, the weights with their risk, and the version written."""
    if r.dry_run:
        written = f"{r.model} version {r.version}: dry run, not stored"
    elif r.new_version:
        written = f"[green]{r.model} version {r.version} written[/]"
    else:
        written = f"{r.model} version {r.version} is already stored: it is the current one again"
    facts = [("as of", str(r.as_of)),
             ("window", f"{r.window_start} → {r.window_end} ({r.sessions} daily returns)"),
             ("universe", f"{len(r.universe)} assets"),
             *(("estimators" if i == 0 else "", e) for i, e in enumerate(r.estimators)),
             ("method", r.method),
             *(("constraints" if i == 0 else "", c) for i, c in enumerate(r.constraints)),
             *((k, f"{v:.6g}") for k, v in r.metrics),
             ("expected return", _pct(r.expected_return)),
             ("volatility", _pct(r.volatility)),
             ("spec version", r.spec_version)]
    t = Table(title=f"weights of {r.model} (risk: contributions to the annual volatility)",
              title_justify="left")
    t.add_column("asset")
    t.add_column("instruments (first is bought)")
    _numeric(t, "weight", "exp. return", "marginal", "component", "risk share")
    for w in sorted(r.weights, key=lambda w: -w.weight):
        t.add_row(w.asset, ", ".join(w.instruments), _pct(w.weight), _pct(w.expected_return),
                  f"{w.marginal:.4f}", f"{w.component:.4f}", _pct(w.share, 1))
    t.add_row("cash", "", _pct(r.cash), "", "", "", "")
    parts: list[Panel | Table | Text] = [_facts("model build", facts), t]
    if r.factor_exposures:
        f = Table(title="factor exposures (Bᵀw)", title_justify="left")
        f.add_column("factor")
        _numeric(f, "exposure", "limit")
        for e in r.factor_exposures:
            limit = "" if e.lower is None and e.upper is None else (
                f"[{_bound(e.lower)}, {_bound(e.upper)}]")
            f.add_row(e.factor, f"{e.exposure:.3f}", limit)
        parts.append(f)
    return Group(*parts, Text.from_markup(written))


def _bound(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


def risk_review(r: RiskReport) -> Group:
    """Figures, tail risk, contributions and the stress table of a risk report."""
    money = r.value is not None
    facts = [("as of", str(r.as_of)),
             ("window", f"{r.window_start} → {r.window_end} ({r.sessions} daily returns)"),
             ("volatility (annual)", _pct(r.volatility)),
             ("cash", _pct(r.cash_weight))]
    if r.value is not None:
        facts.insert(1, ("value", f"{_money(r.value)} {r.currency}"))
    if r.benchmark is None:
        facts.append(("benchmark", "none (no SPY in the book; use --benchmark)"))
    else:
        facts += [("beta", f"{r.beta:.3f} to {r.benchmark}"),
                  ("tracking error", f"{_pct(r.tracking_error)} vs {r.benchmark}")]
    facts.append(("max drawdown", f"{_pct(r.max_drawdown)} ({r.drawdown_peak} → "
                                  f"{r.drawdown_trough}, back-cast on today's weights)"))
    tail = Table(title="one-day VaR and CVaR (loss, share of value)", title_justify="left")
    tail.add_column("method")
    _numeric(tail, *(f"{k} {c:.0%}" for c in (0.95, 0.99) for k in ("VaR", "CVaR")))
    for method in dict.fromkeys(t.method for t in r.tail):
        cells = [_pct(t.var) if k == "VaR" else _pct(t.cvar)
                 for c in (0.95, 0.99) for t in r.tail if t.method == method and t.confidence == c
                 for k in ("VaR", "CVaR")]
        tail.add_row(str(method), *cells)
    held = Table(title="risk contributions (annual volatility)", title_justify="left")
    held.add_column("instrument")
    _numeric(held, "weight", "marginal", "component", "risk share")
    for h in sorted(r.holdings, key=lambda h: -h.component):
        held.add_row(h.instrument, _pct(h.weight), f"{h.marginal:.4f}", f"{h.component:.4f}",
                     _pct(h.share, 1))
    stress = Table(title="stress tests (today's holdings)", title_justify="left")
    stress.add_column("scenario")
    _numeric(stress, "loss", *(("loss value",) if money else ()), "worst drawdown")
    stress.add_column("notes")
    for s in r.stress:
        if not s.covered:
            stress.add_row(s.name, Text("not covered", style="dim"), *([""] if money else []),
                           "", Text("; ".join(s.notes), style="dim"))
            continue
        value = [_money(s.loss_value + 0.0)] if money and s.loss_value is not None else []
        stress.add_row(s.name, _pct(s.loss_fraction), *value, _pct(s.worst_drawdown)
                       if s.worst_drawdown is not None else "", "; ".join(s.notes))
    parts: list[Panel | Table | Text] = [_facts(f"risk of {r.subject}", facts), tail, held,
                                         stress]
    if r.factors is not None:
        parts.append(_factor_fit(r.factors))
    parts += [Text(note, style="yellow") for note in r.notes]
    return Group(*parts)


def _factor_fit(f: FactorRisk) -> Table:
    """Betas, alpha, r² and residual volatility of the back-cast returns on the factors."""
    t = Table(title=f"factor betas ({Path(f.file).name}, {f.sessions} dates)",
              title_justify="left")
    _numeric(t, *(name for name, _ in f.betas), "alpha/day", "alpha/year", "r²",
             "resid. vol")
    t.add_row(*(f"{b:.3f}" for _, b in f.betas), _pct(f.alpha, 3), _pct(f.alpha * 252),
              f"{f.r_squared:.3f}", _pct(f.residual_vol))
    return t
