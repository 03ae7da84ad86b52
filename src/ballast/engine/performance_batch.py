"""Many scopes measured over one period from one replay of the book: what statement runs use.

The firm's history is replayed once and its prices read once; each scope then takes its
accounts' rows. A scope with nothing to measure gets its NoPerformanceData (saying so plainly)
in place of a report, so one empty account does not stop a run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ballast.analytics.performance_report import PerformanceReport
from ballast.engine.benchmark_returns import Benchmarks, choose_benchmarks
from ballast.engine.nav import Scope, ScopeKind, load_nav_inputs, members_in
from ballast.engine.nav_events import BookedChanges, by_account, merged
from ballast.engine.performance import report_of
from ballast.engine.period import NoPerformanceData, Period
from ballast.store import Store


def measure_many(store: Store, scopes: Sequence[Scope], period: Period, *,
                 benchmark: str | None = None, currency: str | None = None
                 ) -> list[tuple[Scope, PerformanceReport | NoPerformanceData]]:
    """``measure`` of each of ``scopes`` over ``period``, in the order given."""
    chosen: dict[tuple[object, ...], Benchmarks] = {}
    with store.transaction() as tx:
        firm = load_nav_inputs(tx, Scope(ScopeKind.FIRM), period.end)
        rows = by_account(firm.booked)
        accounts = tx.accounts()
        work = []
        for scope in scopes:
            members = members_in(accounts, scope)
            key = (scope.kind is ScopeKind.FIRM, scope.kind is ScopeKind.MODEL and scope.ident,
                   tuple(sorted({a.model for a in members})))
            if key not in chosen:
                chosen[key] = choose_benchmarks(tx, scope, members, benchmark)
            booked = merged([rows.get(a.id, BookedChanges()) for a in members])
            work.append((scope, replace(firm, scope=scope, members=tuple(members),
                                        booked=booked), chosen[key]))
    out: list[tuple[Scope, PerformanceReport | NoPerformanceData]] = []
    for scope, inputs, benchmarks in work:
        try:
            out.append((scope, report_of(inputs, period, benchmarks, currency)))
        except NoPerformanceData as exc:
            out.append((scope, exc))
    return out
