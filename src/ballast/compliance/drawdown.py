"""Drawdown control: running peak and drawdown of a value series, the rung of a de-risking
ladder each day (engaged at once, released a rung at a time on recovery), and the sleeve
targets it leaves, with their rationale. Pure: series in, values out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from ballast.compliance.context import pct
from ballast.compliance.inputs import FloatArray
from ballast.config.compliance import DrawdownRule


@dataclass(frozen=True, slots=True)
class DrawdownDay:
    """One day of the ladder: the value, its running peak (and the peak's date), the drawdown
    (≤ 0) and the rung in force (0: none; k: the k-th rung of the ladder)."""

    day: date
    value: float
    peak: float
    peak_day: date
    drawdown: float
    rung: int


@dataclass(frozen=True, slots=True)
class AdjustedTargets:
    """Sleeve targets after the ladder, the cash target, and why."""

    targets: dict[str, float]
    cash: float
    scale: float
    rationale: str


def drawdowns(values: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Running peak and drawdown (value ÷ peak − 1, ≤ 0) of a value series."""
    peak = np.maximum.accumulate(values)
    return peak, values / peak - 1.0


def ladder(days: Sequence[date], values: FloatArray, rule: DrawdownRule) -> list[DrawdownDay]:
    """The ladder day by day. A drawdown at or beyond a rung engages it (the deepest one
    reached, at once); the ladder steps back one rung on a day the drawdown is above
    ``release_above``, or ``release_after_days`` after the rung was entered, unless the
    drawdown still reaches the rung in force."""
    peak, dd = drawdowns(values)
    depths = np.array([r.drawdown for r in rule.ladder])
    out: list[DrawdownDay] = []
    rung, since, peak_at = 0, 0, 0
    for i, d in enumerate(days):
        if values[i] >= peak[i]:
            peak_at = i
        reached = int((dd[i] <= -depths + 1e-12).sum())
        if reached > rung:
            rung, since = reached, i
        elif reached < rung and _released(rule, float(dd[i]), (d - days[since]).days):
            rung, since = rung - 1, i
        out.append(DrawdownDay(d, float(values[i]), float(peak[i]), days[peak_at],
                               float(dd[i]), rung))
    return out


def _released(rule: DrawdownRule, drawdown: float, days_on_rung: int) -> bool:
    recovered = rule.release_above is not None and drawdown > -rule.release_above
    waited = rule.release_after_days is not None and days_on_rung >= rule.release_after_days
    return recovered or waited


def adjust(targets: Mapping[str, float], cash: float, rule: DrawdownRule,
           state: DrawdownDay) -> AdjustedTargets:
    """Risky sleeves at the rung's scale of their target; the weight cut goes to the defensive
    sleeves pro rata to their targets (or equally when they have none), else to cash."""
    where = f"drawdown {pct(state.drawdown)} from the peak of {state.peak_day.isoformat()}"
    if state.rung == 0:
        return AdjustedTargets(dict(targets), cash, 1.0, f"{where}: no de-risking")
    scale = rule.ladder[state.rung - 1].scale
    out = {s: w * scale if s in rule.risky else w for s, w in targets.items()}
    freed = sum(targets[s] for s in rule.risky if s in targets) * (1.0 - scale)
    defensive = [s for s in rule.defensive if s in targets]
    base = sum(targets[s] for s in defensive)
    for s in defensive:
        out[s] += freed * (targets[s] / base if base > 0 else 1.0 / len(defensive))
    to = ", ".join(defensive) if defensive else "cash"
    return AdjustedTargets(out, cash if defensive else cash + freed, scale,
                           f"{where}: risky sleeves ({', '.join(rule.risky)}) at "
                           f"{pct(scale)} of target, {pct(freed)} moved to {to}")
