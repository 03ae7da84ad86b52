"""Every YAML example of docs/model_building.md loads; the complete example, each method and each
estimators block build on the demo book; the factor example is the shipped factor spec and
builds; the invalid example fails with the message shown."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from ballast.config.construct import load_spec, parse_spec
from ballast.domain import ConfigError
from ballast.engine.construct import build_model
from ballast.sample import sample_models_path
from ballast.store import Store

DOC = Path(__file__).resolve().parents[2] / "docs" / "model_building.md"
BLOCK = re.compile(r"(<!-- invalid -->\n)?```yaml\n(.*?)```", re.S)
SHOWN = re.compile(r"<!-- invalid -->\n```yaml\n.*?```\n+```text\n(.*?)```", re.S)
SPECS = sample_models_path().parent / "specs"


def blocks() -> tuple[list[Any], list[str]]:
    found = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    return [yaml.safe_load(text) for bad, text in found if not bad], [t for b, t in found if b]


def unconstrained(example: dict[str, Any]) -> dict[str, Any]:
    """The example without constraints or asset bounds (some methods take none)."""
    universe = [{k: v for k, v in a.items() if k not in ("min", "max")}
                for a in example["universe"]]
    return {k: v for k, v in example.items() if k != "constraints"} | {"universe": universe}


def test_the_complete_example_builds(demo_store: Store) -> None:
    [example, _, _, _], _ = blocks()
    report = build_model(demo_store, parse_spec(example, str(DOC)), dry_run=True)
    assert report.model == "core_growth" and len(report.weights) <= 6
    assert any("turnover" in c for c in report.constraints)


def test_every_method_example_builds(demo_store: Store) -> None:
    [example, methods, _, _], _ = blocks()
    assert len(methods) == 12
    base = unconstrained(example)
    for method in methods:
        spec = parse_spec(base | {"method": method}, str(DOC))
        assert build_model(demo_store, spec, dry_run=True).weights


def test_every_estimators_example_builds(demo_store: Store) -> None:
    [example, _, estimators, _], _ = blocks()
    assert len(estimators) == 4
    for block in estimators:
        spec = parse_spec(example | {"estimators": block}, str(DOC))
        assert build_model(demo_store, spec, dry_run=True).estimators


def test_the_factor_example_is_the_shipped_spec_and_builds(demo_store: Store) -> None:
    [*_, factor_example], _ = blocks()
    assert factor_example == yaml.safe_load((SPECS / "factor_tilt.yaml").read_text())
    report = build_model(demo_store, load_spec(SPECS / "factor_tilt.yaml"), dry_run=True)
    assert [e.factor for e in report.factor_exposures] == ["Mkt-RF", "SMB", "HML"]


def test_the_invalid_example_fails_as_shown(tmp_path: Path) -> None:
    _, [invalid] = blocks()
    [shown] = SHOWN.findall(DOC.read_text(encoding="utf-8"))
    (tmp_path / "bad.yaml").write_text(invalid)
    with pytest.raises(ConfigError) as info:
        load_spec(tmp_path / "bad.yaml")
    assert str(info.value).replace(str(tmp_path) + "/", "") == shown.strip()
