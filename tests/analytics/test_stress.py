"""Historical replays on a tiny synthetic history and on SPY, and the hypothetical shocks."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from ballast.analytics import (
    HISTORICAL_WINDOWS,
    ScenarioResult,
    StressWindow,
    equity_shock,
    historical_replay,
    rate_shock,
    single_name_shock,
)
from ballast.domain import DataError

from .shared import lean_closes

NAN = np.nan


def _history() -> tuple[np.ndarray, np.ndarray]:
    """Sessions 2020-02-03..2020-03-31. A: 100 until 02-19, linear to 60 on 03-16, then 70 on
    03-23 and after; B: 50 with a gap of NaN; C: no prices (listed later); D: unheld, no price."""
    days = np.arange("2020-02-03", "2020-04-01", dtype="datetime64[D]")
    days = days[np.is_busday(days)]
    start, low, end = (int(np.flatnonzero(days == np.datetime64(d))[0])
                       for d in ("2020-02-19", "2020-03-16", "2020-03-23"))
    a = np.full(len(days), 70.0)
    a[: start + 1] = 100.0
    a[start:low + 1] = np.linspace(100.0, 60.0, low - start + 1)
    a[low:end] = 60.0
    b = np.full(len(days), 50.0)
    b[start + 2:start + 6] = NAN
    return days, np.column_stack([a, b, np.full(len(days), NAN), np.full(len(days), NAN)])


WEIGHTS = np.array([0.4, 0.3, 0.2, 0.0])  # 10 % cash
COVID = [w for w in HISTORICAL_WINDOWS if w.name == "COVID"]


def test_replay_with_a_known_answer() -> None:
    days, prices = _history()
    results = historical_replay(days, prices, WEIGHTS, 1_000_000.0, benchmark=0)
    by_name = {r.name: r for r in results}
    assert [r.name for r in results] == ["dot-com", "GFC", "2011", "COVID", "2022"]
    covid = by_name["COVID"]
    # A and its proxy C fall 30 %, B is flat, cash is flat: 0.4·0.3 + 0.2·0.3 = 0.18.
    assert covid.covered and covid.loss_fraction == pytest.approx(0.18)
    assert covid.loss_value == pytest.approx(180_000.0)
    # Deepest point on 03-16 (A at 60): 1 - (0.1 + 0.4·0.6 + 0.3 + 0.2·0.6) = 0.24.
    assert covid.worst_drawdown == pytest.approx(0.24)
    assert covid.notes == ("columns [2] have no prices over the window: proxied by benchmark "
                           "column 0",)
    for name in ("dot-com", "GFC", "2011", "2022"):
        r = by_name[name]
        assert not r.covered and r.loss_fraction is None and r.loss_value is None
        assert r.notes[0].startswith("prices cover 2020-02-03..2020-03-31, not the window")


def test_window_edges_read_the_last_session_on_or_before() -> None:
    days, prices = _history()
    weekend = StressWindow("to a Sunday", np.datetime64("2020-02-16"), np.datetime64("2020-03-22"))
    (r,) = historical_replay(days, prices, [1.0, 0, 0, 0], windows=[weekend])
    assert r.loss_fraction == pytest.approx(0.4)  # 02-14 at 100 to 03-20 at 60


def test_missing_instrument_without_a_usable_benchmark_is_not_covered() -> None:
    days, prices = _history()
    (r,) = historical_replay(days, prices, WEIGHTS, windows=COVID)
    assert r == ScenarioResult("COVID", None, None, False, (
        "columns [2] have no prices over the window and no benchmark given",))
    (r,) = historical_replay(days, prices, WEIGHTS, benchmark=3, windows=COVID)
    assert not r.covered and "benchmark column 3 has no prices either" in r.notes[0]
    (r,) = historical_replay(days, prices, [0.5, 0.5, 0, 0], windows=COVID)
    assert r.covered and r.notes == () and r.loss_fraction == pytest.approx(0.15)


@pytest.mark.parametrize(("change", "message"), [
    (lambda d, p: (d[::-1], p), "dates: not strictly increasing"),
    (lambda d, p: (d, np.where(p == 50.0, 0.0, p)), "zero, negative or infinite"),
    (lambda d, p: (d[1:], p), "must be [T, N] and [T]"),
])
def test_bad_history_raises(change: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, ...]],
                            message: str) -> None:
    days, prices = change(*_history())
    with pytest.raises(DataError) as err:
        historical_replay(days, prices, WEIGHTS)
    assert message in str(err.value)
    with pytest.raises(DataError, match="benchmark column 9"):
        historical_replay(*_history(), WEIGHTS, benchmark=9)


def test_spy_through_the_windows_lean_covers() -> None:
    days, closes = lean_closes("spy")  # 1998-01-02 .. 2021-03-31, SPY never split
    results = historical_replay(days, closes[:, None], [1.0])
    loss = {r.name: r.loss_fraction for r in results}
    at = {d: closes[days == np.datetime64(d)][0] for d in ("2020-02-19", "2020-03-23")}
    assert loss["COVID"] == pytest.approx(1 - at["2020-03-23"] / at["2020-02-19"])
    assert loss["COVID"] == pytest.approx(0.34, abs=0.01)
    assert loss["GFC"] == pytest.approx(0.55, abs=0.05)
    dot_com = results[0]
    assert dot_com.worst_drawdown == pytest.approx(dot_com.loss_fraction, abs=0.05)
    assert loss["2022"] is None and not results[-1].covered


def test_equity_shock() -> None:
    r = equity_shock([0.6, 0.3, 0.1], [True, False, True], -0.20, 500_000.0)
    assert r.name == "equity -20%" and r.covered
    assert r.loss_fraction == pytest.approx(0.14) and r.loss_value == pytest.approx(70_000.0)
    with pytest.raises(DataError, match="is_equity"):
        equity_shock([0.5, 0.5], [True])


def test_rate_shock_by_duration_and_convexity() -> None:
    w, d = [0.5, 0.3, 0.2], [7.0, 2.0, 0.0]
    r = rate_shock(w, d, 0.01)
    assert r.name == "rates +100bp"
    assert r.loss_fraction == pytest.approx(0.5 * 0.07 + 0.3 * 0.02)
    r = rate_shock(w, d, 0.01, 2.0, convexities=[60.0, 5.0, 0.0])
    loss = 0.5 * (0.07 - 0.5 * 60 * 1e-4) + 0.3 * (0.02 - 0.5 * 5 * 1e-4)
    assert r.loss_fraction == pytest.approx(loss) and r.loss_value == pytest.approx(2 * loss)
    assert rate_shock(w, d, -0.005).loss_fraction == pytest.approx(-(0.5 * 0.035 + 0.3 * 0.01))


def test_single_name_shock() -> None:
    names = ["AAPL", "MSFT", "BND"]
    r = single_name_shock([0.25, 0.15, 0.5], names, "AAPL", -0.5, 100.0)
    assert (r.name, r.loss_fraction, r.loss_value) == ("AAPL -50%", 0.125, 12.5)
    r = single_name_shock([0.25, 0.15, 0.5], names, "TSLA")
    assert r.loss_fraction == 0.0 and r.notes == ("TSLA is not held",)
    with pytest.raises(DataError, match="names: 2 names for 3 weights"):
        single_name_shock([0.25, 0.15, 0.5], names[:2], "AAPL")
