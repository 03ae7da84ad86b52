"""Investor statements: the engine gathers an account's or a household's period from the book
(performance from ``engine.performance``, holdings, transactions, gains, the audit journal) into
a :class:`ballast.reporting.Statement` and writes it as HTML and PDF."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

import numpy as np

from ballast.analytics.performance_report import PerformanceReport
from ballast.analytics.tax_report import harvesting_yield, realized_gains_by_year
from ballast.config.models import ModelSpec, ResolvedModel, resolve
from ballast.domain import (
    ZERO,
    Account,
    DataError,
    Instrument,
    InstrumentId,
    RealizedGain,
    Term,
    Transaction,
    TransactionKind,
    UnknownReference,
)
from ballast.engine.market import load_market
from ballast.engine.nav import Scope, ScopeKind
from ballast.engine.performance import measure, today_or_last_price
from ballast.engine.period import NoPerformanceData, Period, parse_period
from ballast.engine.queries import snapshot
from ballast.engine.statement_activity import journal_events
from ballast.engine.weights import stored_models
from ballast.reporting import (
    AccountLine,
    AllocationRow,
    Contributor,
    GainRow,
    GainsSummary,
    HoldingRow,
    Performance,
    Statement,
    TransactionRow,
    narrate,
    render_statement_html,
    render_statement_pdf,
)
from ballast.reporting import Period as StatementPeriod
from ballast.reporting.format import day as fmt_day
from ballast.store import Store, UnitOfWork

DEFAULT_FIRM = "Ballast Wealth Management"
CASH = "Cash"
TOP_CONTRIBUTORS = 6  # holdings shown by the size of their contribution
OUTSIDE = "Outside the model"


class Format(StrEnum):
    PDF = "pdf"
    HTML = "html"
    BOTH = "both"


@dataclass(frozen=True, slots=True)
class Subject:
    """Who a statement is for: one account, or a household's accounts."""

    kind: ScopeKind
    ident: str
    title: str
    household: str
    accounts: tuple[Account, ...]


def period_of(store: Store, text: str) -> Period:
    """The period ``text`` names; ``YTD``, ``QTD`` and ``MTD`` run to the latest price."""
    return parse_period(text, today=today_or_last_price(store))


def subject_of(tx: UnitOfWork, *, account: str | None = None, household: str | None = None
               ) -> Subject:
    """The account or household named; UnknownReference (with a hint) when there is none."""
    if (account is None) == (household is None):
        raise DataError("name either an account or a household", field="account",
                        hint="Use --account ID or --household ID (`ballast accounts` lists "
                             "them).")
    households = {h.id: h for h in tx.households()}
    if account is not None:
        accounts = tx.accounts()
        if account not in accounts:
            raise UnknownReference(f"no account {account!r} in the book", field="account",
                                   hint="`ballast accounts` lists the accounts.")
        a = accounts[account]  # type: ignore[index]
        return Subject(ScopeKind.ACCOUNT, a.id, a.name or a.id,
                       households[a.household_id].name, (a,))
    members = tx.accounts([str(household)])
    if household not in households or not members:
        raise UnknownReference(f"no household {household!r} with accounts in the book",
                               field="household",
                               hint="`ballast accounts` lists households and accounts.")
    h = households[household]  # type: ignore[index]
    return Subject(ScopeKind.HOUSEHOLD, h.id, h.name or h.id, h.name,
                   tuple(members[k] for k in sorted(members)))


def build_statement(store: Store, period: Period, *, account: str | None = None,
                    household: str | None = None, firm: str = DEFAULT_FIRM,
                    generated: date | None = None,
                    measured: PerformanceReport | NoPerformanceData | None = None
                    ) -> Statement:
    """The statement of ``account`` or ``household`` for ``period``. A period without data
    gives a statement that says so; an unknown account or household raises. ``measured``: its
    performance over ``period`` when already measured (a batch measures all at once)."""
    with store.transaction() as tx:
        subject = subject_of(tx, account=account, household=household)
        instruments = tx.instruments()
        library = stored_models(tx)
        ids = [a.id for a in subject.accounts]
        txns = tx.transactions(ids, until=period.end, since=period.start)
        gains = tx.gains(ids, since=period.start, until=period.end)
        events = journal_events(tx, ids, period.start, period.end)
    currency = subject.accounts[0].base_currency
    report, why_not = _measure(store, subject, period) if measured is None else (
        (None, str(measured)) if isinstance(measured, NoPerformanceData) else (measured, ""))
    # without a measurable period (no prices in it) holdings could only be valued stale
    holdings, cash = (_holdings(store, subject, period.end, currency, instruments)
                      if report else ([], {}))
    models, notices = _models(subject.accounts, library)
    start_value = report.start_value if report else 0.0
    statement = Statement(
        firm=firm, subject=subject.kind.value, subject_id=subject.ident, title=subject.title,
        household=subject.household,
        accounts=tuple(AccountLine(a.id, a.name, a.type.value, a.model, a.custodian)
                       for a in subject.accounts),
        period=StatementPeriod(period.label, period.start, period.end), currency=currency,
        generated=generated or date.today(),
        performance=_performance(report) if report else None,
        allocation=_allocation(holdings, cash, subject.accounts, models, instruments),
        holdings=tuple(holdings), transactions=tuple(_transaction_row(t, instruments)
                                                     for t in txns),
        gains=tuple(_gain_row(g) for g in gains),
        gains_summary=_gains_summary(gains, start_value),
        fees=_fees(txns), activity=narrate(events))
    if not statement.has_data:
        notices.insert(0, f"There is nothing to report for {period.label}: "
                          f"{why_not.rstrip('.')}." if why_not else
                          f"There is nothing to report for {subject.kind.value} "
                          f"{subject.ident} between {fmt_day(period.start)} and "
                          f"{fmt_day(period.end)}: it held nothing and booked no transactions.")
    elif why_not:
        notices.insert(0, f"Performance could not be measured for this period: {why_not}")
    return replace(statement, notices=tuple(notices))


def _measure(store: Store, subject: Subject, period: Period
             ) -> tuple[PerformanceReport | None, str]:
    try:
        return measure(store, Scope(subject.kind, subject.ident), period), ""
    except NoPerformanceData as exc:
        return None, str(exc)


def _performance(r: PerformanceReport) -> Performance:
    s = r.series
    curve = np.concatenate(([0.0], np.cumprod(1.0 + s.net) - 1.0)) if len(s.net) else None
    bench = (np.concatenate(([0.0], np.cumprod(1.0 + s.benchmark) - 1.0))
             if s.benchmark is not None and len(s.benchmark) else None)
    return Performance(
        start_value=r.start_value, end_value=r.end_value, net_flows=r.net_flows,
        twr=r.returns.net,
        # over the whole period only when capital was there from its start: the report's
        # period rate spans the period, not the time since a first deposit inside it
        money_weighted=r.returns.money_weighted if r.start_value > 0 else None,
        benchmark=r.benchmark or "", benchmark_twr=r.returns.benchmark,
        curve_dates=s.days if curve is not None else (),
        curve_portfolio=tuple(float(x) for x in curve) if curve is not None else (),
        curve_benchmark=tuple(float(x) for x in bench) if bench is not None else (),
        contributors=tuple(Contributor(c.instrument, c.name or c.instrument, c.average_weight,
                                       c.contribution)
                           for c in r.contributions[:TOP_CONTRIBUTORS] if c.contribution))


def _holdings(store: Store, subject: Subject, as_of: date, currency: str,
              instruments: Mapping[InstrumentId, Instrument]
              ) -> tuple[list[HoldingRow], dict[str, float]]:
    """Positions at the close of ``as_of`` in ``currency`` and each account's cash."""
    rows: list[tuple[str, str, Decimal, float, float, float, float]] = []
    cash: dict[str, float] = {}
    with store.transaction() as tx:
        market = load_market(tx, as_of)
    for a in subject.accounts:
        snap = snapshot(store, as_of=as_of, account=a.id, exact=True)
        rate = float(market.fx_rate(a.base_currency, currency, snap.as_of))
        cash[a.id] = float(snap.cash_value[0]) * rate
        for r in range(len(snap.pos_instrument)):
            sym = snap.instruments[snap.pos_instrument[r]]
            rows.append((a.id, sym, snap.exact_quantity[r], float(snap.price[r]),
                         float(snap.market_value[r]) * rate, float(snap.cost_basis[r]) * rate,
                         float(snap.unrealized[r]) * rate))
    total = sum(cash.values()) + sum(r[4] for r in rows if np.isfinite(r[4]))
    rows.sort(key=lambda r: (r[0], -r[4] if np.isfinite(r[4]) else 0.0, r[1]))
    out = [HoldingRow(acct, sym, _name(instruments, sym), qty,
                      price, mv, basis, unreal, mv / total if total > 0 else float("nan"))
           for acct, sym, qty, price, mv, basis, unreal in rows if qty != 0]
    return out, cash


def _name(instruments: Mapping[InstrumentId, Instrument], symbol: str) -> str:
    known = instruments.get(InstrumentId(symbol))
    return known.name if known and known.name else symbol


def _models(accounts: Iterable[Account], library: Mapping[str, ModelSpec]
            ) -> tuple[dict[str, ResolvedModel], list[str]]:
    """The resolved model of each account's model name, and a note for each missing one."""
    models: dict[str, ResolvedModel] = {}
    notes: list[str] = []
    for a in accounts:
        if not a.model or a.model in models:
            continue
        if a.model not in library:
            notes.append(f"Model {a.model!r} of account {a.id} is not in the book: its "
                         "allocation is shown without targets.")
            continue
        models[a.model] = resolve(a.model, library)
    return models, notes


def _allocation(holdings: Sequence[HoldingRow], cash: Mapping[str, float],
                accounts: Sequence[Account], models: Mapping[str, ResolvedModel],
                instruments: Mapping[InstrumentId, Instrument]) -> tuple[AllocationRow, ...]:
    """Weights by model sleeve (holdings outside the model apart, cash last) against the
    targets of the accounts' models, weighted by each account's value. Accounts without a
    model are grouped by asset class, without targets."""
    value = dict(cash)
    for h in holdings:
        if np.isfinite(h.market_value):
            value[h.account_id] = value.get(h.account_id, 0.0) + h.market_value
    total = sum(value.values())
    if total <= 0 or not holdings:
        return ()
    target: dict[str, float] = {}
    weight: dict[str, float] = {}
    cash_target: float | None = None
    sleeve_of: dict[tuple[str, str], str] = {}
    for a in accounts:
        m = models.get(a.model)
        if m is None:
            continue
        share = value.get(a.id, 0.0) / total
        cash_target = (cash_target or 0.0) + share * m.cash_target
        for s in m.sleeves:
            target[s.name] = target.get(s.name, 0.0) + share * s.target
            for ident in s.instruments:
                sleeve_of[(a.id, ident)] = s.name
    modelled = {a.id for a in accounts if a.model in models}
    for h in holdings:
        if not np.isfinite(h.market_value):
            continue
        key = sleeve_of.get((h.account_id, h.symbol))
        if key is None:
            known = instruments.get(InstrumentId(h.symbol))
            key = OUTSIDE if h.account_id in modelled or known is None else known.asset_class
        weight[key] = weight.get(key, 0.0) + h.market_value / total
    order = list(target) + sorted(k for k in weight if k not in target and k != OUTSIDE)
    order += [OUTSIDE] if OUTSIDE in weight else []
    outside_target = 0.0 if modelled else None
    rows = [AllocationRow(k, weight.get(k, 0.0),
                          target.get(k, outside_target if k == OUTSIDE else None))
            for k in order if weight.get(k, 0.0) or target.get(k, 0.0)]
    rows.append(AllocationRow(CASH, sum(cash.values()) / total, cash_target))
    return tuple(rows)


def _transaction_row(t: Transaction, instruments: Mapping[InstrumentId, Instrument]
                     ) -> TransactionRow:
    trade = t.kind in (TransactionKind.BUY, TransactionKind.SELL)
    if trade and t.price is not None:
        known = instruments.get(t.instrument_id) if t.instrument_id else None
        multiplier = known.multiplier if known else Decimal(1)
        amount = t.quantity * t.price * multiplier
    else:
        amount = t.amount
    return TransactionRow(t.trade_date, t.account_id, t.kind.value, t.instrument_id or "",
                          t.quantity if t.quantity else None, t.price, amount, t.fees,
                          t.currency)


def _gain_row(g: RealizedGain) -> GainRow:
    return GainRow(g.account_id, g.instrument_id, g.acquired, g.sold, g.quantity, g.proceeds,
                   g.cost_basis, g.gain, g.wash_sale_disallowed, g.term.value)


def _gains_summary(gains: Sequence[RealizedGain], start_value: float) -> GainsSummary:
    """Totals by term (``analytics.tax_report``); the harvesting yield is the deductible
    losses of the period over its start value."""
    by_term = realized_gains_by_year(gains)
    short = sum((t.gain for t in by_term if t.term is Term.SHORT), ZERO)
    long_ = sum((t.gain for t in by_term if t.term is Term.LONG), ZERO)
    disallowed = sum((t.wash_sale_disallowed for t in by_term), ZERO)
    harvested = sum((-g.reportable_gain for g in gains if g.reportable_gain < 0), ZERO)
    ratio = (harvesting_yield(gains, Decimal(repr(start_value)))
             if start_value > 0 and harvested else None)
    return GainsSummary(short, long_, disallowed, harvested, ratio)


def _fees(txns: Sequence[Transaction]) -> Decimal:
    """Commissions on trades plus fee transactions."""
    return sum((t.fees + (t.amount if t.kind is TransactionKind.FEE else ZERO) for t in txns),
               ZERO)


def write_statement(statement: Statement, out: Path, fmt: Format = Format.BOTH) -> list[Path]:
    """Write the statement's PDF and/or HTML into folder ``out``; returns the files."""
    return write_report(out, statement.file_stem, fmt, lambda: render_statement_pdf(statement),
                        lambda: render_statement_html(statement))


def write_report(out: Path, stem: str, fmt: Format, pdf: Callable[[], bytes],
                 html: Callable[[], str]) -> list[Path]:
    """Write ``stem``.pdf and/or ``stem``.html (rendered by ``pdf`` and ``html``) into
    folder ``out``; returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    if fmt in (Format.PDF, Format.BOTH):
        files.append(_write(out / f"{stem}.pdf", pdf()))
    if fmt in (Format.HTML, Format.BOTH):
        files.append(_write(out / f"{stem}.html", html().encode("utf-8")))
    return files


def _write(path: Path, data: bytes) -> Path:
    """Write through a temporary file so that no half-written report is left behind."""
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path
