"""Building models from specs on the demo book: valid weights, figures that agree with direct
calls, point in time, every method, clear errors, and a built model the rebalancer trades to."""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from ballast import construct
from ballast.analytics import ledoit_wolf, mean_historical_return, returns_from_prices
from ballast.config.construct import BuildSpec, parse_spec
from ballast.config.construct_methods import RiskParity, VolTarget
from ballast.config.models import parse_models
from ballast.data import PriceTable
from ballast.domain import ConfigError, DataError, UnknownReference
from ballast.engine import rebalance
from ballast.engine.construct import BuildReport, build_model
from ballast.engine.demo import DEMO_POLICY, load_demo
from ballast.engine.imports import ImportKind, import_file
from ballast.engine.workspace import open_store
from ballast.sample import sample_instruments_path, sample_models_path, sample_prices_path
from ballast.store import Store

SAMPLE = sample_models_path().parent / "specs" / "min_variance.yaml"
END = date(2021, 3, 31)
STOCKS = ["SPY", "QQQ", "IWM", "MSFT", "JNJ", "PG", "XOM", "JPM"]


def sample(**changes: Any) -> BuildSpec:
    data = yaml.safe_load(SAMPLE.read_text())
    return parse_spec({**data, "name": "built", **changes})


def stocks(method: Any, **changes: Any) -> BuildSpec:
    return parse_spec({"name": "stocks", "lookback_days": 500, "cash": {"target": 0.02},
                       "universe": [{"instrument": s} for s in STOCKS], "method": method,
                       **changes})


def check_weights(r: BuildReport) -> np.ndarray[Any, np.dtype[np.float64]]:
    w = np.array([a.weight for a in r.weights])
    assert np.allclose(w * 10_000, np.round(w * 10_000), atol=1e-9)
    assert (w > 0).all() and w.sum() + r.cash == pytest.approx(1.0, abs=1e-12)
    assert sum(a.component for a in r.weights) == pytest.approx(r.volatility, rel=1e-12)
    [model] = parse_models(r.model_yaml)
    assert model.version == r.version
    return w


def adjusted_returns(store: Store, ids: list[str], start: date, end: date) -> np.ndarray[
        Any, np.dtype[np.float64]]:
    with store.transaction() as tx:
        table = PriceTable(tx.price_bars(ids, end=end))
    prices = np.column_stack([table.adjusted_closes(i, start, end)[1] for i in ids])
    return returns_from_prices(prices)


def test_sample_spec_agrees_with_direct_calls(demo_store: Store) -> None:
    before = rebalance.current_models(demo_store)
    spec = sample()
    r = build_model(demo_store, spec, dry_run=True)
    assert (r.dry_run, r.new_version, r.as_of, r.window_end, r.sessions) == (
        True, False, END, END, 756)
    assert rebalance.current_models(demo_store) == before
    w = check_weights(r)
    assert r.cash == 0.03 and (w >= 0.02 - 1e-12).all() and (w <= 0.25 + 1e-12).all()
    assert [a.instruments for a in r.weights] == [a.held for a in spec.universe]
    returns = adjusted_returns(demo_store, [a.held[0] for a in spec.universe],
                               r.window_start, END)
    cov = ledoit_wolf(returns).covariance
    lower = np.array([0.10] + [0.02] * 8)
    direct = construct.min_variance(cov, construct.Constraints(lower=lower, upper=0.25,
                                                               budget=0.97))
    assert np.abs(direct.weights - w).max() <= 1e-4
    assert r.volatility == pytest.approx(float(np.sqrt(w @ cov @ w)), rel=1e-12)
    assert r.expected_return == pytest.approx(float(mean_historical_return(returns) @ w),
                                              rel=1e-12)


def test_point_in_time(demo_store: Store, tmp_path: Path) -> None:
    day = date(2020, 1, 31)
    cut = tmp_path / "prices.csv"
    with gzip.open(sample_prices_path(), "rt", newline="") as src, cut.open("w") as dst:
        dst.writelines(line for i, line in enumerate(src) if i == 0 or line[:10] <= str(day))
    past = open_store(f"sqlite:///{tmp_path / 'past.db'}")
    import_file(past, ImportKind.INSTRUMENTS, sample_instruments_path(), policy=DEMO_POLICY)
    import_file(past, ImportKind.PRICES, cut, policy=DEMO_POLICY)
    spec = sample(lookback_days=500)
    now, then = (build_model(s, spec, as_of=day, dry_run=True) for s in (demo_store, past))
    past.close()
    assert now == then and now.window_end == day


BL = {"name": "black_litterman", "market": "SPY", "market_weights": {s: 1 for s in STOCKS},
      "views": [{"assets": {"XOM": 1}, "return": 0.12, "confidence": 0.6},
                {"assets": {"MSFT": 1, "JPM": -1}, "return": 0.03, "confidence": 0.3}]}


@pytest.mark.parametrize(("method", "changes"), [
    ({"name": "max_sharpe", "risk_free_rate": 0.01}, {"constraints": {"max_weight": 0.3}}),
    ({"name": "efficient_return", "target": 0.15}, {}),
    ({"name": "efficient_risk", "target": 0.25}, {"constraints": {"max_holdings": 4}}),
    ({"name": "mean_cvar", "confidence": 0.95}, {}),
    ("risk_parity", {}),
    ({"name": "risk_parity", "budgets": {s: 2 if s == "SPY" else 1 for s in STOCKS}}, {}),
    ("hrp", {}),
    (BL, {"constraints": {"max_weight": 0.4}}),
    ({"name": "vol_target", "target": 0.1}, {}),
    ({"name": "vol_target", "target": 0.25, "reserve": "JNJ", "risky": "equal"}, {}),
    ({"name": "direct_index", "benchmark": {s: 1 for s in STOCKS}, "max_names": 4,
      "exclude": ["XOM"], "sector_caps": {"Information Technology": 0.1}}, {}),
    ("min_variance", {"estimators": {"expected_returns": {"name": "capm", "market": "SPY"},
                                     "covariance": {"name": "ewma", "span": 60}}}),
    ("min_variance", {"estimators": {"covariance": {"name": "factor",
                                                    "factors": ["SPY", "IWM", "QQQ"]}}}),
])
def test_every_method_builds(demo_store: Store, method: Any, changes: dict[str, Any]) -> None:
    spec = stocks(method, **changes)
    r = build_model(demo_store, spec, dry_run=True)
    w = check_weights(r)
    held = {a.asset: a.weight for a in r.weights}
    shares = np.array([a.share for a in r.weights])
    name = spec.method.name
    if name == "efficient_return":
        assert r.expected_return >= 0.15 - 1e-3
    elif name == "efficient_risk":
        assert r.volatility <= 0.25 + 1e-3 and len(held) <= 4
    elif name == "mean_cvar":
        assert dict(r.metrics)["cvar"] > 0
    elif isinstance(spec.method, RiskParity) and spec.method.budgets is None:
        assert shares == pytest.approx(1 / 8, abs=1e-3)
    elif isinstance(spec.method, RiskParity):
        assert held.keys() == set(STOCKS) and shares[0] == pytest.approx(2 / 9, abs=1e-3)
    elif name == "black_litterman":
        assert r.method.startswith("Black-Litterman") and "posterior" in r.estimators[-1]
        assert w.max() <= 0.4 + 1e-4
    elif isinstance(spec.method, VolTarget):
        assert r.volatility == pytest.approx(spec.method.target, abs=1e-3)
    elif name == "direct_index":
        assert len(held) <= 4 and "XOM" not in held and held.get("MSFT", 0) <= 0.1
        assert dict(r.metrics)["tracking error"] > 0
    elif name == "max_sharpe":
        assert w.max() <= 0.3 + 1e-4
    assert r.cash == pytest.approx(0.02 if name != "vol_target" else 1 - w.sum(), abs=1e-12)


def test_turnover_against_the_current_model(demo_store: Store) -> None:
    spec = sample(constraints={"max_weight": 0.3, "turnover": {"model": "balanced", "max": 0.3}})
    r = build_model(demo_store, spec, dry_run=True)
    with demo_store.transaction() as tx:
        [balanced] = parse_models(tx.latest_models()["balanced"])
    current = {s.name: s.target for s in balanced.sleeves}
    new = {a.asset: a.weight for a in r.weights}
    assert sum(abs(new.get(k, 0) - current.get(k, 0)) for k in {*current, *new}) <= 0.3 + 1e-3
    assert any("turnover" in c for c in r.constraints)


def test_infeasible_spec_names_the_conflicting_constraints(demo_store: Store) -> None:
    universe = [{**a, "group": "defensive"} if a["sleeve"] in ("health_care", "consumer_staples")
                else a for a in yaml.safe_load(SAMPLE.read_text())["universe"]]
    spec = sample(universe=universe, constraints={
        "group_bounds": {"defensive": [0.9, 0.97]}, "turnover": {"model": "growth", "max": 0.1}})
    with pytest.raises(ConfigError) as info:
        build_model(demo_store, spec, dry_run=True)
    assert str(info.value) == (
        "min variance: infeasible — these constraints conflict: group defensive in [0.9, 0.97]; "
        "turnover Σ|w − current| ≤ 0.1 (feasible without any one of them)")
    with pytest.raises(ConfigError, match=r"weight bounds conflict with the budget: Σ lower "
                       r"bounds = 1.7 > budget 0.97"):
        build_model(demo_store, sample(constraints={"min_weight": 0.2}), dry_run=True)
    with pytest.raises(ConfigError, match="target return 5 is above the maximum achievable"):
        build_model(demo_store, sample(method={"name": "efficient_return", "target": 5}),
                    dry_run=True)


def test_unknown_instruments_and_short_history(demo_store: Store, tmp_path: Path) -> None:
    bad = sample(universe=[{"instrument": "SPY"}, {"sleeve": "x", "instruments": ["QQQ", "NOPE"]}],
                 estimators={"expected_returns": {"name": "capm", "market": "ZZZ"}})
    with pytest.raises(UnknownReference, match=r"built: unknown instruments: NOPE \(universe"
                       r"\[1\]\), ZZZ \(estimators/method\)"):
        build_model(demo_store, bad, dry_run=True)
    with pytest.raises(DataError, match="prices cover 1068 dates up to 2021-03-31; a lookback "
                       "of 2000 sessions needs 2001"):
        build_model(demo_store, sample(lookback_days=2000), dry_run=True)
    dates = sorted({r["date"] for r in _sample_rows()})
    rows = ["date,symbol,close"] + [f"{d},LATE,10" for d in dates if d >= "2021-02-01"]
    rows += [f"{d},GAPPY,10" for d in dates if d != "2021-03-15"]
    (tmp_path / "i.csv").write_text("symbol,kind,currency\nLATE,equity,USD\nGAPPY,equity,USD\n")
    (tmp_path / "p.csv").write_text("\n".join(rows) + "\n")
    import_file(demo_store, ImportKind.INSTRUMENTS, tmp_path / "i.csv")
    import_file(demo_store, ImportKind.PRICES, tmp_path / "p.csv")
    short = sample(lookback_days=60, universe=[{"instrument": i} for i in ("SPY", "LATE", "GAPPY")])
    with pytest.raises(DataError) as info:
        build_model(demo_store, short, dry_run=True)
    assert str(info.value) == (
        "too little price history: LATE: prices start 2021-02-01; the lookback of 60 sessions "
        "to 2021-03-31 needs them from 2021-01-04; GAPPY: no close on 2021-03-15 (1 of the 61 "
        "dates from 2021-01-04 to 2021-03-31 missing)")


def _sample_rows() -> list[dict[str, str]]:
    with gzip.open(sample_prices_path(), "rt", newline="") as f:
        return list(csv.DictReader(f))


def test_a_built_model_drives_the_rebalancer(store_url: str) -> None:
    store = open_store(store_url)
    load_demo(store, households=2)
    before = {a.account_id: a for a in rebalance.rebalance(store, dry_run=True).accounts}
    r = build_model(store, SAMPLE)
    assert (r.model, r.new_version) == ("balanced", True)
    assert ("balanced", r.version, False) in rebalance.current_models(store)
    assert build_model(store, SAMPLE).new_version is False  # same inputs, same version
    result = rebalance.rebalance(store, dry_run=True)
    store.close()
    target = {a.asset: a.weight for a in r.weights}
    sleeve_of = {i: a.asset for a in r.weights for i in a.instruments}
    balanced = [a for a in result.accounts if a.model == "balanced"]
    assert balanced and all(a.model_version == r.version and a.status == "trade"
                            for a in balanced)
    for a in balanced:
        assert a.drift_before > before[a.account_id].drift_before + Decimal("0.3")
        assert a.drift_after < a.drift_before / 4
        net: dict[str, Decimal] = defaultdict(Decimal)
        for t in result.trades:
            if t.account_id == a.account_id:
                net[sleeve_of[t.instrument_id]] += t.est_value * (1 if t.side == "buy" else -1)
        # old targets: health care and staples 10% each, technology 12% → 25%, 25%, 2%
        assert target["health_care"] == target["consumer_staples"] == 0.25
        assert net["health_care"] > 0 and net["consumer_staples"] > 0
        assert net["technology"] < 0
