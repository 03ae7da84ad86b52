"""The live book against a shadow, day by day since the shadow's start (docs/shadow.md).

Both books are replayed from their stored events once, and valued at each session's closes
the same way: NAV (positions and cash, in the first account's base currency), after-tax
(liquidation) value, the value traded, gains realized and losses harvested since the start.
Trades are compared by (day, account, instrument, side): what one book traded and the other
did not, or not as much."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

from ballast.config.cycle import CycleConfig
from ballast.config.rebalance import RebalancePolicy
from ballast.data import FxTable, PriceTable, trading_calendar
from ballast.domain import (
    ZERO,
    Account,
    AccountType,
    CorporateAction,
    DataError,
    Instrument,
    InstrumentId,
    Term,
    Transaction,
    UnknownReference,
    holding_term,
)
from ballast.domain import TransactionKind as Kind
from ballast.engine.backtest.taxes import gains_tax
from ballast.engine.book_loader import ordered_events
from ballast.engine.shadow import shadow_info
from ballast.engine.workspace import open_store
from ballast.ledger import Book
from ballast.store import Store, UnitOfWork

_RUN = re.compile(r"^run (\d+) block ")
_HARVEST = "harvest a loss"  # the rationale of a tax-loss harvest sale (rebalance.rationale)


@dataclass(frozen=True, slots=True)
class BookDay:
    """One book at one close: ``nav`` and ``after_tax`` value; since the start: ``traded``
    (value bought and sold), ``realized`` (net reportable gains) and ``harvested`` (losses
    realized by tax-loss harvest sales, positive)."""

    nav: float
    after_tax: float
    traded: float
    realized: float
    harvested: float


@dataclass(frozen=True, slots=True)
class DayComparison:
    day: date
    live: BookDay
    shadow: BookDay

    @property
    def difference(self) -> float:
        """Shadow NAV less live NAV."""
        return self.shadow.nav - self.live.nav

    @property
    def after_tax_difference(self) -> float:
        return self.shadow.after_tax - self.live.after_tax


@dataclass(frozen=True, slots=True)
class TradeDifference:
    """What the two books traded of one instrument in one account on one day (units)."""

    day: date
    account: str
    instrument: str
    side: str
    live: Decimal
    shadow: Decimal


@dataclass(frozen=True, slots=True)
class ShadowComparison:
    """Shadow ``name`` against the live book from ``start`` (both equal at its close)."""

    name: str
    start: date
    currency: str
    days: tuple[DayComparison, ...]
    trades: tuple[TradeDifference, ...]

    @property
    def tracking_error(self) -> float:
        """Annualized standard deviation of the difference of the two books' daily returns
        (a client's flow reaches both books the same day, so it moves both alike)."""
        live = np.array([d.live.nav for d in self.days])
        shadow = np.array([d.shadow.nav for d in self.days])
        if len(live) < 3:
            return 0.0
        gap = shadow[1:] / shadow[:-1] - live[1:] / live[:-1]
        return float(np.std(gap, ddof=1) * math.sqrt(252))

    def turnover(self, which: str) -> float:
        """One-way turnover since the start: half the value traded over the mean NAV."""
        books = [getattr(d, which) for d in self.days]
        mean = float(np.mean([b.nav for b in books])) if books else 0.0
        return books[-1].traded / 2 / mean if books and mean else 0.0

    @property
    def shadow_only(self) -> list[TradeDifference]:
        """Trades the shadow made that the live book did not make at all."""
        return [t for t in self.trades if t.live == 0]


def compare_shadow(live: Store, config: CycleConfig, name: str, end: date | None = None,
                   *, account: str | None = None) -> ShadowComparison:
    """Shadow ``name`` against the live book at each session from its start through ``end``
    (default: its newest cycle's session), of every account or of ``account``. Both books'
    after-tax values use the live policy's tax rates: one yardstick."""
    shadow = config.shadow(name)
    store = open_store(shadow.store, create=False)
    try:
        info = shadow_info(store)
        if info is None:
            raise DataError(f"shadow {name} has not been started",
                            hint=f"Run `ballast shadow start --name {name} --from DATE`.")
        if end is None:
            with store.transaction() as tx:
                newest = next(iter(tx.cycles(1)), None)
            if newest is None:
                raise DataError(f"shadow {name} has not run a cycle yet",
                                hint="Run `ballast cycle` or `ballast shadow run`.")
            end = newest.as_of
        days = sorted({info.start, *trading_calendar(config.schedule.calendar)
                       .sessions_between(info.start, end)})
        live_days, currency = _book_days(live, days, info.start, config.rebalance, account)
        shadow_days, _ = _book_days(store, days, info.start, config.rebalance, account)
        trades = _trade_differences(_trades(live, info.start, end, account),
                                    _trades(store, info.start, end, account))
    finally:
        store.close()
    return ShadowComparison(name if account is None else f"{name}, {account}", info.start,
                            currency, tuple(DayComparison(d, a, b) for d, a, b in
                                            zip(days, live_days, shadow_days, strict=True)),
                            trades)


def _trades(store: Store, start: date, end: date, account: str | None) -> list[Transaction]:
    with store.transaction() as tx:
        return [t for t in tx.transactions(None if account is None else [account], until=end)
                if t.trade_date > start and t.kind in (Kind.BUY, Kind.SELL)]


def _trade_differences(live: Sequence[Transaction], shadow: Sequence[Transaction]
                       ) -> tuple[TradeDifference, ...]:
    def units(txns: Sequence[Transaction]) -> dict[tuple[date, str, str, str], Decimal]:
        out: dict[tuple[date, str, str, str], Decimal] = {}
        for t in txns:
            key = (t.trade_date, t.account_id, str(t.instrument_id), t.kind.value)
            out[key] = out.get(key, ZERO) + t.quantity
        return out

    a, b = units(live), units(shadow)
    return tuple(TradeDifference(*key, a.get(key, ZERO), b.get(key, ZERO))
                 for key in sorted({*a, *b}) if a.get(key, ZERO) != b.get(key, ZERO))


def _harvest_sales(tx: UnitOfWork, txns: Sequence[Transaction], start: date) -> set[str]:
    """The ids of the sells booked from a run's tax-loss harvest trades."""
    runs = {int(m.group(1)) for t in txns if t.trade_date > start and t.kind is Kind.SELL
            and (m := _RUN.match(t.memo))}
    harvests = {(run, p.account_id, p.instrument_id) for run in runs
                for p in tx.proposed_trades(run) if p.side == "sell" and _HARVEST in p.rationale}
    return {t.id for t in txns if t.kind is Kind.SELL and (m := _RUN.match(t.memo))
            and (int(m.group(1)), t.account_id, t.instrument_id) in harvests}


def _book_days(store: Store, days: Sequence[date], start: date, policy: RebalancePolicy,
               account: str | None) -> tuple[list[BookDay], str]:
    """The figures of the book (or of ``account``) at each of ``days``: one replay of the
    book's events."""
    end = days[-1]
    with store.transaction() as tx:
        accounts = list(tx.accounts().values())
        measured = [a for a in accounts if account in (None, a.id)]
        if not measured:
            raise UnknownReference(f"no account {account!r}" if account else
                                   "the book has no accounts", field="account",
                                   hint="`ballast accounts` lists them.")
        instruments = tx.instruments()
        txns = tx.transactions(until=end)
        events = ordered_events(txns, tx.corporate_actions(), end)
        prices = PriceTable(tx.price_bars(end=end))
        fx = FxTable(tx.fx_rates(end=end))
        harvested = _harvest_sales(tx, txns, start)
    currency = measured[0].base_currency
    book = Book(instruments, accounts)
    taxable: set[str] = {a.id for a in measured if a.type is AccountType.TAXABLE}
    out: list[BookDay] = []
    traded = 0.0
    k = 0
    for day in days:
        while k < len(events) and _date(events[k]) <= day:
            event = events[k]
            if isinstance(event, CorporateAction):
                book.apply_corporate_action(event)
            else:
                book.apply(event)
                if (event.kind in (Kind.BUY, Kind.SELL) and event.trade_date > start
                        and account in (None, event.account_id)):
                    traded += abs(float(event.quantity * (event.price or ZERO))) * _rate(
                        fx, event.currency, currency, day)
            k += 1
        out.append(_value(book, measured, taxable, instruments, prices, fx, currency, day,
                          start, policy, traded, harvested))
    return out, currency


def _date(event: Transaction | CorporateAction) -> date:
    return event.ex_date if isinstance(event, CorporateAction) else event.trade_date


def _rate(fx: FxTable, base: str, quote: str, day: date) -> float:
    return 1.0 if base == quote else float(fx.rate(base, quote, day))


def _value(book: Book, accounts: Sequence[Account], taxable: set[str],
           instruments: Mapping[InstrumentId, Instrument], prices: PriceTable, fx: FxTable,
           currency: str, day: date, start: date, policy: RebalancePolicy, traded: float,
           harvested: set[str]) -> BookDay:
    """NAV, after-tax value and realized figures of ``book`` at ``day``'s closes."""
    nav = 0.0
    tax = 0.0
    realized = harvest = 0.0
    for account in accounts:
        acct = account.id
        lots = book.lots(acct)
        ids = sorted({str(lot.instrument_id) for lot in lots})
        closes = dict(zip(ids, prices.closes(ids, day)[0].tolist(), strict=True)) if ids else {}
        unreal = {Term.SHORT: 0.0, Term.LONG: 0.0}
        for lot in lots:
            inst = instruments[lot.instrument_id]
            rate = _rate(fx, inst.currency, currency, day)
            worth = float(lot.quantity) * closes[str(lot.instrument_id)] * float(
                inst.multiplier) * rate
            nav += worth
            unreal[holding_term(lot.holding_start, day)] += worth - float(lot.cost_basis) * rate
        nav += sum(float(v) * _rate(fx, c, currency, day) for c, v in book.cash(acct).items())
        by_year: dict[int, dict[Term, float]] = {}
        for g in book.realized(acct):
            if g.sold <= start:
                continue
            gain = float(g.gain + g.wash_sale_disallowed) * _rate(fx, g.currency, currency,
                                                                    g.sold)
            by_year.setdefault(g.sold.year, {Term.SHORT: 0.0, Term.LONG: 0.0})[g.term] += gain
            realized += gain
            if g.transaction_id in harvested and g.gain < 0:
                harvest -= gain
        if acct in taxable:
            tax += _taxes(by_year, unreal, day.year, policy)
    return BookDay(nav, nav - tax, traded, realized, harvest)


def _taxes(by_year: dict[int, dict[Term, float]], unrealized: dict[Term, float], year: int,
           policy: RebalancePolicy) -> float:
    """Tax on the gains realized each year since the start (a year's net loss carried
    forward), the current year's as if every lot were sold at the close."""
    carry = np.zeros(1)
    total = 0.0
    for y in sorted({*by_year, year}):
        gains = by_year.get(y, {Term.SHORT: 0.0, Term.LONG: 0.0})
        short, long_ = gains[Term.SHORT], gains[Term.LONG]
        if y == year:
            short, long_ = short + unrealized[Term.SHORT], long_ + unrealized[Term.LONG]
        paid, carry = gains_tax(np.array([short]), np.array([long_]), carry,
                                policy.tax_rate_short_term, policy.tax_rate_long_term)
        total += float(paid[0])
    return total


__all__ = ["BookDay", "DayComparison", "ShadowComparison", "TradeDifference", "compare_shadow"]
