"""The policy example in docs/rebalancing.md is a valid policy with the values it shows."""

from __future__ import annotations

import re
from pathlib import Path

from ballast.config import Calendar, TradeTo
from ballast.engine.rebalance import load_policy

DOC = Path(__file__).resolve().parents[2] / "docs" / "rebalancing.md"


def test_policy_example_loads(tmp_path: Path) -> None:
    [block] = re.findall(r"<!-- policy -->\s*```yaml\n(.*?)```", DOC.read_text(), re.S)
    path = tmp_path / "policy.yaml"
    path.write_text(block)
    policy = load_policy(path)
    assert policy.trade_to is TradeTo.TARGET
    assert policy.calendar is Calendar.QUARTERLY
    assert policy.cooldown_days == 5
    assert policy.costs.half_spread_bps == 2.0
