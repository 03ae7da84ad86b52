"""Rule-set YAML: strict schema, errors with field paths, versions by content, the shipped
example and the one in docs/compliance.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ballast.config.compliance import load_rule_sets, parse_rule_set
from ballast.domain import ConfigError
from ballast.sample import sample_models_path

DOC = Path(__file__).resolve().parents[2] / "docs" / "compliance.md"
FIRM = sample_models_path().parent / "rules" / "firm.yaml"


def test_the_documented_example_and_the_sample_load() -> None:
    [block] = re.findall(r"```yaml\n(.*?)```", DOC.read_text(), re.S)[:1]
    doc = parse_rule_set(block, "docs")
    kinds = {r.kind for r in doc.rules}
    assert {"max_weight", "min_weight", "min_cash", "max_cash", "restricted", "no_shorts",
            "max_gross_exposure", "max_turnover", "liquidity", "max_var", "max_cvar",
            "max_tracking_error", "suitability", "wash_sale"} == kinds
    assert {r.scope for r in doc.rules} >= {"firm", "model:growth", "account:HH003-TAX"}
    [(firm, _)] = load_rule_sets([FIRM])
    assert firm.name == "firm" and firm.risk_profiles.accounts["HH003-TAX"] == 2


def test_version_is_the_content_not_the_text() -> None:
    a = parse_rule_set("name: f\nrules: [{id: c, kind: min_cash, limit: 0.10}]\n")
    b = parse_rule_set("# note\nname: f\nrules:\n  - {kind: min_cash, limit: 0.1, id: c, "
                       "action: block}\n")
    c = parse_rule_set("name: f\nrules: [{id: c, kind: min_cash, limit: 0.2}]\n")
    assert a.version == b.version != c.version and len(a.version) == 12


@pytest.mark.parametrize(("text", "message"), [
    ("name: f\nrules: [{id: r, kind: max_weight, by: issuer, limit: 2}]",
     "f.yaml: rule r: rules[0].limit: must be between 0 and 1"),
    ("name: f\nrules: [{id: r, kind: min_cash, limit: 0.1, extra: 1}]",
     "f.yaml: rule r: rules[0].extra: unknown field"),
    ("name: f\nrules: [{id: r, kind: max_cash, limit: 0.1, action: auto_fix}]",
     "a max_cash rule cannot auto_fix"),
    ("name: f\nrules: [{id: r, kind: suitability, model: g, account: A}]",
     "give model or account, not both"),
    ("name: f\nrules: [{id: r, kind: no_shorts}, {id: r, kind: no_shorts}]",
     "rule id r is used twice"),
    ("name: f\nrules: [{id: r, kind: liquidity}]", "give max_adv_fraction, min_adv or both"),
    ("name: f\nrules: [{id: r, kind: min_weight, by: sector, limit: 0.1}]",
     "rule r: rules[0].groups: required"),
    ("name: f\nrules: [{id: r, kind: no_shorts, effective_from: 2021-02-01, "
     "effective_until: 2021-01-01}]", "effective_until is before effective_from"),
    ("[1, 2]", "expected a rule set"),
])
def test_errors_name_the_file_rule_and_field(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_rule_set(text, "f.yaml")


def test_two_files_may_not_share_ids_or_disagree_on_a_risk_level(tmp_path: Path) -> None:
    one, two = tmp_path / "a.yaml", tmp_path / "b.yaml"
    one.write_text("name: a\nrisk_profiles: {models: {g: 3}}\nrules: [{id: r, kind: no_shorts}]")
    two.write_text("name: b\nrules: [{id: r, kind: no_shorts}]")
    with pytest.raises(ConfigError, match="rule id r is in rule sets a and b"):
        load_rule_sets([one, two])
    two.write_text("name: b\nrisk_profiles: {models: {g: 4}}")
    with pytest.raises(ConfigError, match="model g is 4 here and 3"):
        load_rule_sets([one, two])
