"""Brinson-Fachler over many periods at once (one row a period), for daily attribution: the
same effects as :func:`ballast.analytics.attribution.brinson_fachler` period by period, computed
as array math and returned as its :class:`BrinsonFachler` values, ready for
:func:`ballast.analytics.attribution.link_attribution`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ballast.analytics.arrays import FloatArray, as_matrix
from ballast.analytics.attribution import BrinsonFachler
from ballast.domain import DataError


def group_matrix(labels: Sequence[str], groups: Sequence[str]) -> FloatArray:
    """One-hot [N, G]: holding ``i`` belongs to group ``labels[i]`` (each label a group)."""
    index = {g: k for k, g in enumerate(groups)}
    unknown = sorted(set(labels) - set(index))
    if unknown:
        raise DataError(f"labels: not among the groups: {unknown}", field="labels")
    out = np.zeros((len(labels), len(groups)))
    out[np.arange(len(labels)), [index[label] for label in labels]] = 1.0
    return out


def grouped(weights: npt.ArrayLike, returns: npt.ArrayLike,
            membership: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Group weights and returns per period [T, G] of holdings' ``weights`` and ``returns``
    [T, N]: a group's weight is the sum, its return the weighted mean (0 without weight)."""
    w = as_matrix(weights, "weights", min_rows=1)
    r = as_matrix(returns, "returns", min_rows=1)
    if r.shape != w.shape or membership.shape[0] != w.shape[1]:
        raise DataError(f"returns: expected shape {w.shape} and {w.shape[1]} holdings in the "
                        f"groups, got {r.shape} and {membership.shape[0]}", field="returns")
    gw = w @ membership
    gc = (w * r) @ membership
    return gw, np.divide(gc, gw, out=np.zeros_like(gc), where=gw != 0.0)


def brinson_fachler_periods(portfolio_weights: npt.ArrayLike, portfolio_returns: npt.ArrayLike,
                            benchmark_weights: npt.ArrayLike, benchmark_returns: npt.ArrayLike
                            ) -> list[BrinsonFachler]:
    """Brinson-Fachler of each period (row) of group weights and returns [T, G]; each side's
    weights must sum to one in every period."""
    wp = as_matrix(portfolio_weights, "portfolio_weights", min_rows=1)
    rp = as_matrix(portfolio_returns, "portfolio_returns", min_rows=1)
    wb = as_matrix(benchmark_weights, "benchmark_weights", min_rows=1)
    rb = as_matrix(benchmark_returns, "benchmark_returns", min_rows=1)
    if not wp.shape == rp.shape == wb.shape == rb.shape:
        raise DataError("weights and returns: expected four arrays of one shape",
                        field="portfolio_weights")
    for name, w in (("portfolio_weights", wp), ("benchmark_weights", wb)):
        off = np.abs(w.sum(axis=1) - 1.0) > 1e-9
        if off.any():
            t = int(np.flatnonzero(off)[0])
            raise DataError(f"{name}: weights of period {t} sum to {w[t].sum()}, not 1 (add "
                            "cash as a group)", field=name)
    bench = (wb * rb).sum(axis=1)
    allocation = (wp - wb) * (rb - bench[:, None])
    selection = wb * (rp - rb)
    interaction = (wp - wb) * (rp - rb)
    port = (wp * rp).sum(axis=1)
    return [BrinsonFachler(allocation[t], selection[t], interaction[t], float(port[t]),
                           float(bench[t])) for t in range(len(wp))]
