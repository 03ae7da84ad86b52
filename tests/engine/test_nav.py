"""Daily NAV from the book: a small hand-built book (a deposit and a withdrawal mid-period, a fee,
a GBP holding bought through an FX conversion) valued by hand, composites as sums, and the demo
book's NAV equal to the ledger's snapshot on every day."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from ballast.analytics import time_weighted_return
from ballast.analytics.nav_returns import nav_daily_returns
from ballast.domain import UnknownReference
from ballast.engine.nav import Scope, ScopeKind, nav_series
from ballast.engine.period import NoPerformanceData
from ballast.engine.queries import snapshot
from ballast.store import Store

from .nav_book import A_FEES, A_FLOWS, A_VALUE, B_FLOWS, B_VALUE, DAYS, load_small_book


@pytest.fixture
def small_book(store: Store, tmp_path: Path) -> Store:
    return load_small_book(store, tmp_path)


def test_account_nav_by_hand(small_book: Store) -> None:
    nav = nav_series(small_book, Scope(ScopeKind.ACCOUNT, "A"), date(2021, 1, 5),
                     date(2021, 1, 8), by_instrument=True)
    assert nav.days.astype(str).tolist() == DAYS  # the opening close, then the period's
    assert nav.currency == "USD" and nav.accounts == ("A",)
    assert nav.value.tolist() == pytest.approx(A_VALUE, abs=1e-9)
    assert nav.flows.tolist() == pytest.approx(A_FLOWS, abs=1e-9)
    assert nav.fees.tolist() == pytest.approx(A_FEES, abs=1e-9)
    assert nav.instruments == ("AAPL", "VOD")
    assert nav.instrument_value[-1].tolist() == pytest.approx([1200, 1320])
    assert nav.cash_value[-1] == pytest.approx(8239 + 120)


def test_nav_returns_match_the_analytics_twr(small_book: Store) -> None:
    nav = nav_series(small_book, Scope(ScopeKind.ACCOUNT, "A"), date(2021, 1, 5),
                     date(2021, 1, 8))
    reference = time_weighted_return(nav.value, nav.flows)
    assert nav_daily_returns(nav.value, nav.flows).tolist() == pytest.approx(
        reference.daily.tolist(), abs=1e-15)
    by_hand = np.prod([(A_VALUE[t] - A_FLOWS[t - 1]) / A_VALUE[t - 1] for t in range(1, 5)])
    assert reference.total == pytest.approx(by_hand - 1.0, abs=1e-15)


def test_composite_is_the_sum_of_its_accounts_and_asset_weighted(small_book: Store) -> None:
    composite = nav_series(small_book, Scope(ScopeKind.MODEL, "m"), date(2021, 1, 5),
                           date(2021, 1, 8))
    assert composite.accounts == ("A", "B")
    assert composite.value.tolist() == pytest.approx(
        [a + b for a, b in zip(A_VALUE, B_VALUE, strict=True)], abs=1e-9)
    assert composite.flows.tolist() == pytest.approx(
        [a + b for a, b in zip(A_FLOWS, B_FLOWS, strict=True)], abs=1e-9)
    # The composite's daily return is the mean of its accounts' returns weighted by their
    # opening values (asset-weighted), not an equal-weighted mean of the accounts' returns.
    per_account = nav_daily_returns(composite.account_value, composite.account_flows)
    opening = composite.account_value[:-1]
    weighted = (per_account * opening).sum(axis=1) / opening.sum(axis=1)
    composite_daily = nav_daily_returns(composite.value, composite.flows)
    steady = [0, 2, 3]  # days on which no account opens
    assert composite_daily[steady].tolist() == pytest.approx(weighted[steady].tolist(),
                                                            abs=1e-15)
    assert composite_daily[2] != pytest.approx(per_account[2].mean(), abs=1e-3)
    # The day B opens: its deposit funded its day (2,000 invested at 100 closed at 105); in the
    # composite the deposit arrives at the close and B's gain counts over the opening capital.
    assert per_account[1, 1] == pytest.approx((3000 + 2100) / 5000 - 1)
    gain = (A_VALUE[2] - 1000 - A_VALUE[1]) + (B_VALUE[2] - 5000)
    assert composite_daily[1] == pytest.approx(gain / A_VALUE[1], abs=1e-15)
    firm = nav_series(small_book, Scope(ScopeKind.FIRM), date(2021, 1, 5), date(2021, 1, 8))
    assert firm.value.tolist() == pytest.approx(composite.value.tolist())
    household = nav_series(small_book, Scope(ScopeKind.HOUSEHOLD, "H2"), date(2021, 1, 5),
                           date(2021, 1, 8))
    assert household.value.tolist() == pytest.approx(B_VALUE, abs=1e-9)


def test_a_period_without_holdings_or_prices_says_so(small_book: Store) -> None:
    with pytest.raises(NoPerformanceData, match=r"account A has no holdings or prices between "
                       r"2031-01-01 and 2031-03-31 \(prices run from 2021-01-04 to 2021-01-08\)"):
        nav_series(small_book, Scope(ScopeKind.ACCOUNT, "A"), date(2031, 1, 1),
                   date(2031, 3, 31))
    with pytest.raises(NoPerformanceData, match="account B has no holdings or prices between "
                       "2021-01-05 and 2021-01-05"):
        nav_series(small_book, Scope(ScopeKind.ACCOUNT, "B"), date(2021, 1, 5),
                   date(2021, 1, 5))
    with pytest.raises(UnknownReference, match=r"no model x in the book \(known: m\)"):
        nav_series(small_book, Scope(ScopeKind.MODEL, "x"), date(2021, 1, 5), date(2021, 1, 8))


def test_demo_nav_equals_the_ledger_snapshot_every_day(demo_store: Store) -> None:
    """The vectorized NAV and the ledger's replayed snapshot agree on each close."""
    nav = nav_series(demo_store, Scope(ScopeKind.FIRM), date(2020, 2, 3), date(2020, 3, 31))
    days = nav.days.astype(object)
    for t in range(0, len(days), 7):
        snap = snapshot(demo_store, as_of=days[t])
        assert snap.accounts == nav.accounts
        assert nav.account_value[t].tolist() == pytest.approx(
            snap.account_value.tolist(), abs=1e-6)


def test_demo_nav_through_a_split_and_dividends(demo_store: Store) -> None:
    """AAPL splits 4:1 on 2020-08-31 (derived from the prices) and dividends are paid around
    it: the NAV still equals the ledger's snapshot, and AAPL's value does not jump."""
    nav = nav_series(demo_store, Scope(ScopeKind.FIRM), date(2020, 8, 27), date(2020, 9, 2),
                     by_instrument=True)
    days = nav.days.astype(str).tolist()
    assert days == ["2020-08-26", "2020-08-27", "2020-08-28", "2020-08-31", "2020-09-01",
                    "2020-09-02"]
    for t in (2, 3, 4):
        snap = snapshot(demo_store, as_of=nav.days[t].astype(object))
        assert nav.account_value[t].tolist() == pytest.approx(
            snap.account_value.tolist(), abs=1e-6)
    aapl = nav.instrument_value[:, nav.instruments.index("AAPL")]
    assert aapl[2] > 0 and abs(aapl[3] / aapl[2] - 1) < 0.05  # the close fell 75%
