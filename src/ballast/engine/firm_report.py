"""The firm report for a period, assembled from the book: assets and flows (``measure`` of the
firm and of each model composite), the accounts' drift from their models at the period's end,
trading, compliance breaches from the audit journal, and harvesting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np

from ballast.analytics.performance_report import PerformanceReport
from ballast.config.models import ResolvedModel, resolve
from ballast.domain import ZERO, Account, AccountId, Transaction, TransactionKind
from ballast.engine.market import load_market
from ballast.engine.nav import Scope, ScopeKind
from ballast.engine.performance import measure
from ballast.engine.period import NoPerformanceData, Period
from ballast.engine.queries import snapshot
from ballast.engine.statements import DEFAULT_FIRM, Format, write_report
from ballast.engine.weights import stored_models
from ballast.ledger.snapshot import Snapshot
from ballast.reporting import Period as ReportPeriod
from ballast.reporting.firm import (
    Breach,
    Composite,
    DriftBucket,
    FirmReport,
    render_firm_html,
    render_firm_pdf,
)
from ballast.store import Store

DRIFT_EDGES = (0.01, 0.02, 0.03, 0.05, 0.10)
DRIFT_LABELS = ("under 1%", "1–2%", "2–3%", "3–5%", "5–10%", "10% and over")
BREACH_KINDS = ("compliance.denied", "alert.limit_breach")


def build_firm_report(store: Store, period: Period, *, firm: str = DEFAULT_FIRM,
                      currency: str = "USD", generated: date | None = None) -> FirmReport:
    """The firm report for ``period`` in ``currency``."""
    with store.transaction() as tx:
        households = len(tx.households())
        accounts = tx.accounts()
        library = stored_models(tx)
        txns = tx.transactions(until=period.end, since=period.start)
        gains = tx.gains(since=period.start, until=period.end)
        run_day = {f"run:{r.id}": r.as_of for r in tx.rebalance_runs()}
        entries = [e for e in tx.audit_entries() if e.kind in BREACH_KINDS]
        market = load_market(tx, period.end)
    notices: list[str] = []
    firm_perf = _measure(store, Scope(ScopeKind.FIRM), period, currency, notices)
    snap = snapshot(store, as_of=period.end)
    rate = {a: float(market.fx_rate(accounts[a].base_currency, currency, snap.as_of))
            for a in snap.accounts}
    value = {a: float(snap.account_value[i]) * rate[a] for i, a in enumerate(snap.accounts)}
    models = {m: resolve(m, library) for m in {a.model for a in accounts.values()}
              if m and m in library}
    drifts = _drifts(snap, accounts, models)
    counts = np.bincount(np.searchsorted(DRIFT_EDGES, np.array(list(drifts.values())),
                                         side="right"), minlength=len(DRIFT_LABELS))
    breaches = []
    for e in entries:
        run = next((t for t in e.subject if t.startswith("run:")), "")
        when = run_day.get(run) or e.at.date()
        if period.start <= when <= period.end:
            account = next((t.partition(":")[2] for t in e.subject
                            if t.startswith("account:")), "")
            breaches.append(Breach(when, account, e.rationale))
    trades = [t for t in txns if t.kind in (TransactionKind.BUY, TransactionKind.SELL)]
    harvest = [g for g in gains if g.reportable_gain < 0]
    return FirmReport(
        firm=firm, period=ReportPeriod(period.label, period.start, period.end),
        currency=currency, generated=generated or date.today(), households=households,
        accounts=len(accounts),
        start_value=firm_perf.start_value if firm_perf else None,
        end_value=firm_perf.end_value if firm_perf else sum(value.values()),
        inflows=firm_perf.inflows if firm_perf else 0.0,
        outflows=firm_perf.outflows if firm_perf else 0.0,
        twr=firm_perf.returns.net if firm_perf else None,
        composites=_composites(store, period, currency, accounts, value, notices),
        drift=tuple(DriftBucket(label, int(n)) for label, n in zip(DRIFT_LABELS, counts,
                                                                   strict=True)),
        median_drift=float(np.median(list(drifts.values()))) if drifts else None,
        buys=sum(t.kind is TransactionKind.BUY for t in trades),
        sells=sum(t.kind is TransactionKind.SELL for t in trades),
        bought=_gross(trades, TransactionKind.BUY), sold=_gross(trades, TransactionKind.SELL),
        commissions=sum((t.fees for t in trades), ZERO), breaches=tuple(breaches),
        harvested=sum((-g.reportable_gain for g in harvest), ZERO),
        harvesting_accounts=len({g.account_id for g in harvest}),
        realized_short=sum((g.gain for g in gains if g.term.value == "short"), ZERO),
        realized_long=sum((g.gain for g in gains if g.term.value == "long"), ZERO),
        notices=tuple(notices))


def write_firm_report(report: FirmReport, out: Path, fmt: Format = Format.BOTH) -> list[Path]:
    """Write the firm report's PDF and/or HTML into folder ``out``."""
    return write_report(out, report.file_stem, fmt, lambda: render_firm_pdf(report),
                        lambda: render_firm_html(report))


def _measure(store: Store, scope: Scope, period: Period, currency: str, notices: list[str]
             ) -> PerformanceReport | None:
    try:
        return measure(store, scope, period, currency=currency)
    except NoPerformanceData as exc:
        notices.append(f"{scope.label.capitalize()}: {exc}")
        return None


def _composites(store: Store, period: Period, currency: str,
                accounts: Mapping[AccountId, Account], value: Mapping[AccountId, float],
                notices: list[str]) -> tuple[Composite, ...]:
    out = []
    for model in sorted({a.model for a in accounts.values()}):
        members = [a for a in accounts.values() if a.model == model]
        report = (_measure(store, Scope(ScopeKind.MODEL, model), period, currency, notices)
                  if model else None)
        out.append(Composite(model, len(members), sum(value.get(a.id, 0.0) for a in members),
                             report.returns.net if report else None,
                             report.returns.benchmark if report else None))
    return tuple(out)


def _drifts(snap: Snapshot, accounts: Mapping[AccountId, Account],
            models: Mapping[str, ResolvedModel]) -> dict[str, float]:
    """Total drift of each account with a model: half the sum of the absolute differences of
    its sleeve, outside-the-model and cash weights from the model's targets."""
    index = {a: i for i, a in enumerate(snap.accounts)}
    mv = np.nan_to_num(snap.market_value)
    out: dict[str, float] = {}
    for account, i in index.items():
        model = models.get(accounts[account].model)
        total = float(snap.account_value[i])
        if model is None or not total > 0:
            continue
        sleeve_of = {ident: k for k, s in enumerate(model.sleeves) for ident in s.instruments}
        weights = np.zeros(len(model.sleeves) + 1)  # the last: outside the model
        for r in np.flatnonzero(snap.pos_account == i):
            k = sleeve_of.get(snap.instruments[snap.pos_instrument[r]], len(model.sleeves))
            weights[k] += mv[r] / total
        targets = np.array([s.target for s in model.sleeves] + [0.0])
        cash_gap = abs(float(snap.cash_value[i]) / total - model.cash_target)
        out[account] = 0.5 * (float(np.abs(weights - targets).sum()) + cash_gap)
    return out


def _gross(trades: Sequence[Transaction], kind: TransactionKind) -> Decimal:
    return sum((t.quantity * (t.price or ZERO) for t in trades if t.kind is kind), ZERO)
