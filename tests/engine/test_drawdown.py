"""Drawdown targets on the demo book in March 2020: the model ladder is measured on the model,
the firm ladder on each account's holdings, and the cut weight lands where the rule says."""

from __future__ import annotations

from datetime import date

import pytest

from ballast.config.compliance import RuleSet
from ballast.engine.drawdown import drawdown_targets
from ballast.store import Store

LADDER = [{"drawdown": 0.10, "scale": 0.7}, {"drawdown": 0.20, "scale": 0.4}]
SETS = [RuleSet.model_validate({"name": "dd", "drawdown": [
    {"id": "balanced-dd", "model": "balanced", "risky": ["technology", "energy"],
     "defensive": ["consumer_staples"], "ladder": LADDER, "release_above": 0.05},
    {"id": "firm-dd", "risky": ["us_large_cap"], "ladder": LADDER, "release_after_days": 20},
]})]


def test_ladders_on_the_2020_crash(demo_store: Store) -> None:
    out = drawdown_targets(demo_store, SETS, as_of=date(2020, 3, 23))
    assert out
    for d in out:
        assert d.state.day == date(2020, 3, 23)
        assert date(2020, 2, 1) <= d.state.peak_day <= date(2020, 2, 29)
        assert d.state.drawdown < -0.2 and d.state.rung == 2
        assert sum(d.adjusted.targets.values()) + d.adjusted.cash == pytest.approx(1.0)
        assert "at 40% of target" in d.adjusted.rationale
    model = [d for d in out if d.rule_id == "balanced-dd"]
    firm = [d for d in out if d.rule_id == "firm-dd"]
    assert model and firm
    assert {d.measured_on for d in model} == {"model balanced"}
    assert all(d.measured_on == f"account {d.account}" for d in firm)
    assert all(d.adjusted.rationale.endswith("moved to consumer_staples") for d in model)
    assert all(d.adjusted.rationale.endswith("moved to cash") for d in firm)


def test_no_ladder_before_the_crash(demo_store: Store) -> None:
    out = drawdown_targets(demo_store, SETS, as_of=date(2020, 2, 14))
    assert out and all(d.state.rung == 0 and d.adjusted.scale == 1.0 for d in out)
