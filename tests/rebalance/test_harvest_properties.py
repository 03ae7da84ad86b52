"""Properties of tax-loss harvesting over random books with random lots and households."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ballast.rebalance import (
    HarvestSettings,
    Proposals,
    RebalanceInput,
    TaxInput,
    TradeReason,
    harvest,
    propose,
    tax_pass,
)

from .random_book import random_book, random_policy
from .test_tax_golden import assert_no_wash_sale
from .test_tax_properties import random_tax

SEEDS = st.integers(0, 2**32 - 1)
LOW = HarvestSettings(min_loss=50.0, min_loss_pct=0.05, max_per_account=2)


def _run(seed: int) -> tuple[RebalanceInput, TaxInput, Proposals, Proposals]:
    inp, policy = random_book(seed), random_policy(seed)
    tax = random_tax(inp, seed)
    before = propose(inp, policy)
    return inp, tax, before, harvest(before, inp, tax, LOW)


@settings(max_examples=150, deadline=None)
@given(SEEDS)
def test_sells_within_holdings_cash_kept_and_existing_trades_untouched(seed: int) -> None:
    inp, tax, p0, p = _run(seed)
    n = len(inp.accounts)
    h = p.reason == TradeReason.HARVEST
    a, j = p.trade_account, p.trade_instrument
    assert np.array_equal(np.lexsort((j, p.side, a)), np.arange(p.n_trades))
    assert np.unique(np.c_[a, p.side, j], axis=0).shape[0] == p.n_trades
    sold = np.zeros_like(inp.quantity)
    np.add.at(sold, (a[p.side < 0], j[p.side < 0]), p.quantity[p.side < 0])
    assert (sold <= inp.quantity + 1e-9).all()
    assert (p.quantity > 0).all() and np.allclose(p.value, p.quantity * p.unit_value)
    for col in ("trade_account", "trade_instrument", "side", "quantity", "value", "cost"):
        assert np.array_equal(getattr(p, col)[~h], getattr(p0, col)), col
    harvested = np.isin(np.arange(n), a[h])
    assert tax.taxable[harvested].all() and not inp.hold[harvested].any()
    assert not inp.no_buy[a[h & (p.side > 0)], j[h & (p.side > 0)]].any()
    assert not inp.no_sell[a[h & (p.side < 0)], j[h & (p.side < 0)]].any()
    assert (np.bincount(a[h & (p.side < 0)], minlength=n) <= LOW.max_per_account).all()
    flows = np.bincount(a[h], (p.side * p.value + p.cost)[h], minlength=n)
    assert np.allclose(p.cash_after, p0.cash_after - flows, equal_nan=True)
    floor = np.minimum(p0.cash_after, p0.cash_keep)
    assert (p.cash_after[harvested] >= floor[harvested] - 1e-6).all()
    assert np.array_equal(p.cash_after[~harvested], p0.cash_after[~harvested], equal_nan=True)
    # Each harvest pair stays in its sleeve and is value-neutral up to a lot and costs.
    for acct in np.flatnonzero(harvested):
        rows = np.flatnonzero(h & (a == acct))
        for s in np.unique(p.sleeve[rows]):
            r = rows[p.sleeve[rows] == s]
            gap = -(p.side[r] * p.value[r]).sum()
            biggest_lot = (inp.lot_size[j[r]] * p.unit_value[r]).max()
            assert -1e-6 <= gap <= len(r) * biggest_lot + p.cost[r].sum() + 1e-6


@settings(max_examples=150, deadline=None)
@given(SEEDS)
def test_the_tax_pass_after_harvest_has_no_wash_sale(seed: int) -> None:
    inp, tax, _, p = _run(seed)
    assert_no_wash_sale(tax_pass(p, inp, tax), tax)


@settings(max_examples=50, deadline=None)
@given(SEEDS)
def test_deterministic(seed: int) -> None:
    one, two = _run(seed)[3], _run(seed)[3]
    for f in dataclasses.fields(one):
        x, y = getattr(one, f.name), getattr(two, f.name)
        if isinstance(x, np.ndarray):
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f.name
        else:
            assert x == y, f.name


def test_random_books_do_harvest() -> None:
    made = sum(int((_run(seed)[3].reason == TradeReason.HARVEST).sum()) for seed in range(20))
    assert made > 20
