"""The configuration example of docs/cycle.md is a valid cycle configuration."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

from ballast.config.cycle import Environment, load_cycle_config

DOC = Path(__file__).resolve().parents[2] / "docs" / "cycle.md"


def test_the_documented_configuration_loads(tmp_path: Path) -> None:
    [block] = re.findall(r"<!-- cycle-config -->\s*```yaml\n(.*?)```", DOC.read_text(), re.S)
    path = tmp_path / "cycle.yaml"
    path.write_text(block)
    cfg = load_cycle_config(path)
    assert cfg.environment is Environment.PAPER and cfg.inbox == Path("inbox")
    assert cfg.kill_switch.max_intraday_loss == 0.07
    assert cfg.rebalance.annual_gain_budget == 5000
    assert cfg.schedule.times == (time(16, 30),)
