"""The YAML examples of docs/models.md load, resolve and give the numbers the page states; the
invalid one fails with the message the page shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ballast.config.models import ModelSpec, load_models, parse_models, resolve_all
from ballast.domain import ConfigError

DOC = Path(__file__).resolve().parents[2] / "docs" / "models.md"
BLOCK = re.compile(r"(<!-- invalid -->\n)?```yaml\n(.*?)```", re.S)
ERROR = re.compile(r"<!-- invalid -->\n```yaml\n.*?```\n.*?```text\n(.*?)```", re.S)


def _blocks() -> tuple[list[str], list[str]]:
    found = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    return [text for invalid, text in found if not invalid], [t for i, t in found if i]


def test_the_examples_load_and_resolve() -> None:
    valid, _ = _blocks()
    assert len(valid) == 2
    specs = [spec for text in valid for spec in parse_models(text, str(DOC))]
    library: dict[str, ModelSpec] = {s.name: s for s in specs}
    assert len(library) == len(specs) == 4
    resolved = resolve_all(library)
    for model in resolved.values():
        assert model.cash_target + sum(s.target for s in model.sleeves) == pytest.approx(1.0)

    balanced = resolved["balanced"]  # the bands table
    tolerances = {s.name: balanced.tolerance(s) for s in balanced.sleeves}
    assert tolerances == pytest.approx({"us_large_cap": 0.03, "technology": 0.05,
                                        "financials": 0.05, "staples": 0.045, "JNJ": 0.0125})

    nested = resolved["growth_and_income"]  # the resolution table
    assert {s.name: (s.target, s.instruments) for s in nested.sleeves} == {
        "us_equity": (pytest.approx(0.548), ("QQQ", "SPY", "IWM")),
        "tech": (pytest.approx(0.24), ("NVDA", "MSFT")),
        "utilities": (pytest.approx(0.16), ("NEE", "SPG")),
    }
    assert (nested.cash_target, nested.cash_minimum) == pytest.approx((0.052, 0.022))


def test_the_invalid_example_fails_as_shown(tmp_path: Path) -> None:
    _, [invalid] = _blocks()
    [shown] = ERROR.findall(DOC.read_text(encoding="utf-8"))
    (tmp_path / "bad.yaml").write_text(invalid)
    with pytest.raises(ConfigError) as info:
        load_models(tmp_path / "bad.yaml")
    assert str(info.value).replace(str(tmp_path) + "/", "") == shown.strip()
