"""The tax pass split by household over forked processes.

The pass is a pure function of a partition of the book by household (the unit of wash-sale
coordination), so the households can be cut into parts shaped side by side and joined. The
parts run in processes forked from the caller: they inherit its inputs without copying or
pickling them, and only each part's shaped trades travel back. Where ``fork`` is not offered
(Windows), the pass stays in one process.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from itertools import pairwise
from typing import TypeVar, cast

import numpy as np

from ballast.ledger.snapshot import IntArray
from ballast.rebalance.inputs import BoolArray

SPLIT_FROM_TRADES = 20_000  # below this, forking costs more than a part saves
R = TypeVar("R")
_job: Callable[[BoolArray], object] | None = None  # the shaping a forked part runs


def can_fork() -> bool:
    """Whether this platform forks processes (Linux and macOS do, Windows does not)."""
    return "fork" in multiprocessing.get_all_start_methods()


def household_parts(household: IntArray, trade_account: IntArray, parts: int
                    ) -> list[BoolArray]:
    """Masks over the trades: the households cut into at most ``parts`` ranges of household
    numbers holding about equal numbers of trades (a household is never split)."""
    of_trade = household[trade_account]
    counts = np.bincount(of_trade, minlength=int(household.max(initial=0)) + 1)
    cum = np.cumsum(counts)
    cuts = np.searchsorted(cum, cum[-1] * np.arange(1, parts) / parts, side="right")
    bounds = np.unique(np.r_[0, cuts, counts.size])
    masks = [(of_trade >= lo) & (of_trade < hi) for lo, hi in pairwise(bounds.tolist())]
    return [m for m in masks if m.any()] or [np.ones(of_trade.size, dtype=bool)]


def run_split(shape: Callable[[BoolArray], R], masks: list[BoolArray]) -> list[R]:
    """``shape`` of every mask: the first in this process, the others in forked ones."""
    global _job
    if len(masks) == 1:
        return [shape(masks[0])]
    _job = shape
    gc.freeze()  # the parts never collect the caller's objects (nor copy their pages to try)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(len(masks) - 1, mp_context=context) as pool:
            futures = [pool.submit(_run_part, mask) for mask in masks[1:]]
            first = shape(masks[0])
            return [first, *(cast(R, f.result()) for f in futures)]
    finally:
        _job = None
        gc.unfreeze()


def _run_part(mask: BoolArray) -> object:
    assert _job is not None, "a part runs only in a process forked by run_split"
    return _job(mask)
