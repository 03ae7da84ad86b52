"""The drawdown ladder on SPY's 2020 crash (../shared/data), against dates computed here with
a plain loop, and the targets and rationale it produces."""

from __future__ import annotations

from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from ballast.compliance.drawdown import DrawdownDay, adjust, drawdowns, ladder
from ballast.config.compliance import DrawdownRule, RuleSet

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "lean_equity_fx"
SPY, FACTORS = DATA / "equity_usa_daily" / "spy.csv", DATA / "factor_files" / "spy.csv"
START, END = date(2019, 10, 1), date(2020, 12, 31)


def rule(**changes: Any) -> DrawdownRule:
    return DrawdownRule.model_validate({
        "id": "dd", "risky": ["equity"], "defensive": ["bonds"], "release_above": 0.05,
        "ladder": [{"drawdown": 0.10, "scale": 0.7}, {"drawdown": 0.20, "scale": 0.4}],
        **changes})


@pytest.fixture(scope="module")
def spy() -> tuple[list[date], np.ndarray[Any, Any]]:
    if not SPY.exists() or not FACTORS.exists():
        pytest.skip(f"SPY daily bars not found under {DATA} (shared market data absent)")
    splits = {float(line.split(",")[2]) for line in FACTORS.read_text().splitlines()
              if START <= datetime.strptime(line[:8], "%Y%m%d").date() <= END}
    assert splits <= {1.0}  # no split in the window: raw closes are comparable
    days, closes = [], []
    for line in SPY.read_text().splitlines():  # yyyymmdd 00:00,o,h,l,c,v in deci-cents
        day = datetime.strptime(line[:8], "%Y%m%d").date()
        if START <= day <= END:
            days.append(day)
            closes.append(int(line.split(",")[4]) / 10_000)
    return days, np.array(closes)


def expected_changes(days: list[date], closes: np.ndarray[Any, Any]) -> list[tuple[date, int]]:
    """The rung changes of the −10%/−20% ladder released above −5%, one rung a day."""
    peak, rung, out = 0.0, 0, []
    for day, close in zip(days, closes.tolist(), strict=True):
        peak = max(peak, close)
        dd = close / peak - 1
        reached = 2 if dd <= -0.2 else 1 if dd <= -0.1 else 0
        new = reached if reached > rung else rung - 1 if rung > reached and dd > -0.05 else rung
        if new != rung:
            out.append((day, new))
        rung = new
    return out


def test_the_ladder_engages_and_releases_on_the_2020_crash(spy: Any) -> None:
    days, closes = spy
    path = ladder(days, closes, rule())
    changes = [(s.day, s.rung) for prev, s in pairwise(path)
               if s.rung != prev.rung]
    assert changes == expected_changes(days, closes)
    assert changes == [(date(2020, 2, 27), 1), (date(2020, 3, 12), 2), (date(2020, 6, 8), 1),
                       (date(2020, 7, 15), 0)]
    trough = min(path, key=lambda s: s.drawdown)
    assert (trough.day, trough.peak_day) == (date(2020, 3, 23), date(2020, 2, 19))
    assert trough.drawdown == pytest.approx(222.95 / 338.34 - 1)


def test_release_after_days(spy: Any) -> None:
    days, closes = spy
    path = ladder(days, closes, rule(release_above=None, release_after_days=30))
    steps = [(s.day, s.rung) for prev, s in pairwise(path)
             if s.rung < prev.rung]
    # 30 days after 2020-03-12 the drawdown (-18.5% on 04-13) no longer reaches -20%.
    assert steps[0] == (date(2020, 4, 13), 1)
    assert all((b - a).days >= 30 for (a, _), (b, _) in pairwise(steps))


def test_adjusted_targets_and_rationale() -> None:
    state = DrawdownDay(date(2020, 3, 20), 266.3, 338.34, date(2020, 2, 19), -0.213, 2)
    out = adjust({"equity": 0.6, "intl": 0.1, "bonds": 0.3}, 0.0,
                 rule(risky=["equity", "intl"]), state)
    assert out.targets == pytest.approx({"equity": 0.24, "intl": 0.04, "bonds": 0.72})
    assert out.rationale == ("drawdown -21.3% from the peak of 2020-02-19: risky sleeves "
                             "(equity, intl) at 40% of target, 42% moved to bonds")
    to_cash = adjust({"equity": 0.6, "bonds": 0.4}, 0.0, rule(defensive=[]), state)
    assert (to_cash.targets["equity"], to_cash.cash) == pytest.approx((0.24, 0.36))
    calm = adjust({"equity": 1.0}, 0.0, rule(), DrawdownDay(
        date(2020, 1, 2), 1.0, 1.0, date(2020, 1, 2), 0.0, 0))
    assert calm.targets == {"equity": 1.0} and calm.rationale.endswith("no de-risking")


def test_peak_and_drawdown() -> None:
    peak, dd = drawdowns(np.array([100.0, 110.0, 99.0, 121.0]))
    assert peak.tolist() == [100, 110, 110, 121] and dd[2] == pytest.approx(-0.1)


@pytest.mark.parametrize(("changes", "message"), [
    ({"ladder": [{"drawdown": 0.2, "scale": 0.4}, {"drawdown": 0.1, "scale": 0.7}]}, "deeper"),
    ({"defensive": ["equity"]}, "risky and defensive"),
    ({"release_above": 0.15}, "shallower"),
])
def test_invalid_ladders(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rule(**changes)


def test_the_documented_ladder_loads() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "compliance.md").read_text()
    block = doc.split("## Drawdown control", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    [dd] = RuleSet.model_validate({"name": "doc", **yaml.safe_load(block)}).drawdown
    assert (dd.model, dd.risky, dd.release_after_days) == ("balanced", ("technology", "energy"),
                                                          30)
