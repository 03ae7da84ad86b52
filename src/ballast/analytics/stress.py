"""Stress tests of today's portfolio: historical replays and hypothetical shocks.

Weights are today's holdings as fractions of ``portfolio_value``; what they do not sum to is
cash, which neither gains nor loses. A loss is positive (a gain is a negative loss).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ballast.analytics.arrays import DayArray, FloatArray, as_vector
from ballast.analytics.risk import max_drawdown
from ballast.domain import DataError


@dataclass(frozen=True, slots=True)
class StressWindow:
    """A named historical episode, from the market's peak (``start``) to its trough (``end``)."""

    name: str
    start: np.datetime64
    end: np.datetime64


def _window(name: str, start: str, end: str) -> StressWindow:
    return StressWindow(name, np.datetime64(start, "D"), np.datetime64(end, "D"))


HISTORICAL_WINDOWS: tuple[StressWindow, ...] = (
    _window("dot-com", "2000-03-24", "2002-10-09"),
    _window("GFC", "2007-10-09", "2009-03-09"),
    _window("2011", "2011-04-29", "2011-10-03"),
    _window("COVID", "2020-02-19", "2020-03-23"),
    _window("2022", "2022-01-03", "2022-10-12"),
)


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """The portfolio's loss in a scenario; ``None`` losses when the scenario is not covered.

    ``worst_drawdown`` (replays only) is the deepest peak-to-trough fall inside the window.
    """

    name: str
    loss_fraction: float | None
    loss_value: float | None
    covered: bool
    notes: tuple[str, ...] = ()
    worst_drawdown: float | None = None


def historical_replay(dates: npt.ArrayLike, prices: npt.ArrayLike, weights: npt.ArrayLike,
                      portfolio_value: float = 1.0, *, benchmark: int | None = None,
                      windows: Sequence[StressWindow] = HISTORICAL_WINDOWS,
                      ) -> tuple[ScenarioResult, ...]:
    """Today's portfolio held through each window: loss ``-Σ w_i (p_i(end) / p_i(start) - 1)``.

    ``dates`` [T] are increasing sessions, ``prices`` [T, N] total-return (adjusted) prices,
    NaN where an instrument has none. Start and end read the last session on or before each
    date, gaps inside the window are carried forward. A window the dates do not span is
    reported not covered. A held instrument without prices at both ends is proxied by the
    ``benchmark`` column (noted); without a usable benchmark the window is not covered.
    """
    d = np.asarray(dates, dtype="datetime64[D]")
    p = np.asarray(prices, dtype=np.float64)
    if p.ndim != 2 or d.shape != (len(p),) or len(p) == 0:
        raise DataError(f"prices {p.shape} and dates {d.shape} must be [T, N] and [T], T > 0",
                        field="prices")
    if np.any(d[1:] <= d[:-1]):
        raise DataError("dates: not strictly increasing", field="dates")
    if np.any(~np.isnan(p) & ~(np.isfinite(p) & (p > 0))):
        raise DataError("prices: a price is zero, negative or infinite", field="prices")
    w = as_vector(weights, "weights", length=p.shape[1])
    if benchmark is not None and not 0 <= benchmark < p.shape[1]:
        raise DataError(f"benchmark column {benchmark} out of range", field="benchmark")
    return tuple(_replay(d, p, w, portfolio_value, benchmark, win) for win in windows)


def _replay(d: DayArray, p: FloatArray, w: FloatArray, value: float,
            benchmark: int | None, win: StressWindow) -> ScenarioResult:
    if d[0] > win.start or d[-1] < win.end:
        return ScenarioResult(win.name, None, None, False, (
            f"prices cover {d[0]}..{d[-1]}, not the window {win.start}..{win.end}",))
    first = int(np.searchsorted(d, win.start, side="right")) - 1
    last = int(np.searchsorted(d, win.end, side="right")) - 1
    rel = _carry_forward(p[first:last + 1])
    rel = rel / rel[0]
    held = w != 0
    lacking = held & ~np.isfinite(rel[-1])
    notes: list[str] = []
    if lacking.any():
        cols = [int(i) for i in np.flatnonzero(lacking)]
        if benchmark is None or not np.isfinite(rel[-1, benchmark]):
            why = "no benchmark given" if benchmark is None else (
                f"benchmark column {benchmark} has no prices either")
            return ScenarioResult(win.name, None, None, False, (
                f"columns {cols} have no prices over the window and {why}",))
        rel[:, lacking] = rel[:, [benchmark]]
        notes.append(f"columns {cols} have no prices over the window: proxied by benchmark "
                     f"column {benchmark}")
    path = (1.0 - float(w.sum())) + rel[:, held] @ w[held]
    loss = 1.0 - float(path[-1])
    return ScenarioResult(win.name, loss, loss * value, True, tuple(notes),
                          max_drawdown(path).depth)


def _carry_forward(seg: FloatArray) -> FloatArray:
    """Each NaN replaced by the column's last price above it (NaN before the first price)."""
    rows = np.where(np.isnan(seg), 0, np.arange(len(seg))[:, None])
    np.maximum.accumulate(rows, axis=0, out=rows)
    return np.take_along_axis(seg, rows, axis=0)


def _shock(name: str, w: FloatArray, moves: FloatArray, value: float,
           notes: tuple[str, ...] = ()) -> ScenarioResult:
    loss = -float(w @ moves)
    return ScenarioResult(name, loss, loss * value, True, notes)


def equity_shock(weights: npt.ArrayLike, is_equity: npt.ArrayLike, shock: float = -0.20,
                 portfolio_value: float = 1.0) -> ScenarioResult:
    """Every instrument flagged equity moves by ``shock``; loss ``-shock · Σ_equity w``."""
    w = as_vector(weights, "weights")
    flags = np.asarray(is_equity, dtype=np.bool_)
    if flags.shape != w.shape:
        raise DataError(f"is_equity: expected shape {w.shape}, got {flags.shape}",
                        field="is_equity")
    return _shock(f"equity {shock:+.0%}", w, np.where(flags, shock, 0.0), portfolio_value)


def rate_shock(weights: npt.ArrayLike, durations: npt.ArrayLike, shift: float = 0.01,
               portfolio_value: float = 1.0,
               convexities: npt.ArrayLike | None = None) -> ScenarioResult:
    """Yields move by ``shift``; each instrument returns ``-D Δy + ½ C Δy²`` (modified
    duration ``D``, convexity ``C``, zero when not given)."""
    w = as_vector(weights, "weights")
    moves = -as_vector(durations, "durations", length=len(w)) * shift
    if convexities is not None:
        moves += 0.5 * as_vector(convexities, "convexities", length=len(w)) * shift**2
    return _shock(f"rates {shift * 1e4:+.0f}bp", w, moves, portfolio_value)


def single_name_shock(weights: npt.ArrayLike, names: Sequence[str], name: str,
                      shock: float = -0.5, portfolio_value: float = 1.0) -> ScenarioResult:
    """The instrument ``name`` (looked up in ``names``, aligned with ``weights``) moves by
    ``shock``; a name not held loses nothing, which the notes say."""
    w = as_vector(weights, "weights")
    if len(names) != len(w):
        raise DataError(f"names: {len(names)} names for {len(w)} weights", field="names")
    hit = np.asarray(names, dtype=object) == name
    notes = () if hit.any() else (f"{name} is not held",)
    return _shock(f"{name} {shock:+.0%}", w, np.where(hit, shock, 0.0), portfolio_value, notes)
