"""The risk report: its numbers equal direct analytics calls on the same weights and returns;
households combine their accounts; models use their targets; uncovered stress windows are
marked; bonds take a duration; errors are clear."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ballast.analytics import (
    beta,
    cornish_fisher,
    factor_exposures,
    gaussian,
    historical,
    max_drawdown_of_returns,
    monte_carlo,
    returns_from_prices,
    risk_contributions,
    sample_covariance,
    tracking_error,
)
from ballast.data import PriceTable, trading_calendar
from ballast.data.factors import parse_french_factors
from ballast.domain import ConfigError, DataError, UnknownReference
from ballast.engine import queries
from ballast.engine.risk import RiskReport, read_durations, risk_report
from ballast.sample import sample_models_path
from ballast.store import Store

from .conftest import write
from .test_imports import load_all

END = date(2021, 3, 31)
FloatArray = np.ndarray[Any, np.dtype[np.float64]]
FACTORS = sample_models_path().parent / "factors" / "ff3_daily_2017_2021.csv"


def prices(store: Store, ids: list[str], start: date, end: date) -> FloatArray:
    with store.transaction() as tx:
        table = PriceTable(tx.price_bars(ids, end=end))
    return np.column_stack([table.adjusted_closes(i, start, end)[1] for i in ids])


def weights_of(report: RiskReport) -> tuple[list[str], FloatArray]:
    return [h.instrument for h in report.holdings], np.array([h.weight for h in report.holdings])


def test_account_figures_equal_direct_analytics(demo_store: Store) -> None:
    r = risk_report(demo_store, account="HH001-TAX")
    rows = queries.position_rows(demo_store, account="HH001-TAX")
    ids = sorted(p.symbol for p in rows)
    w = np.array([next(p.weight for p in rows if p.symbol == i) for i in ids])
    assert weights_of(r) == (ids, pytest.approx(w, rel=1e-12))
    [acct] = [a for a in queries.account_rows(demo_store) if a.account_id == "HH001-TAX"]
    assert (r.value, r.currency, r.as_of) == (pytest.approx(acct.value, rel=1e-12), "USD", END)
    returns = returns_from_prices(prices(demo_store, [*ids, "SPY"], r.window_start, END))
    assets, spy = returns[:, :-1], returns[:, -1]
    port = assets @ w
    assert (len(port), r.window_end) == (756, END)
    rc = risk_contributions(w, sample_covariance(assets))
    assert r.volatility == pytest.approx(rc.volatility, rel=1e-12)
    assert [h.component for h in r.holdings] == pytest.approx(rc.component, rel=1e-10)
    assert [h.marginal for h in r.holdings] == pytest.approx(rc.marginal, rel=1e-10)
    assert (r.benchmark, r.beta, r.tracking_error) == (
        "SPY", pytest.approx(beta(port, spy), rel=1e-12),
        pytest.approx(tracking_error(port, spy), rel=1e-12))
    daily = sample_covariance(assets, periods_per_year=1)
    expected = [f(port, c) for c in (0.95, 0.99) for f in (historical, gaussian, cornish_fisher)]
    expected += [monte_carlo(w, assets.mean(axis=0), daily, c, 100_000, 0) for c in (0.95, 0.99)]
    for tail in expected:
        [got] = [t for t in r.tail if (t.method, t.confidence) == (tail.method, tail.confidence)]
        assert (got.var, got.cvar) == pytest.approx((tail.var, tail.cvar), rel=1e-10)
    dd = max_drawdown_of_returns(port)
    assert r.max_drawdown == pytest.approx(dd.depth, rel=1e-12)
    stress = {s.name: s for s in r.stress}
    covid = prices(demo_store, ids, date(2020, 2, 19), date(2020, 3, 23))
    loss = -float(w @ (covid[-1] / covid[0] - 1))
    assert stress["COVID"].loss_fraction == pytest.approx(loss, rel=1e-10)
    assert stress["COVID"].loss_value == pytest.approx(loss * acct.value, rel=1e-10)
    assert stress["equity -20%"].loss_fraction == pytest.approx(0.2 * w.sum(), rel=1e-12)
    largest = ids[int(np.argmax(w))]
    assert stress[f"{largest} -50%"].loss_fraction == pytest.approx(0.5 * w.max(), rel=1e-12)
    assert stress["rates +100bp"].loss_fraction == 0


def test_stress_windows_the_prices_do_not_cover_are_marked(demo_store: Store) -> None:
    r = risk_report(demo_store, model="growth")
    covered = {s.name: s.covered for s in r.stress}
    assert covered == {"dot-com": False, "GFC": False, "2011": False, "COVID": True,
                       "2022": False, "equity -20%": True, "rates +100bp": True,
                       "QQQ -50%": True}
    for s in r.stress:
        if not s.covered:
            assert s.loss_fraction is None and s.loss_value is None
            assert s.notes[0].startswith("prices cover 2017-01-03..2021-03-31, not the window")


def test_the_factor_table_equals_a_direct_regression(demo_store: Store) -> None:
    r = risk_report(demo_store, account="HH001-TAX", lookback_days=500, factors=FACTORS)
    ids, w = weights_of(r)
    port = returns_from_prices(prices(demo_store, ids, r.window_start, END)) @ w
    table = parse_french_factors(FACTORS)
    first = int(np.searchsorted(table.dates, np.datetime64(r.window_start)))
    rows = table.values[first + 1:first + 1 + len(port), :3]  # the return dates, no RF
    assert table.dates[first + len(port)] == np.datetime64(END)
    fit = factor_exposures(port[:, None], rows)
    assert r.factors is not None and (r.factors.file, r.factors.sessions) == (str(FACTORS), 500)
    assert [name for name, _ in r.factors.betas] == ["Mkt-RF", "SMB", "HML"]
    assert [b for _, b in r.factors.betas] == pytest.approx(fit.betas[0], rel=1e-10)
    assert (r.factors.alpha, r.factors.r_squared) == (
        pytest.approx(fit.alpha[0], rel=1e-10), pytest.approx(fit.r_squared[0], rel=1e-12))
    assert r.factors.residual_vol == pytest.approx(fit.residual_vol[0] * np.sqrt(252))
    assert risk_report(demo_store, account="HH001-TAX", lookback_days=500).factors is None


def test_durations_from_a_file(tmp_path: Path) -> None:
    assert read_durations(write(tmp_path, "d.csv", "symbol,duration\nIEF,7.5\nTLT,17\n")) == {
        "IEF": 7.5, "TLT": 17.0}
    assert read_durations(write(tmp_path, "d.yaml", "IEF: 7.5\nBND: 6.1\n")) == {
        "IEF": 7.5, "BND": 6.1}
    for name, text, message in [
            ("a.csv", "symbol,years\nIEF,7\n", "a.csv: expected the columns symbol,duration"),
            ("b.csv", "symbol,duration\nIEF,long\n", "b.csv: IEF: duration 'long' is not a "
             "number of years"),
            ("c.yaml", "- IEF\n", "c.yaml: expected a mapping of symbol: years"),
            ("d.yaml", "IEF: .nan\n", "d.yaml: IEF: duration nan is not a number")]:
        with pytest.raises(ConfigError, match=message):
            read_durations(write(tmp_path, name, text))


def test_a_household_combines_its_accounts(demo_store: Store) -> None:
    r = risk_report(demo_store, household="HH002")
    accounts = [a for a in queries.account_rows(demo_store) if a.household_id == "HH002"]
    total = sum(a.value for a in accounts)
    value: dict[str, float] = {}
    for a in accounts:
        for p in queries.position_rows(demo_store, account=a.account_id):
            value[p.symbol] = value.get(p.symbol, 0.0) + p.market_value
    ids = sorted(value)
    assert r.subject == "household HH002" and r.value == pytest.approx(total, rel=1e-12)
    assert weights_of(r) == (ids, pytest.approx([value[i] / total for i in ids], rel=1e-12))
    assert r.cash_weight == pytest.approx(sum(a.cash for a in accounts) / total, rel=1e-9)


def test_a_model_is_measured_on_its_targets(demo_store: Store) -> None:
    r = risk_report(demo_store, model="growth", as_of=date(2020, 6, 30), lookback_days=100)
    assert weights_of(r) == (["AMZN", "BA", "JPM", "MSFT", "QQQ", "UNH"],
                             pytest.approx([0.14, 0.10, 0.10, 0.24, 0.30, 0.10]))
    assert (r.value, r.currency, r.cash_weight) == (None, None, pytest.approx(0.02))
    assert (r.as_of, r.window_end, r.sessions) == (date(2020, 6, 30), date(2020, 6, 30), 100)
    assert all(s.loss_value is None for s in r.stress)
    qqq = risk_report(demo_store, model="growth", benchmark="QQQ")
    assert qqq.benchmark == "QQQ" and qqq.beta != risk_report(demo_store, model="growth").beta


def test_errors_are_clear(demo_store: Store) -> None:
    with pytest.raises(ConfigError, match="give exactly one of an account, a household or a "
                       "model"):
        risk_report(demo_store, account="HH001-TAX", model="growth")
    with pytest.raises(ConfigError, match="give exactly one"):
        risk_report(demo_store)
    with pytest.raises(UnknownReference, match="no household 'NOPE'"):
        risk_report(demo_store, household="NOPE")
    with pytest.raises(UnknownReference, match="no account 'NOPE'"):
        risk_report(demo_store, account="NOPE")
    with pytest.raises(ConfigError, match="no model 'nope' in the book"):
        risk_report(demo_store, model="nope")
    with pytest.raises(UnknownReference, match="benchmark 'ZZZ' is not an instrument"):
        risk_report(demo_store, model="growth", benchmark="ZZZ")
    with pytest.raises(DataError, match="a lookback of 1200 sessions needs 1201"):
        risk_report(demo_store, model="growth", lookback_days=1200)


INSTRUMENTS = """symbol,kind,currency,asset_class
AAA,equity,USD,us_equity
BND,bond,USD,
TLT,etf,USD,us_treasury_bonds
"""


def test_bonds_take_a_duration_and_no_spy_means_no_benchmark(
        store: Store, book_files: dict[str, Path], tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    days = trading_calendar().sessions_between(date(2020, 11, 2), date(2021, 1, 4))
    paths = 100 * np.cumprod(1 + rng.normal(0, 0.01, (len(days), 3)), axis=0)
    lines = [f"{d},{s},{p:.2f}" for d, row in zip(days, paths, strict=True)
             for s, p in zip(("AAA", "BND", "TLT"), row, strict=True)]
    trades = ["T1,H1-TAX,2020-11-02,deposit,,,,100000.00,"] + [
        f"B{i},H1-TAX,2020-11-02,buy,{s},{q},100.00,," for i, (s, q) in
        enumerate((("AAA", 500), ("BND", 300), ("TLT", 100)))]
    files = {**book_files,
             "instruments": write(tmp_path, "i.csv", INSTRUMENTS),
             "prices": write(tmp_path, "p.csv", "date,symbol,close\n" + "\n".join(lines) + "\n"),
             "transactions": write(tmp_path, "t.csv", "id,account_id,date,kind,symbol,quantity,"
                                   "price,amount,fees\n" + "\n".join(trades) + "\n")}
    load_all(store, files)
    r = risk_report(store, account="H1-TAX", lookback_days=20, durations={"TLT": 7.5})
    ids, w = weights_of(r)
    assert ids == ["AAA", "BND", "TLT"] and (r.benchmark, r.beta, r.tracking_error) == (
        None, None, None)
    stress = {s.name: s.loss_fraction for s in r.stress}
    assert stress["rates +100bp"] == pytest.approx(0.01 * (6.0 * w[1] + 7.5 * w[2]), rel=1e-12)
    assert stress["equity -20%"] == pytest.approx(0.2 * w[0], rel=1e-12)
    assert r.notes == ("rates shock: BND taken at the default modified duration 6 (bond-like, "
                       "no duration given)",)
    assert not any(s.covered for s in r.stress[:5])
