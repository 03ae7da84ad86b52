"""Daily returns of a NAV series whose accounts may open or close inside the period.

:func:`ballast.analytics.performance.daily_returns` refuses a day that starts with no capital.
A NAV series built from the book has such days: before an account is funded, or the day its
first deposit arrives. Here a day that starts with capital takes its flow at the close (the
default timing); a day that starts with none takes its flow as invested from the start of the
day (it is what the day's return was earned on); a day with neither has no return (0).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ballast.analytics.arrays import FloatArray
from ballast.domain import DataError


def nav_daily_returns(values: npt.ArrayLike, flows: npt.ArrayLike) -> FloatArray:
    """Return of each day ``t = 1..T`` of ``values [T+1]`` with ``flows [T]`` (or [T+1, N] and
    [T, N], one account a column): ``(V_t - F_t) / V_{t-1} - 1`` when ``V_{t-1} > 0``, else
    ``V_t / F_t - 1`` when ``F_t > 0``, else 0."""
    v = np.asarray(values, dtype=np.float64)
    f = np.asarray(flows, dtype=np.float64)
    if v.ndim not in (1, 2) or v.shape[0] < 2 or f.shape != (v.shape[0] - 1, *v.shape[1:]):
        raise DataError(f"values, flows: expected [T+1] and [T] (or [T+1, N] and [T, N]), got "
                        f"{v.shape} and {f.shape}", field="values")
    if not (np.isfinite(v).all() and np.isfinite(f).all()):
        raise DataError("values, flows: not finite", field="values")
    prev = v[:-1]
    funded = prev > 0.0
    started = ~funded & (f > 0.0)
    out = np.zeros_like(f)
    out[funded] = (v[1:][funded] - f[funded]) / prev[funded] - 1.0
    out[started] = v[1:][started] / f[started] - 1.0
    return out
