"""Returns of a portfolio with external cash flows: time-weighted, Modified Dietz, IRR / XIRR.

A value series ``values[0..T]`` holds the portfolio's value at the close of each day (index 0 is
the opening value); ``flows[t - 1]`` is the external flow of day ``t`` (positive in, negative
out). Fees are not flows: they lower the value, so returns are net of fees unless the fees are
added back (:func:`gross_and_net`). See docs/performance.md for the formulas and sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq

from ballast.analytics.arrays import FloatArray, as_matrix, as_vector
from ballast.domain import DataError

DateLike = date | np.datetime64 | str


class FlowTiming(StrEnum):
    """When a day's external flow happens: at its start (invested all day) or at its end."""

    START = "start"
    END = "end"


def _series(values: npt.ArrayLike, flows: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    if np.ndim(values) == 1:
        v = as_vector(values, "values", min_len=2)
        return v, as_vector(flows, "flows", length=len(v) - 1)
    v = as_matrix(values, "values")
    f = as_matrix(flows, "flows", min_rows=1)
    if f.shape != (v.shape[0] - 1, v.shape[1]):
        raise DataError(f"flows: expected shape {(v.shape[0] - 1, v.shape[1])}, got {f.shape}",
                        field="flows")
    return v, f


def daily_returns(values: npt.ArrayLike, flows: npt.ArrayLike,
                  timing: FlowTiming = FlowTiming.END) -> FloatArray:
    """Return of each day ``t = 1..T``, the flow's effect removed; 2-D input is one account a
    column. END: ``r_t = (V_t - F_t) / V_{t-1} - 1``; START: ``r_t = V_t / (V_{t-1} + F_t) - 1``.
    """
    v, f = _series(values, flows)
    base = v[:-1] if timing is FlowTiming.END else v[:-1] + f
    gain = v[1:] - f if timing is FlowTiming.END else v[1:]
    if np.any(base <= 0.0):
        at = tuple(int(i) for i in np.argwhere(base <= 0.0)[0])
        raise DataError(f"values: no capital invested on day {at[0] + 1} (index {at}), the "
                        "day's return is undefined", field="values")
    return gain / base - 1.0


def link_returns(returns: npt.ArrayLike) -> float:
    """Geometric linking: ``prod(1 + r) - 1``."""
    r = as_vector(returns, "returns")
    return float(np.prod(1.0 + r) - 1.0)


@dataclass(frozen=True, slots=True)
class TimeWeightedReturn:
    """Daily returns and their geometric link over the whole period."""

    daily: FloatArray
    total: float


def time_weighted_return(values: npt.ArrayLike, flows: npt.ArrayLike,
                         timing: FlowTiming = FlowTiming.END) -> TimeWeightedReturn:
    """True time-weighted return: the daily returns linked geometrically."""
    daily = daily_returns(values, flows, timing)
    return TimeWeightedReturn(daily, link_returns(daily))


def time_weighted_returns(values: npt.ArrayLike, flows: npt.ArrayLike,
                          timing: FlowTiming = FlowTiming.END) -> FloatArray:
    """Linked time-weighted return of many accounts at once: values [T+1, N], flows [T, N]."""
    if np.ndim(values) != 2:
        raise DataError(f"values: expected a [T+1, N] array, got {np.ndim(values)} dimensions",
                        field="values")
    return np.asarray(np.prod(1.0 + daily_returns(values, flows, timing), axis=0) - 1.0)


@dataclass(frozen=True, slots=True)
class GrossNet:
    """Daily returns before fees (fees added back as if withdrawn) and after them."""

    gross: FloatArray
    net: FloatArray


def gross_and_net(values: npt.ArrayLike, flows: npt.ArrayLike, fees: npt.ArrayLike,
                  timing: FlowTiming = FlowTiming.END) -> GrossNet:
    """Gross and net daily returns; ``fees[t - 1]`` is the (positive) fee paid out on day ``t``.

    Net treats the fee as a loss; gross treats it as a withdrawal, at the same timing as flows.
    """
    f = as_vector(flows, "flows")
    fee = as_vector(fees, "fees", length=len(f))
    return GrossNet(daily_returns(values, f - fee, timing), daily_returns(values, f, timing))


def _days(dates: npt.ArrayLike, name: str) -> npt.NDArray[np.int64]:
    try:
        d = np.asarray(dates, dtype="datetime64[D]")
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name}: not dates ({exc})", field=name) from exc
    if d.ndim != 1 or np.any(np.isnat(d)):
        raise DataError(f"{name}: expected a 1-D array of dates", field=name)
    return d.astype(np.int64)


def modified_dietz(start_value: float, end_value: float, flows: npt.ArrayLike,
                   flow_dates: npt.ArrayLike, start: DateLike, end: DateLike) -> float:
    """Modified Dietz return of the period from the close of ``start`` to the close of ``end``.

    ``(V1 - V0 - ΣF) / (V0 + Σ w_i F_i)``, ``w_i = (CD - D_i) / CD``: CD calendar days in the
    period, D_i days from ``start`` to the flow's date (a flow counts from the end of its day).
    """
    f = as_vector(flows, "flows", min_len=0)
    day = _days(flow_dates, "flow_dates")
    if len(day) != len(f):
        raise DataError(f"flow_dates: expected {len(f)} dates, got {len(day)}", field="flow_dates")
    first, last = _days(np.array([start, end], dtype=object), "start/end")
    cd = int(last - first)
    if cd <= 0:
        raise DataError(f"end: the period must end after it starts ({start} → {end})",
                        field="end")
    if np.any((day <= first) | (day > last)):
        raise DataError(f"flow_dates: every flow must fall in ({start}, {end}]",
                        field="flow_dates")
    capital = start_value + float(np.sum((cd - (day - first)) / cd * f))
    if capital <= 0.0:
        raise DataError(f"flows: average capital {capital} is not positive, the Modified Dietz "
                        "return is undefined", field="flows")
    return (end_value - start_value - float(np.sum(f))) / capital


def _solve_rate(amounts: FloatArray, times: FloatArray) -> float:
    """The rate r > -1 with ``Σ a_i (1 + r)^(-t_i) = 0`` nearest to zero, by brentq."""
    if not (np.any(amounts > 0) and np.any(amounts < 0)):
        raise DataError("cash_flows: need at least one outflow and one inflow for a rate of "
                        "return to exist", field="cash_flows")
    horizon = max(float(times.max()), 1e-9)
    bound = min(20.0, 700.0 / horizon)

    def npv(x: float) -> float:  # x = ln(1 + r): every x is a valid rate
        return float(np.sum(amounts * np.exp(-x * times)))

    grid = np.linspace(-bound, bound, 4001)
    sign = np.sign(np.exp(-np.outer(grid, times)) @ amounts)
    change = np.flatnonzero(sign[:-1] * sign[1:] <= 0.0)
    if not len(change):
        raise DataError(f"cash_flows: no rate between {np.expm1(-bound):.6f} and "
                        f"{np.expm1(bound):.6g} makes the net present value zero",
                        field="cash_flows")
    i = int(change[np.argmin(np.abs(grid[change] + grid[change + 1]))])
    x = float(brentq(npv, float(grid[i]), float(grid[i + 1]), xtol=1e-15, rtol=1e-15))
    return float(np.expm1(x))


def irr(cash_flows: npt.ArrayLike) -> float:
    """Internal rate of return per period of flows at ``t = 0, 1, 2, …`` (investor's view:
    money put in is negative, money taken out or still held at the end positive)."""
    a = as_vector(cash_flows, "cash_flows", min_len=2)
    return _solve_rate(a, np.arange(len(a), dtype=np.float64))


def xirr(cash_flows: npt.ArrayLike, dates: npt.ArrayLike) -> float:
    """Annual money-weighted return of dated flows, Excel's XIRR convention:
    ``Σ a_i / (1 + r)^((d_i - d_0) / 365) = 0``, no date before the first one."""
    a = as_vector(cash_flows, "cash_flows", min_len=2)
    day = _days(dates, "dates")
    if len(day) != len(a):
        raise DataError(f"dates: expected {len(a)} dates, got {len(day)}", field="dates")
    if np.any(day < day[0]):
        raise DataError("dates: no date may precede the first one", field="dates")
    return _solve_rate(a, (day - day[0]).astype(np.float64) / 365.0)


def annualize(period_return: float, years: float) -> float:
    """``(1 + R)^(1 / years) - 1`` for a period longer than a year; shorter periods are
    returned as they are (GIPS: a return for less than a year is never annualized)."""
    if years <= 0.0:
        raise ValueError(f"years must be positive, got {years}")
    if period_return <= -1.0:
        raise DataError(f"period_return: {period_return} is a total loss or worse",
                        field="period_return")
    return period_return if years <= 1.0 else float((1.0 + period_return) ** (1.0 / years) - 1.0)


def excess_return(portfolio_return: float, benchmark_return: float,
                  geometric: bool = False) -> float:
    """``R - B``, or geometric ``(1 + R) / (1 + B) - 1``."""
    if not geometric:
        return portfolio_return - benchmark_return
    if benchmark_return <= -1.0:
        raise DataError(f"benchmark_return: {benchmark_return} is a total loss or worse",
                        field="benchmark_return")
    return (1.0 + portfolio_return) / (1.0 + benchmark_return) - 1.0
