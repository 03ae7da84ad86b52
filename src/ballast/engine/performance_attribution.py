"""Brinson-Fachler attribution by asset class and by sector against a model (daily effects
linked with Carino) and contribution to return by holding, from a scope's daily values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from ballast.analytics import contribution, link_attribution
from ballast.analytics.attribution_series import (
    brinson_fachler_periods,
    group_matrix,
    grouped,
)
from ballast.analytics.performance_report import (
    AttributionLine,
    AttributionTable,
    HoldingContribution,
)
from ballast.domain import Instrument, InstrumentId

FloatArray = npt.NDArray[np.float64]
CASH = "cash"
UNCLASSIFIED = "unclassified"


def start_weights(instrument_value: FloatArray, cash_value: FloatArray,
                  value: FloatArray) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Start-of-day weights [T, I + 1] of each instrument and cash (last column) for the days
    that start with capital (the mask [T]); zero rows elsewhere."""
    opening = value[:-1]
    live = opening > 0.0
    held = np.column_stack([instrument_value[:-1], cash_value[:-1]])
    w = np.zeros_like(held)
    w[live] = held[live] / opening[live, None]
    return w, live


def _label(inst: Instrument | None, by: str) -> str:
    if inst is None:
        return CASH
    return (inst.asset_class if by == "asset_class" else inst.sector) or UNCLASSIFIED


def attribution_table(by: str, portfolio_ids: Sequence[str], weights: FloatArray,
                      returns: FloatArray, live: npt.NDArray[np.bool_],
                      model_ids: Sequence[str], model_weights: FloatArray,
                      model_returns: FloatArray,
                      instruments: Mapping[InstrumentId, Instrument]) -> AttributionTable:
    """Daily Brinson-Fachler by ``by`` ("asset_class" or "sector"), Carino-linked over the live
    days. ``weights``/``returns`` [T, I + 1] are the portfolio's (cash last, earning 0);
    ``model_weights`` [M] (the rest cash) and ``model_returns`` [T, M] the model's."""
    p_labels = [_label(instruments[InstrumentId(i)], by) for i in portfolio_ids] + [CASH]
    b_labels = [_label(instruments[InstrumentId(i)], by) for i in model_ids] + [CASH]
    groups = sorted(set(p_labels) | set(b_labels), key=lambda g: (g == CASH, g))
    days = np.flatnonzero(live)
    wb = np.tile(np.append(model_weights, 1.0 - float(model_weights.sum())), (len(days), 1))
    rb = np.column_stack([model_returns[days], np.zeros(len(days))])
    gp_w, gp_r = grouped(weights[days], returns[days], group_matrix(p_labels, groups))
    gb_w, gb_r = grouped(wb, rb, group_matrix(b_labels, groups))
    linked = link_attribution(brinson_fachler_periods(gp_w, gp_r, gb_w, gb_r))
    pw, bw = gp_w.mean(axis=0), gb_w.mean(axis=0)
    pr, br = np.prod(1.0 + gp_r, axis=0) - 1.0, np.prod(1.0 + gb_r, axis=0) - 1.0
    lines = tuple(
        AttributionLine(g, float(pw[k]), float(bw[k]), float(pr[k]), float(br[k]),
                        float(linked.allocation[k]), float(linked.selection[k]),
                        float(linked.interaction[k]))
        for k, g in enumerate(groups))
    return AttributionTable(by, lines, linked.portfolio_return, linked.benchmark_return)


def contributions(portfolio_ids: Sequence[str], weights: FloatArray, returns: FloatArray,
                  instrument_value: FloatArray, cash_value: FloatArray,
                  instruments: Mapping[InstrumentId, Instrument]
                  ) -> tuple[HoldingContribution, ...]:
    """Each holding's and cash's contribution, largest in size first; holdings never held in
    the period are left out."""
    linked = contribution(weights, returns).linked
    start = np.append(instrument_value[0], cash_value[0])
    end = np.append(instrument_value[-1], cash_value[-1])
    average = weights.mean(axis=0)
    out = []
    for k, iid in enumerate([*portfolio_ids, CASH]):
        if not (average[k] or start[k] or end[k]):
            continue
        inst = instruments.get(InstrumentId(iid)) if iid != CASH else None
        out.append(HoldingContribution(
            iid, inst.name if inst else "Cash", _label(inst, "asset_class"),
            _label(inst, "sector"), float(start[k]), float(end[k]), float(average[k]),
            float(linked[k])))
    return tuple(sorted(out, key=lambda h: -abs(h.contribution)))
