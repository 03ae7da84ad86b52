"""Cross-row checks of price bars: outlier moves, staleness and non-session dates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

from ballast.data.calendar import DEFAULT_EXCHANGE, TradingCalendar, trading_calendar
from ballast.data.importing import ImportContext, RowError
from ballast.domain import CorporateActionKind
from ballast.domain.market import PriceBar


def validate_prices(bars: Sequence[PriceBar], ctx: ImportContext, *, file: str = "prices",
                    rows: Sequence[int] | None = None) -> list[RowError]:
    """Every cross-row problem of ``bars``, each naming the row of the offending bar.

    - ``date``: not a session of the instrument's exchange;
    - ``close``: moved more than ``ctx.policy.max_daily_move`` from the previous close with
      nothing to explain it. The previous close is the bar before it in ``bars`` or, for the
      first bar, ``ctx.prices``. A split factor on the row, or a split or stock dividend in
      ``ctx.corporate_actions`` on that date, rescales the previous close; a dividend is added
      back. A bar that reverts a flagged move is compared with the close before the flagged one;
    - ``date``: the instrument's latest bar is more than ``ctx.policy.max_stale_sessions``
      sessions older than the latest date of ``bars``.

    ``rows`` gives each bar's row number in ``file`` (default: position + 1).
    """
    if not bars:
        return []
    row_of = list(rows) if rows is not None else list(range(1, len(bars) + 1))
    by_instrument: dict[str, list[int]] = defaultdict(list)
    for i, bar in enumerate(bars):
        by_instrument[bar.instrument_id].append(i)
    latest = max(b.date for b in bars)
    factors = _corporate_factors(ctx)
    out: list[tuple[int, RowError]] = []

    def err(i: int, name: str, reason: str, raw: str) -> None:
        out.append((row_of[i], RowError(file, row_of[i], name, reason, raw)))

    for iid, idx in by_instrument.items():
        idx.sort(key=lambda i: bars[i].date)
        inst = ctx.instruments.get(bars[idx[0]].instrument_id)
        cal = trading_calendar(inst.exchange if inst and inst.exchange else DEFAULT_EXCHANGE)
        days = np.array([bars[i].date for i in idx], dtype="datetime64[D]")
        inside = cal.covers(days)
        for j in map(int, np.flatnonzero(~inside | ~cal.are_sessions(days))):
            i = idx[j]
            reason = (f"not a trading session of {cal.exchange}" if inside[j] else
                      f"outside the {cal.exchange} calendar ({cal.span})")
            err(i, "date", reason, bars[i].date.isoformat())
        for i, reason in _moves(iid, [bars[i] for i in idx], idx, ctx, factors):
            err(i, "close", reason, str(bars[i].close))
        last = bars[idx[-1]].date
        lag = _lag(cal, last, latest)
        if lag > ctx.policy.max_stale_sessions:
            err(idx[-1], "date", f"stale: {iid}'s latest price is {lag} sessions before the "
                f"file's latest date {latest} (max {ctx.policy.max_stale_sessions})",
                last.isoformat())
    out.sort(key=lambda e: e[0])
    return [e for _, e in out]


def _lag(cal: TradingCalendar, last: date, latest: date) -> int:
    counts = cal.count_through(np.array([last, latest], dtype="datetime64[D]"))
    return int(counts[1] - counts[0])


def _corporate_factors(ctx: ImportContext) -> dict[tuple[str, date], float]:
    """Price factor (new units per old) of each split or stock dividend, by (instrument, date)."""
    factors: dict[tuple[str, date], float] = {}
    for ca in ctx.corporate_actions:
        if ca.ratio is None:
            continue
        key = (ca.instrument_id, ca.ex_date)
        if ca.kind is CorporateActionKind.SPLIT:
            factors[key] = factors.get(key, 1.0) * float(ca.ratio)
        elif ca.kind is CorporateActionKind.STOCK_DIVIDEND:
            factors[key] = factors.get(key, 1.0) * (1.0 + float(ca.ratio))
    return factors


def _moves(iid: str, series: list[PriceBar], idx: list[int], ctx: ImportContext,
           factors: dict[tuple[str, date], float]) -> list[tuple[int, str]]:
    """(bar index, reason) for each unexplained move beyond the threshold in one instrument."""
    limit = ctx.policy.max_daily_move
    close = np.array([float(b.close) for b in series])
    total = close + np.array([float(b.dividend) for b in series])
    scale = np.array([float(b.split_factor) * factors.get((iid, b.date), 1.0) for b in series])
    prev = np.empty_like(close)
    prev[1:] = close[:-1]
    prior = ctx.prices.close(iid, series[0].date - timedelta(days=1)) if ctx.prices else None
    prev[0] = prior[1] if prior else np.nan
    with np.errstate(invalid="ignore"):
        move = total * scale / prev - 1.0
        flagged = np.abs(move) > limit
    found: list[tuple[int, str]] = []
    last_flagged = -2
    for j in map(int, np.flatnonzero(flagged)):
        if last_flagged == j - 1 and j >= 2:
            # A bar that reverts the flagged spike: compare it with the close before the spike.
            base = close[j - 2] / scale[j - 1]
            if abs(total[j] * scale[j] / base - 1.0) <= limit:
                continue
        last_flagged = j
        explained = "after the split factor " if scale[j] != 1.0 else ""
        found.append((idx[j], f"{iid} {series[j].date}: moved {move[j]:+.1%} from the previous "
                      f"close {prev[j]:g} {explained}with no corporate action to explain it "
                      f"(limit {limit:.0%}; raise it with --max-daily-move if the move is real)"))
    return found
