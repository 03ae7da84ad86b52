"""A period that starts centuries before the book (found by schemathesis through the API) is
measured, with the money-weighted return over the period left out and the reason noted."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ballast.engine.imports import ImportKind, import_file
from ballast.engine.nav import Scope, ScopeKind
from ballast.engine.performance import measure
from ballast.engine.period import period_between
from ballast.store import Store


def test_a_period_from_year_one_is_measured_without_overflow(
        store: Store, book_files: dict[str, Path]) -> None:
    for kind in ("instruments", "households", "accounts", "prices", "transactions"):
        import_file(store, ImportKind(kind), book_files[kind], today=date(2021, 1, 6))
    found = measure(store, Scope(ScopeKind.ACCOUNT, "H1-TAX"),
                    period_between(date(1, 1, 2), date(2021, 1, 5)))
    assert found.returns.money_weighted is None
    assert any(n.startswith("money-weighted return over the period: not measured (a rate of")
               and "too large to express" in n for n in found.notes)
