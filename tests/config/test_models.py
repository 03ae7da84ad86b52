"""Model schema: validation messages with their paths, resolution of nested models, versions,
tolerance bands, loading files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ballast.config.models import (
    ModelSpec,
    ResolvedModel,
    ResolvedSleeve,
    TaxEfficiency,
    check_instruments,
    dump_model,
    load_models,
    parse_model,
    parse_models,
    resolve,
)
from ballast.domain import ConfigError

BALANCED = """
name: balanced
description: 60/40 core model
cash: {target: 0.02, minimum: 0.005}
bands: {absolute: 0.05, relative: 0.25}
sleeves:
  - name: us_large_cap
    target: 0.30
    instruments: [SPY, QQQ]
    bands: {absolute: 0.03}
    tax_efficiency: low
  - name: tech
    target: 0.63
    instruments: [MSFT, AAPL]
targets:
  - {instrument: JNJ, target: 0.05}
"""


def _model(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "m", "cash": {"target": 0.1, "minimum": 0.05},
        "sleeves": [{"name": "a", "target": 0.6, "instruments": ["SPY", "QQQ"]},
                    {"name": "b", "target": 0.3, "instruments": ["KO"]}],
    }
    return base | changes


def _error(data: Any) -> str:
    with pytest.raises(ConfigError) as info:
        parse_model(data)
    return str(info.value)


def test_a_valid_model_parses() -> None:
    [spec] = parse_models(BALANCED)
    assert spec.name == "balanced"
    assert spec.sleeves[0].tax_efficiency is TaxEfficiency.LOW
    assert spec.sleeves[1].tax_efficiency is TaxEfficiency.HIGH
    assert [s.name for s in spec.all_sleeves()] == ["us_large_cap", "tech", "JNJ"]


@pytest.mark.parametrize(("changes", "message"), [
    ({"sleeves": [{"name": "a", "target": 1.2, "instruments": ["SPY"]}]},
     "m: sleeves[0].target: must be between 0 and 1"),
    ({"cash": {"target": -0.1}}, "m: cash.target: must be between 0 and 1"),
    ({"cash": {"target": 0.01, "minimum": 0.02}}, "m: cash: minimum 0.02 exceeds target 0.01"),
    ({"bands": {"absolute": 0.05, "relative": 1.5}},
     "m: bands.relative: must be between 0 and 1"),
    ({"bands": {}}, "m: bands: give absolute, relative or both"),
    ({"colour": "red"}, "m: colour: unknown field"),
    ({"sleeves": [{"name": "a", "target": 0.9}]}, "m: sleeves[0].instruments: required"),
    ({"sleeves": [{"name": "a", "target": 0.9, "instruments": []}]},
     "m: sleeves[0].instruments: must list at least one instrument"),
    ({"sleeves": [{"name": "a", "target": 0.9, "instruments": ["KO", "KO"]}]},
     "m: sleeves[0].instruments: KO is listed twice"),
    ({"sleeves": [{"name": "a", "target": 0.9, "instruments": ["K O"]}]},
     "m: sleeves[0].instruments[0]: must be an instrument id without spaces"),
    ({"sleeves": [{"name": "a b", "target": 0.9, "instruments": ["KO"]}]},
     "m: sleeves[0].name: must be 1 to 64 letters"),
    ({"sleeves": [{"name": "a", "target": 0.9, "instruments": ["KO"],
                   "tax_efficiency": "medium"}]},
     "m: sleeves[0].tax_efficiency: Input should be 'high' or 'low'"),
])
def test_field_errors_name_the_model_and_path(changes: dict[str, Any], message: str) -> None:
    assert message in _error(_model(**changes))


def test_a_model_without_a_name_is_labelled_unnamed() -> None:
    data = _model()
    del data["name"]
    assert _error(data) == "<unnamed model>: name: required"


def test_targets_and_cash_must_sum_to_one_and_the_sum_is_said() -> None:
    message = _error(_model(cash={"target": 0.05}))
    assert message == ("m: sleeves: targets sum to 0.95 (sleeves and targets 0.9 + cash 0.05), "
                       "not 1")
    # within 1e-9 is accepted
    parse_model(_model(cash={"target": 0.1 + 1e-10}))


def test_an_instrument_in_two_sleeves_is_refused() -> None:
    sleeves = [{"name": "a", "target": 0.6, "instruments": ["SPY", "QQQ"]},
               {"name": "b", "target": 0.2, "instruments": ["KO", "QQQ"]}]
    message = _error(_model(sleeves=sleeves, targets=[{"instrument": "SPY", "target": 0.1}]))
    assert "m: sleeves[1].instruments: QQQ is already in sleeve a" in message
    assert "m: targets[0].instruments: SPY is already in sleeve a" in message


def test_duplicate_sleeve_names_are_refused() -> None:
    sleeves = [{"name": "a", "target": 0.6, "instruments": ["SPY"]},
               {"name": "a", "target": 0.2, "instruments": ["KO"]},
               {"name": "JNJ", "target": 0.05, "instruments": ["PG"]}]
    targets = [{"instrument": "JNJ", "target": 0.05}]
    message = _error(_model(sleeves=sleeves, targets=targets))
    assert "m: sleeves[1].name: a is already the name of sleeves[0]" in message
    assert "m: targets[0].instrument: JNJ is already the name of sleeves[2]" in message


def test_a_model_needs_targets() -> None:
    assert _error({"name": "m"}) == "m: sleeves: a model needs sleeves, targets or models"


@pytest.mark.parametrize(("models", "message"), [
    ([{"model": "a", "weight": 0.5}, {"model": "b", "weight": 0.4}],
     "p: models: weights sum to 0.9, not 1"),
    ([{"model": "a", "weight": 1.0}, {"model": "b", "weight": 0.0}],
     "p: models[1].weight: must be positive"),
    ([{"model": "a", "weight": 0.5}, {"model": "a", "weight": 0.5}],
     "p: models[1].model: a is listed twice"),
    ([{"model": "a", "weight": -0.5}], "p: models[0].weight: must be between 0 and 1"),
])
def test_nested_weights(models: list[dict[str, Any]], message: str) -> None:
    assert message in _error({"name": "p", "models": models})


def test_a_model_of_models_takes_cash_and_bands_from_its_members() -> None:
    message = _error({"name": "p", "cash": {"target": 0.1}, "bands": {"absolute": 0.1},
                      "models": [{"model": "a", "weight": 1}],
                      "targets": [{"instrument": "KO", "target": 1}]})
    assert "p: cash: a model of models takes it from its nested models" in message
    assert "p: bands: a model of models takes it from its nested models" in message
    assert "p: models: give sleeves and targets, or models, not both" in message


GROWTH = """
name: growth
cash: {target: 0.02, minimum: 0.01}
sleeves:
  - {name: us_large_cap, target: 0.58, instruments: [QQQ, SPY]}
  - {name: tech, target: 0.40, instruments: [MSFT, AAPL], bands: {relative: 0.1}}
"""
INCOME = """
- name: income
  cash: {target: 0.10, minimum: 0.04}
  bands: {absolute: 0.04}
  sleeves:
    - {name: us_large_cap, target: 0.50, instruments: [SPY, IWM]}
    - {name: staples, target: 0.30, instruments: [PG, KO], tax_efficiency: low}
  targets:
    - {instrument: JNJ, target: 0.10}
- name: blend
  models:
    - {model: growth, weight: 0.6}
    - {model: income, weight: 0.4}
- name: top
  models:
    - {model: blend, weight: 0.5}
    - {model: growth, weight: 0.5}
"""


@pytest.fixture
def library() -> dict[str, ModelSpec]:
    return {m.name: m for m in parse_models(GROWTH) + parse_models(INCOME)}


def test_resolution_scales_merges_and_unions(library: dict[str, ModelSpec]) -> None:
    blend = resolve("blend", library)
    targets = {s.name: s.target for s in blend.sleeves}
    assert targets == pytest.approx({
        "us_large_cap": 0.6 * 0.58 + 0.4 * 0.50,  # 0.548
        "tech": 0.6 * 0.40,  # 0.24
        "staples": 0.4 * 0.30,  # 0.12
        "JNJ": 0.4 * 0.10,  # 0.04
    })
    assert blend.cash_target == pytest.approx(0.6 * 0.02 + 0.4 * 0.10)  # 0.052
    assert blend.cash_minimum == pytest.approx(0.6 * 0.01 + 0.4 * 0.04)  # 0.022
    large, tech, staples, jnj = blend.sleeves
    assert large.instruments == ("QQQ", "SPY", "IWM")
    # merged bands keep the tighter of each bound: growth 5/25, income absolute 4%
    assert (large.band_absolute, large.band_relative) == (0.04, 0.25)
    assert (tech.band_absolute, tech.band_relative) == (None, 0.1)
    assert staples.tax_efficiency is TaxEfficiency.LOW
    assert jnj.instruments == ("JNJ",)
    assert blend.tolerance("tech") == pytest.approx(0.024)


def test_resolution_nests_more_than_one_level(library: dict[str, ModelSpec]) -> None:
    top = resolve("top", library)
    targets = {s.name: s.target for s in top.sleeves}
    assert targets["us_large_cap"] == pytest.approx(0.5 * 0.548 + 0.5 * 0.58)
    assert targets["JNJ"] == pytest.approx(0.5 * 0.04)
    assert top.cash_target == pytest.approx(0.5 * 0.052 + 0.5 * 0.02)
    assert sum(targets.values()) + top.cash_target == pytest.approx(1.0)


def test_unknown_and_cyclic_models_are_errors(library: dict[str, ModelSpec]) -> None:
    lib = dict(library)
    lib["x"] = parse_model({"name": "x", "models": [{"model": "nope", "weight": 1}]})
    with pytest.raises(ConfigError, match=r"^x: models\[0\]\.model: unknown model nope \(known"):
        resolve("x", lib)
    lib["a"] = parse_model({"name": "a", "models": [{"model": "b", "weight": 1}]})
    lib["b"] = parse_model({"name": "b", "models": [{"model": "growth", "weight": 0.5},
                                                    {"model": "a", "weight": 0.5}]})
    with pytest.raises(ConfigError, match=r"^b: models\[1\]\.model: .*cycle: a → b → a$"):
        resolve("a", lib)
    with pytest.raises(ConfigError, match="unknown model zzz"):
        resolve("zzz", lib)


def test_an_instrument_in_two_sleeves_across_nested_models_is_an_error(
        library: dict[str, ModelSpec]) -> None:
    lib = dict(library)
    lib["other"] = parse_model({"name": "other", "targets": [{"instrument": "MSFT",
                                                              "target": 1}]})
    lib["p"] = parse_model({"name": "p", "models": [{"model": "growth", "weight": 0.5},
                                                    {"model": "other", "weight": 0.5}]})
    with pytest.raises(ConfigError, match=r"^p: MSFT is in sleeves tech and MSFT$"):
        resolve("p", lib)


def test_resolution_checks_the_sum_again() -> None:
    spec = ModelSpec.model_construct(name="bad", sleeves=(), targets=(), models=(),
                                     cash=parse_model(_model()).cash)
    with pytest.raises(ConfigError, match=r"^bad: resolved targets and cash sum to 0\.1, not 1$"):
        resolve("bad", {"bad": spec})


def test_tolerance_is_the_tighter_bound() -> None:
    def sleeve(target: float, absolute: float | None, relative: float | None) -> ResolvedSleeve:
        return ResolvedSleeve("s", target, absolute, relative, ("SPY",), TaxEfficiency.HIGH)

    model = ResolvedModel("m", "v", 0.0, 0.0, ())
    assert model.tolerance(sleeve(0.40, 0.05, 0.25)) == pytest.approx(0.05)  # 0.10 vs 0.05
    assert model.tolerance(sleeve(0.10, 0.05, 0.25)) == pytest.approx(0.025)  # 0.025 vs 0.05
    assert model.tolerance(sleeve(0.10, None, 0.25)) == pytest.approx(0.025)
    assert model.tolerance(sleeve(0.10, 0.03, None)) == pytest.approx(0.03)
    with pytest.raises(KeyError):
        model.tolerance("missing")


def test_sleeve_bands_override_the_model_bands() -> None:
    [spec] = parse_models(BALANCED)
    model = resolve("balanced", {"balanced": spec})
    large, tech, jnj = model.sleeves
    assert (large.band_absolute, large.band_relative) == (0.03, None)
    assert model.tolerance(large) == pytest.approx(0.03)
    assert model.tolerance(tech) == pytest.approx(0.05)  # min(0.05, 0.25 × 0.63)
    assert model.tolerance(jnj) == pytest.approx(0.0125)  # min(0.05, 0.25 × 0.05)


def test_version_ignores_formatting_and_follows_content() -> None:
    [spec] = parse_models(BALANCED)
    assert len(spec.version) == 12 and int(spec.version, 16) >= 0
    reformatted = "# a comment\n" + BALANCED.replace("0.30", "0.3").replace(
        "{target: 0.02, minimum: 0.005}", "\n  minimum: 0.005\n  target: 0.02\n")
    [same] = parse_models(reformatted)
    assert same.version == spec.version
    [changed] = parse_models(BALANCED.replace("0.30", "0.29").replace("0.63", "0.64"))
    assert changed.version != spec.version
    # writing a default out does not change the version either
    [explicit] = parse_models(BALANCED.replace(
        "[MSFT, AAPL]", "[MSFT, AAPL]\n    tax_efficiency: high\n    bands: null"))
    assert explicit.version == spec.version
    assert resolve("balanced", {"balanced": spec}).version == spec.version


def test_a_nested_version_follows_its_members(library: dict[str, ModelSpec]) -> None:
    before = resolve("blend", library).version
    assert before != library["blend"].version
    lib = dict(library)
    [lib["growth"]] = parse_models(GROWTH.replace("0.58", "0.57").replace("0.02", "0.03"))
    assert resolve("blend", lib).version != before


def test_dump_parses_back_to_the_same_spec(library: dict[str, ModelSpec]) -> None:
    for spec in library.values():
        assert parse_models(dump_model(spec)) == [spec]


def test_check_instruments_lists_the_unknown(library: dict[str, ModelSpec]) -> None:
    model = resolve("growth", library)
    check_instruments(model, {"QQQ", "SPY", "MSFT", "AAPL"})
    with pytest.raises(ConfigError, match=r"^growth: unknown instruments: QQQ \(sleeve "
                       r"us_large_cap\), AAPL \(sleeve tech\)$"):
        check_instruments(model, {"SPY", "MSFT"})


def test_load_models_reads_files_and_directories(tmp_path: Path) -> None:
    (tmp_path / "growth.yaml").write_text(GROWTH)
    (tmp_path / "more.yml").write_text(INCOME)
    assert sorted(load_models(tmp_path)) == ["blend", "growth", "income", "top"]
    assert list(load_models([tmp_path / "growth.yaml"])) == ["growth"]
    (tmp_path / "again.yaml").write_text(GROWTH)
    with pytest.raises(ConfigError, match=r"growth\.yaml: model growth is already defined in "
                       r".*again\.yaml"):
        load_models(tmp_path)


@pytest.mark.parametrize(("text", "message"), [
    ("name: m\nsleeves: [\n", "bad.yaml: not valid YAML"),
    ("", "bad.yaml: expected a model (a mapping) or a list of models"),
    ("- 1\n- 2\n", "bad.yaml: expected a model"),
    ("name: m\ntargets: [{instrument: KO, target: 2}]\n",
     "bad.yaml: m: targets[0].target: must be between 0 and 1"),
])
def test_file_errors_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_models(path)
    assert message in str(info.value)
    with pytest.raises(ConfigError, match="cannot read"):
        load_models(tmp_path / "missing.yaml")
