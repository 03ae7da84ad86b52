"""The performance use case: returns of the small book by hand (gross and net of fees, Modified
Dietz, money-weighted), an index benchmark, and a statement-ready report of the demo book whose
blended benchmark is recomputed from the shipped prices and whose attribution adds up."""

from __future__ import annotations

import csv
import gzip
import json
from datetime import date
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from ballast.analytics.performance import modified_dietz
from ballast.cli.app import app
from ballast.domain import UnknownReference
from ballast.engine.nav import Scope, ScopeKind
from ballast.engine.performance import PerformanceReport, measure
from ballast.engine.performance_batch import measure_many
from ballast.engine.period import NoPerformanceData, PeriodError, parse_period, period_between
from ballast.engine.queries import snapshot
from ballast.engine.rebalance import import_models
from ballast.sample import sample_models_path, sample_prices_path
from ballast.store import Store

from .nav_book import A_FEES, A_FLOWS, A_VALUE, load_small_book

WEEK = period_between(date(2021, 1, 5), date(2021, 1, 8))


@pytest.fixture
def small_book(store: Store, tmp_path: Path) -> Store:
    return load_small_book(store, tmp_path)


def test_small_book_returns_by_hand(small_book: Store) -> None:
    report = measure(small_book, Scope(ScopeKind.ACCOUNT, "A"), WEEK)
    v, f, fee = A_VALUE, A_FLOWS, A_FEES
    net = np.prod([(v[t] - f[t - 1]) / v[t - 1] for t in range(1, 5)]) - 1
    gross = np.prod([(v[t] - f[t - 1] + fee[t - 1]) / v[t - 1] for t in range(1, 5)]) - 1
    r = report.returns
    assert r.net == pytest.approx(net, abs=1e-14)
    assert r.gross == pytest.approx(gross, abs=1e-14) and r.gross > r.net
    assert r.net_annualized == r.net  # four days are never annualized
    # Modified Dietz over the 4 calendar days: +1000 weighted 2/4, -500 weighted 1/4.
    assert r.modified_dietz == pytest.approx((v[4] - v[0] - 500) / (v[0] + 500 - 125), abs=1e-14)
    # The money-weighted return makes the flows' value nil at its annual rate.
    assert r.money_weighted is not None
    annual = (1 + r.money_weighted) ** (365 / 4) - 1
    npv = -v[0] - 1000 / (1 + annual) ** (2 / 365) + 500 / (1 + annual) ** (3 / 365) + v[4] / (
        1 + annual) ** (4 / 365)
    assert npv == pytest.approx(0.0, abs=1e-6)
    assert (report.start_value, report.end_value) == pytest.approx((v[0], v[4]))
    assert (report.inflows, report.outflows, report.fees) == pytest.approx((1000, -500, 10))
    assert report.gain == pytest.approx(v[4] - v[0] - 500)
    # Model m is not stored: no benchmark, and the report says why.
    assert report.benchmark is None and r.excess is None and report.attribution == ()
    assert any("no model 'm'" in n for n in report.notes)


def test_index_benchmark_and_excess(small_book: Store) -> None:
    report = measure(small_book, Scope(ScopeKind.ACCOUNT, "A"), WEEK, benchmark="AAPL")
    assert report.benchmark == "AAPL"
    assert report.returns.benchmark == pytest.approx(120 / 100 - 1, abs=1e-14)
    assert report.returns.excess == pytest.approx(report.returns.net - 0.2, abs=1e-14)
    assert report.series.benchmark is not None
    assert report.series.benchmark.tolist() == pytest.approx([0.1, 105 / 110 - 1,
                                                              120 / 105 - 1, 0.0])
    late = measure(small_book, Scope(ScopeKind.ACCOUNT, "A"), WEEK, benchmark="VOD")
    # In USD: VOD's GBP return and the pound's move, from its first close on the 5th.
    assert late.returns.benchmark == pytest.approx(11 * 1.20 / (9.5 * 1.25) - 1, abs=1e-14)
    assert "benchmark: no price for VOD on 2021-01-04; its return counts as 0 until its " \
        "first price" in late.notes
    with pytest.raises(UnknownReference, match="no instrument 'SPY' to use as the benchmark"):
        measure(small_book, Scope(ScopeKind.ACCOUNT, "A"), WEEK, benchmark="SPY")


MODEL = """name: m
description: US and UK equities
cash: {target: 0.1, minimum: 0.0}
bands: {absolute: 0.05, relative: 0.25}
sleeves:
  - {name: us, target: 0.6, instruments: [AAPL]}
  - {name: uk, target: 0.3, instruments: [VOD]}
"""


def test_attribution_and_contribution_with_a_foreign_holding(small_book: Store,
                                                             tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(MODEL, encoding="utf-8")
    import_models(small_book, [path])
    report = measure(small_book, Scope(ScopeKind.ACCOUNT, "A"), WEEK)
    assert report.benchmark == "model m (blended)"
    # By hand, in USD: start-of-day values of AAPL, VOD and cash, and each day's returns.
    aapl = np.array([1000, 1100, 1050, 1200])
    vod = np.array([0, 1187.5, 1300, 1200])
    value = np.array(A_VALUE[:4])
    r_aapl = np.array([110 / 100, 105 / 110, 120 / 105, 1]) - 1
    # VOD's first close is on the 5th; then its GBP return and the pound's move.
    r_vod = np.array([0, 10 * 1.3 / (9.5 * 1.25) - 1, 10 * 1.2 / (10 * 1.3) - 1,
                      11 * 1.2 / (10 * 1.2) - 1])
    daily = (aapl * r_aapl + vod * r_vod) / value
    wealth = np.concatenate([[1.0], np.cumprod(1 + daily)[:-1]])
    contribution = {c.instrument: c.contribution for c in report.contributions}
    assert contribution["VOD"] == pytest.approx(float(wealth @ (vod / value * r_vod)), abs=1e-14)
    assert contribution["AAPL"] == pytest.approx(float(wealth @ (aapl / value * r_aapl)),
                                                 abs=1e-14)
    assert contribution["cash"] == 0.0
    by_class = report.attribution[0]
    assert by_class.portfolio_return == pytest.approx(float(np.prod(1 + daily) - 1), abs=1e-14)
    bench = 0.6 * r_aapl + 0.3 * r_vod  # the 10% cash target earns nothing
    assert report.returns.benchmark == pytest.approx(float(np.prod(1 + bench) - 1), abs=1e-14)
    assert [line.group for line in by_class.lines] == ["intl_equity", "us_equity", "cash"]
    assert sum(line.total for line in by_class.lines) == pytest.approx(by_class.excess,
                                                                        abs=1e-14)


def test_empty_periods_say_so(small_book: Store) -> None:
    future = parse_period("2031Q1", today=date(2021, 1, 8))
    with pytest.raises(NoPerformanceData, match="account A has no holdings or prices between "
                       "2031-01-01 and 2031-03-31"):
        measure(small_book, Scope(ScopeKind.ACCOUNT, "A"), future)


def _sample_total_returns() -> dict[str, dict[str, float]]:
    """Daily total returns by symbol and date from the shipped sample file, directly."""
    rows: dict[str, list[tuple[str, float, float, float]]] = {}
    with gzip.open(sample_prices_path(), "rt") as fh:
        for r in csv.DictReader(fh):
            rows.setdefault(r["symbol"], []).append(
                (r["date"], float(r["close"]), float(r["dividend"]), float(r["split_factor"])))
    out: dict[str, dict[str, float]] = {}
    for sym, bars in rows.items():
        bars.sort()
        out[sym] = {d: (c + div) * split / prev[1] - 1
                    for prev, (d, c, div, split) in pairwise(bars)}
    return out


def test_demo_report_is_statement_ready(demo_store: Store) -> None:
    with demo_store.transaction() as tx:
        account = next(a for a in tx.accounts().values() if a.id.endswith("-TAX"))
    q1 = parse_period("2020Q1", today=date(2021, 3, 31))
    report = measure(demo_store, Scope(ScopeKind.ACCOUNT, account.id), q1)
    days = [d.isoformat() for d in report.series.days]
    assert days[0] == "2019-12-31" and days[-1] == "2020-03-31" and len(days) == 63
    assert report.start_value == pytest.approx(
        float(snapshot(demo_store, as_of=date(2019, 12, 31), account=account.id)
              .account_value[0]), abs=1e-6)
    # The blended benchmark, recomputed from the shipped prices and the model's YAML.
    spec = yaml.safe_load((sample_models_path() / f"{account.model}.yaml").read_text())
    weights = {s["instruments"][0]: s["target"] for s in spec["sleeves"]}
    total = sum(weights.values()) + spec["cash"]["target"]
    returns = _sample_total_returns()
    daily = [sum(w / total * returns[sym][d] for sym, w in weights.items()) for d in days[1:]]
    assert report.benchmark == f"model {account.model} (blended)"
    assert report.returns.benchmark == pytest.approx(float(np.prod(1 + np.array(daily)) - 1),
                                                     abs=1e-12)
    assert report.returns.excess == pytest.approx(report.returns.net - report.returns.benchmark)
    stats = report.statistics
    assert stats is not None and stats.periods == 62 and stats.beta is not None
    assert [t.by for t in report.attribution] == ["asset_class", "sector"]
    for table in report.attribution:
        assert sum(line.total for line in table.lines) == pytest.approx(table.excess, abs=1e-12)
        assert table.benchmark_return == pytest.approx(report.returns.benchmark, abs=1e-12)
        assert sum(line.portfolio_weight for line in table.lines) == pytest.approx(1.0)
    holdings = sum(c.contribution for c in report.contributions)
    assert holdings == pytest.approx(report.attribution[0].portfolio_return, abs=1e-12)
    assert report.contributions[0].name  # named, largest first
    # Against an index the returns compare with it; attribution stays against the model.
    indexed = measure(demo_store, Scope(ScopeKind.ACCOUNT, account.id), q1, benchmark="SPY")
    assert indexed.benchmark == "SPY" and indexed.returns.benchmark == pytest.approx(
        float(np.prod([1 + returns["SPY"][d] for d in days[1:]]) - 1), abs=1e-12)
    assert indexed.attribution == report.attribution
    # No trades in the quarter: the holdings-based return is the time-weighted return, but for
    # the ledger's rounding of dividends to the cent.
    assert report.attribution[0].portfolio_return == pytest.approx(report.returns.net, abs=1e-6)


def test_composite_and_firm_on_the_demo(demo_store: Store) -> None:
    period = parse_period("2019", today=date(2021, 3, 31))
    with demo_store.transaction() as tx:
        model = sorted({a.model for a in tx.accounts().values()})[0]
    composite = measure(demo_store, Scope(ScopeKind.MODEL, model), period)
    assert composite.benchmark == f"model {model} (blended)"
    moved = np.flatnonzero(composite.series.flows)
    dietz = modified_dietz(composite.start_value, composite.end_value,
                           composite.series.flows[moved],
                           np.array(composite.series.days[1:])[moved], "2018-12-31",
                           "2019-12-31")
    assert composite.returns.modified_dietz == pytest.approx(dietz, abs=1e-14)
    firm = measure(demo_store, Scope(ScopeKind.FIRM), period)
    assert firm.benchmark is None and firm.attribution == () and firm.contributions
    assert len(firm.accounts) >= len(composite.accounts)


def test_cli_prints_json_and_tables(demo_store: Store) -> None:
    with demo_store.transaction() as tx:
        account = sorted(tx.accounts())[0]
    runner = CliRunner()
    base = ["performance", "--db", demo_store.url]
    out = runner.invoke(app, [*base, "--account", account, "--period", "2020Q1", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["scope"] == f"account {account}" and data["period"] == "2020Q1"
    assert isinstance(data["returns"]["net"], float)
    table = runner.invoke(app, [*base, "--firm", "--period", "2020-03", "--benchmark", "SPY"])
    assert table.exit_code == 0, table.output
    assert "time-weighted, net of fees" in table.stdout and "benchmark: SPY" in table.stdout
    bad = runner.invoke(app, [*base, "--account", account, "--period", "2020Q5"])
    assert isinstance(bad.exception, PeriodError)
    assert "cannot read '2020Q5'" in str(bad.exception)
    both = runner.invoke(app, [*base, "--account", account, "--firm", "--period", "2020"])
    assert "exactly one of --account, --household, --model or --firm" in str(both.exception)


def test_many_scopes_from_one_replay_match_one_by_one(demo_store: Store) -> None:
    with demo_store.transaction() as tx:
        accounts = sorted(tx.accounts())[:3]
    scopes = [Scope(ScopeKind.ACCOUNT, a) for a in accounts] + [Scope(ScopeKind.FIRM)]
    q1 = parse_period("2020Q1", today=date(2021, 3, 31))
    many = measure_many(demo_store, scopes, q1)
    assert [scope for scope, _ in many] == scopes
    for scope, report in many:
        assert isinstance(report, PerformanceReport)
        alone = measure(demo_store, scope, q1)
        assert report.returns == alone.returns and report.notes == alone.notes
        assert report.series.value.tolist() == alone.series.value.tolist()
    before = measure_many(demo_store, scopes[:1], parse_period("2016", today=date(2021, 3, 31)))
    assert isinstance(before[0][1], NoPerformanceData)
    assert f"account {accounts[0]} has no holdings or prices between 2016-01-01" in str(
        before[0][1])
