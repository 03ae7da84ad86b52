"""Properties over random books, and the vectorized engine against the slow reference."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ballast.rebalance import Skip, Trigger, propose

from .random_book import random_book, random_policy
from .reference import reference

SEEDS = st.integers(0, 2**32 - 1)


@settings(max_examples=150, deadline=None)
@given(SEEDS)
def test_trades_respect_holdings_restrictions_and_lots(seed: int) -> None:
    inp, policy = random_book(seed), random_policy(seed)
    p = propose(inp, policy)
    a, i = p.trade_account, p.trade_instrument
    held = inp.quantity[a, i]
    sells, buys = p.side < 0, p.side > 0
    assert (p.quantity > 0).all()
    assert (p.quantity[sells] <= held[sells] + 1e-9).all()
    assert not inp.no_buy[a[buys], i[buys]].any()
    assert not inp.no_sell[a[sells], i[sells]].any()
    lots = p.quantity / inp.lot_size[i]
    assert (np.isclose(lots, np.round(lots), atol=1e-6) | (sells & (p.quantity == held))).all()
    assert (p.skip[a] == Skip.NONE).all() and p.triggered[a].all()
    assert (p.value >= policy.min_trade_value).all()


@settings(max_examples=150, deadline=None)
@given(SEEDS)
def test_cash_never_bought_below_what_is_kept(seed: int) -> None:
    inp, policy = random_book(seed), random_policy(seed)
    p = propose(inp, policy)
    assert not np.isnan(p.cash_after).any()
    ok = (p.skip == Skip.NONE) & (p.cash_before >= p.cash_keep)
    assert (p.cash_after[ok] >= p.cash_keep[ok] - 1e-6).all()
    untouched = ~np.isin(np.arange(len(inp.accounts)), p.trade_account)
    assert np.array_equal(p.cash_after[untouched & ok], p.cash_before[untouched & ok])


@settings(max_examples=150, deadline=None)
@given(SEEDS)
def test_cash_to_keep_is_raised_whenever_enough_is_sellable(seed: int) -> None:
    """A trading account ends with at least the cash to keep whenever selling everything
    sellable could raise it with room to spare — from any sleeve, do-not-sell ones aside — up
    to the trades' costs, one lot per sleeve of rounding and the sales too small to keep (the
    minimum trade or the cost rule's floor, per sellable holding)."""
    inp, policy = random_book(seed), random_policy(seed)
    p = propose(inp, policy)
    c = policy.costs
    rate = (c.half_spread_bps + c.impact_bps) / 1e4
    benefit = policy.drift_benefit_bps / 1e4
    floor = max(policy.min_trade_value, c.commission / (benefit - rate) if benefit > rate else 0)
    trading = (p.skip == Skip.NONE) & p.triggered & ~(
        inp.hold & ((p.triggers & Trigger.CASH_NEEDED) == 0))
    for a in np.flatnonzero(trading):
        sellable = (inp.quantity[a] > 0) & ~inp.no_sell[a]
        value = np.where(sellable, inp.quantity[a] * inp.unit_value[a], 0.0)
        lot = np.where(sellable, inp.lot_size * inp.unit_value[a], 0.0)
        sleeves = len(inp.models[int(inp.model_of[a])].sleeve_names)
        costs = float(p.cost[p.trades_of(a)].sum())
        small = float(np.maximum(floor, policy.min_trade_quantity * inp.unit_value[a])[
            sellable].sum())
        slack = costs + sleeves * float(lot.max()) + small
        raisable = (p.cash_before[a] + (1 - rate) * value.sum()
                    - c.commission * int(sellable.sum()))
        if raisable >= p.cash_keep[a] + slack:
            assert p.cash_after[a] >= p.cash_keep[a] - slack, (a, p.cash_after[a], slack)


@settings(max_examples=150, deadline=None)
@given(SEEDS)
def test_traded_sleeves_never_drift_further(seed: int) -> None:
    """With no cash requested or short of the cash to keep (cash is then raised from any
    sellable holding, underweight sleeves too) and no unsellable holding outside the model,
    every sleeve that trades ends no farther from target (up to costs)."""
    inp, policy = random_book(seed), random_policy(seed)
    p = propose(inp, policy)
    for i in range(p.n_trades):
        a, s = int(p.trade_account[i]), int(p.sleeve[i])
        model = inp.models[int(inp.model_of[a])]
        member = model.member >= 0
        legacy = ((inp.quantity[a] > 0) & inp.no_sell[a] & ~member).any()
        if s < 0 or inp.cash_needed[a] > 0 or p.cash_before[a] < p.cash_keep[a] or legacy:
            continue
        costs = p.cost[p.trades_of(a)].sum() / p.total_value[a]
        before = abs(p.weight_before[a, s] - model.target[s])
        after = abs(p.weight_after[a, s] - model.target[s])
        assert after <= before + costs + 1e-9, (a, s, before, after)


@settings(max_examples=30, deadline=None)
@given(SEEDS)
def test_deterministic(seed: int) -> None:
    inp, policy = random_book(seed), random_policy(seed)
    one, two = propose(inp, policy), propose(inp, policy)
    for name in ("trade_account", "trade_instrument", "side", "quantity", "cost", "triggers",
                 "skip", "cash_after", "weight_after"):
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name))


def test_matches_the_reference_on_random_accounts() -> None:
    checked = 0
    for seed in range(10):
        inp, policy = random_book(seed, n=20), random_policy(seed)
        p = propose(inp, policy)
        for a in range(len(inp.accounts)):
            ref = reference(inp, policy, a)
            assert ref.skip == p.skip[a], (seed, a)
            assert ref.triggered == p.triggered[a], (seed, a)
            got = [(t.instrument, t.side, t.quantity) for t in p.iter_trades(a)]
            assert [x[:2] for x in got] == [x[:2] for x in ref.trades], (seed, a)
            np.testing.assert_allclose([x[2] for x in got], [x[2] for x in ref.trades],
                                       rtol=1e-12, atol=1e-9)
            np.testing.assert_allclose(p.cash_after[a], ref.cash_after, rtol=1e-9)
            checked += 1
    assert checked == 200
