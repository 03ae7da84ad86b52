"""Construction specs: the schema, its shorthands and defaults, and errors that name the path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ballast.config.construct import BuildSpec, load_spec, parse_spec
from ballast.config.construct_methods import (
    BlackLitterman,
    Capm,
    EwmaCov,
    Historical,
    LedoitWolfCov,
    VolTarget,
)
from ballast.domain import ConfigError
from ballast.sample import sample_models_path

BASE: dict[str, Any] = {
    "name": "core",
    "universe": [{"sleeve": "us", "instruments": ["SPY", "QQQ"], "group": "equity"},
                 {"instrument": "JNJ", "max": 0.3, "group": "defensive"}],
    "method": "min_variance",
}


def spec(**changes: Any) -> dict[str, Any]:
    return {**BASE, **changes}


def error(data: Any) -> str:
    with pytest.raises(ConfigError) as info:
        parse_spec(data, "s.yaml")
    return str(info.value)


def test_defaults_and_shorthands() -> None:
    s = parse_spec(spec(estimators={"expected_returns": {"name": "capm", "market": "SPY"},
                                    "covariance": "ewma"}))
    assert s.lookback_days == 756 and s.as_of is None
    assert s.estimators.expected_returns == Capm(name="capm", market="SPY")
    assert s.estimators.covariance == EwmaCov(name="ewma", span=180)
    assert s.method.name == "min_variance"
    assert [a.name for a in s.universe] == ["us", "JNJ"]
    assert [a.held for a in s.universe] == [("SPY", "QQQ"), ("JNJ",)]
    plain = parse_spec(BASE)
    assert plain.estimators.expected_returns == Historical(name="historical")
    assert plain.estimators.covariance == LedoitWolfCov(name="ledoit_wolf")
    assert (plain.cash.target, plain.bands.absolute, plain.bands.relative) == (0.0, 0.05, 0.25)


def test_every_method_parses() -> None:
    bl = {"name": "black_litterman", "market_weights": {"us": 0.9, "JNJ": 0.1}, "market": "SPY",
          "views": [{"assets": {"JNJ": 1}, "return": 0.05, "confidence": 0.5}]}
    methods = [
        "min_variance", {"name": "max_sharpe", "risk_free_rate": 0.02},
        {"name": "efficient_return", "target": 0.1}, {"name": "efficient_risk", "target": 0.15},
        {"name": "mean_cvar", "confidence": 0.9}, "risk_parity",
        {"name": "risk_parity", "budgets": {"us": 2, "JNJ": 1}}, "hrp", bl,
        {"name": "vol_target", "target": 0.1, "reserve": "JNJ"},
        {"name": "direct_index", "benchmark": {"us": 1}, "max_names": 1, "exclude": ["JNJ"]},
    ]
    plain = [{"sleeve": "us", "instruments": ["SPY", "QQQ"]}, {"instrument": "JNJ"}]
    for method in methods:
        parsed = parse_spec(spec(method=method, universe=plain))
        assert parsed.method.name == (method if isinstance(method, str) else method["name"])
    parsed_bl = parse_spec(spec(method=bl)).method
    assert isinstance(parsed_bl, BlackLitterman) and parsed_bl.views[0].expected == 0.05
    vt = parse_spec(spec(method=methods[9], universe=plain)).method
    assert isinstance(vt, VolTarget) and (vt.leverage_cap, vt.risky) == (1.0, "risk_parity")


@pytest.mark.parametrize(("changes", "expected"), [
    ({"method": {"name": "efficient_risk"}}, "s.yaml: core: method.target: required"),
    ({"method": "simplex"}, "s.yaml: core: method: unknown name 'simplex'; use one of "),
    ({"method": {"target": 0.1}}, "s.yaml: core: method: give its name"),
    ({"estimators": {"covariance": {"name": "ewma", "span": 0}}},
     "s.yaml: core: estimators.covariance.span: Input should be greater than or equal to 1"),
    ({"estimators": {"covariance": {"name": "sample", "span": 3}}},
     "s.yaml: core: estimators.covariance.span: unknown field"),
    ({"lookback": 100}, "s.yaml: core: lookback: unknown field"),
    ({"universe": [{"sleeve": "us"}, {"instrument": "JNJ"}]},
     "s.yaml: core: universe[0]: a sleeve needs instruments"),
    ({"universe": [{"instrument": "SPY", "instruments": ["QQQ"]}, {"instrument": "JNJ"}]},
     "s.yaml: core: universe[0]: instruments belong to a sleeve"),
    ({"universe": [{"instrument": "SPY", "min": 0.5, "max": 0.2}, {"instrument": "JNJ"}]},
     "s.yaml: core: universe[0]: min 0.5 exceeds max 0.2"),
    ({"universe": [{"instrument": "SPY"}]}, "s.yaml: core: universe: list at least two assets"),
    ({"universe": [{"instrument": "SPY"}, {"sleeve": "x", "instruments": ["QQQ", "SPY"]}]},
     "s.yaml: core: universe[1].instruments: SPY is already in the universe"),
    ({"cash": {"target": 0.00125}},
     "s.yaml: core: cash.target: must be a multiple of 0.0001 (the weights' step)"),
    ({"cash": {"target": 0.01, "minimum": 0.02}}, "s.yaml: core: cash: minimum 0.02 exceeds"),
    ({"constraints": {"group_bounds": {"bonds": [0.1, 0.2]}}},
     "s.yaml: core: constraints.group_bounds.bonds: no asset of the universe has this group"),
    ({"constraints": {"max_holdings": 0}},
     "s.yaml: core: constraints.max_holdings: Input should be greater than or equal to 1"),
    ({"method": "hrp"}, "s.yaml: core: constraints: hrp takes no constraints or asset bounds"),
    ({"method": {"name": "risk_parity", "budgets": {"us": 1}}},
     "s.yaml: core: method.budgets: no budget for JNJ"),
    ({"method": {"name": "black_litterman", "market_weights": {"us": 1, "EU": 1},
                 "views": [{"assets": {"JNJ": 1}, "return": 0.05}]}},
     "s.yaml: core: method: give risk_aversion, or the market instrument to infer it from\n"
     "s.yaml: core: method.market_weights.EU: EU is not an asset of the universe"),
    ({"method": {"name": "direct_index", "benchmark": {"us": 1}, "max_names": 1,
                 "sector_caps": {"Energy": 0.1}},
      "constraints": {"group_bounds": {"equity": [0, 1]}}},
     "s.yaml: core: method.sector_caps: give sector caps or constraints.group_bounds"),
    ({"method": {"name": "direct_index", "benchmark": {"us": 1}, "max_names": 1},
      "constraints": {"max_holdings": 2}},
     "s.yaml: core: constraints.max_holdings: a direct index takes max_names"),
    ({"estimators": {"covariance": "factor"}},
     "s.yaml: core: estimators.covariance.factors: name factor instruments, or give a factor "
     "file in the factors section"),
    ({"factors": {"file": "ff.csv", "columns": ["HML"], "limits": {"SMB": [0.9, 0.1]},
                  "tilts": {"SMB": {"target": 0.2}}}},
     "s.yaml: core: factors.limits.SMB: lower above upper\n"
     "s.yaml: core: factors.tilts.SMB: the factor also has limits\n"
     "s.yaml: core: factors.limits.SMB: not one of factors.columns"),
    ({"method": "risk_parity", "universe": [{"instrument": "SPY"}, {"instrument": "JNJ"}],
      "factors": {"file": "ff.csv", "tilts": {"HML": {"target": 0.2, "tolerance": 0.05}}}},
     "s.yaml: core: factors: risk_parity takes no factor limits or tilts"),
    ({"factors": {"file": "ff.csv", "tilts": {"HML": {"target": 0.2, "tolerance": -1}}}},
     "s.yaml: core: factors.tilts.HML.tolerance: Input should be greater than or equal to 0"),
])
def test_errors_name_the_path(changes: dict[str, Any], expected: str) -> None:
    assert expected in error(spec(**changes))


def test_every_problem_is_listed_with_the_first_path_as_field() -> None:
    with pytest.raises(ConfigError) as info:
        parse_spec(spec(method={"name": "efficient_risk", "target": -1}, lookback_days=5), "s")
    assert str(info.value).splitlines() == [
        "s: core: lookback_days: Input should be greater than or equal to 20",
        "s: core: method.target: Input should be greater than 0",
    ]
    assert info.value.field == "lookback_days"


def test_files(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("# a comment\n" + yaml.safe_dump(BASE))
    assert load_spec(good) == parse_spec(BASE)
    (tmp_path / "bad.yaml").write_text("name: [unclosed")
    with pytest.raises(ConfigError, match=r"bad.yaml: not valid YAML"):
        load_spec(tmp_path / "bad.yaml")
    (tmp_path / "list.yaml").write_text("- 1\n")
    with pytest.raises(ConfigError, match=r"list.yaml: expected a construction spec"):
        load_spec(tmp_path / "list.yaml")
    with pytest.raises(ConfigError, match=r"missing.yaml: cannot read"):
        load_spec(tmp_path / "missing.yaml")


def test_a_factor_file_is_found_next_to_the_spec(tmp_path: Path) -> None:
    factors = {"file": "ff.csv", "limits": {"Mkt-RF": [0.8, 1.1]},
               "tilts": {"HML": {"target": 0.2, "tolerance": 0.05}}}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec(factors=factors)))
    loaded = load_spec(tmp_path / "s.yaml")
    assert loaded.factors is not None and loaded.factors.path == tmp_path / "ff.csv"
    assert (loaded.factors.bounds("Mkt-RF"), loaded.factors.bounds("HML")) == (
        (0.8, 1.1), pytest.approx((0.15, 0.25)))
    assert loaded.factors.bounds("SMB") == (-float("inf"), float("inf"))
    here = parse_spec(spec(factors=factors))
    assert here.factors is not None and here.factors.path == Path("ff.csv")
    assert here.version == loaded.version  # where the spec lives is not its content
    absolute = parse_spec(spec(factors={"file": "/data/ff.csv"}), folder=tmp_path)
    assert absolute.factors is not None and absolute.factors.path == Path("/data/ff.csv")


def test_version_is_a_content_hash() -> None:
    a = parse_spec(BASE)
    assert parse_spec(yaml.safe_load(yaml.safe_dump(BASE))).version == a.version
    assert parse_spec(spec(method={"name": "min_variance"})).version == a.version
    assert parse_spec(spec(lookback_days=500)).version != a.version


def test_the_shipped_sample_spec_loads() -> None:
    paths = sorted((sample_models_path().parent / "specs").glob("*.yaml"))
    loaded = [load_spec(p) for p in paths]
    assert all(isinstance(s, BuildSpec) for s in loaded)
    assert [s.name for s in loaded] == ["value_tilt", "balanced"]
    assert loaded[0].factors is not None and loaded[0].factors.path.is_file()
