"""Properties of the tax pass over random books with random lots, households and activity."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ballast.domain import DataError, LotMethod
from ballast.rebalance import RebalanceInput, TaxedProposals, TaxInput, propose, tax_pass

from .random_book import random_book, random_policy
from .test_tax_golden import AS_OF, assert_no_wash_sale

SEEDS = st.integers(0, 2**32 - 1)
METHODS = (LotMethod.MIN_TAX, LotMethod.FIFO, LotMethod.LIFO, LotMethod.HIFO,
           LotMethod.AVERAGE, LotMethod.SPECIFIC)


def random_tax(inp: RebalanceInput, seed: int) -> TaxInput:
    """1–4 lots per holding (cost ±50% of the price, up to 3 years old), households of 1–3
    accounts, instruments paired into wash-sale groups, recent buys and loss sales."""
    rng = np.random.default_rng(seed + 2)
    n, m = inp.quantity.shape
    acct, inst, qty, cost = [], [], [], []
    for a, j in zip(*np.nonzero(inp.quantity > 0), strict=True):
        k = int(rng.integers(1, 5))
        parts = rng.dirichlet(np.ones(k)) * inp.quantity[a, j]
        parts[-1] = inp.quantity[a, j] - parts[:-1].sum()
        price = inp.unit_value[a, j] if np.isfinite(inp.unit_value[a, j]) else 50.0
        for q in parts[parts > 0]:
            acct.append(a)
            inst.append(j)
            qty.append(q)
            cost.append(q * price * rng.uniform(0.5, 1.5))
    days = np.datetime64(AS_OF, "D") - rng.integers(0, 1100, len(acct)).astype("timedelta64[D]")
    s, b = int(rng.integers(0, 12)), int(rng.integers(0, 12))
    first = rng.permutation(m)[: m // 2]
    group_of = np.arange(m, dtype=np.int64)
    group_of[first[1::2]] = first[: len(first[1::2])]  # a few pairs substantially identical
    household = np.sort(rng.integers(0, max(n // 2, 1), n)).astype(np.int64)

    def event_days(k: int) -> np.ndarray:
        return (np.datetime64(AS_OF, "D")
                - rng.integers(0, 40, k).astype("timedelta64[D]")).astype("datetime64[D]")

    return TaxInput(
        as_of=AS_OF, taxable=rng.random(n) < 0.7,
        lot_method=tuple(METHODS[int(x)] for x in rng.integers(0, len(METHODS), n)),
        household=household, group_of=group_of, lot_account=np.array(acct, dtype=np.int64),
        lot_instrument=np.array(inst, dtype=np.int64),
        lot_id=tuple(f"lot{i}" for i in range(len(acct))), lot_quantity=np.array(qty),
        lot_basis=np.array(cost), lot_acquired=days, lot_holding_start=days,
        gain_budget=np.where(rng.random(n) < 0.5, np.inf, rng.uniform(-500, 5000, n)),
        loss_household=rng.integers(0, n // 2, s), loss_instrument=rng.integers(0, m, s),
        loss_date=event_days(s), loss_quantity=np.ones(s),
        buy_household=rng.integers(0, n // 2, b), buy_instrument=rng.integers(0, m, b),
        buy_date=event_days(b), buy_quantity=np.ones(b))


def _run(seed: int) -> tuple[RebalanceInput, TaxInput, TaxedProposals]:
    inp, policy = random_book(seed), random_policy(seed)
    tax = random_tax(inp, seed)
    return inp, tax, tax_pass(propose(inp, policy), inp, tax)


@settings(max_examples=150, deadline=None)
@given(SEEDS)
def test_lot_reliefs_sum_to_sales_and_never_exceed_lots(seed: int) -> None:
    _inp, tax, taxed = _run(seed)
    p = taxed.proposals
    relieved = np.add.reduceat(np.r_[taxed.lot_quantity, 0.0], taxed.lot_start[:-1]) \
        if p.n_trades else np.zeros(0)
    counts = np.diff(taxed.lot_start)
    sells = p.side < 0
    assert (counts[~sells] == 0).all() and (counts[sells] > 0).all()
    assert np.allclose(relieved[sells], p.quantity[sells], rtol=1e-9, atol=1e-9)
    size = dict(zip(tax.lot_id, tax.lot_quantity, strict=True))
    assert all(q <= size[i] + 1e-9 for i, q in zip(taxed.lot_id, taxed.lot_quantity,
                                                      strict=True))
    assert not (taxed.st_gain[~tax.taxable[p.trade_account]]).any()
    assert not (taxed.lt_gain[~tax.taxable[p.trade_account]]).any()


@settings(max_examples=150, deadline=None)
@given(SEEDS)
def test_no_wash_sale_and_budgets_kept(seed: int) -> None:
    _inp, tax, taxed = _run(seed)
    assert_no_wash_sale(taxed, tax)
    net = taxed.realized_st + taxed.realized_lt
    budget = tax.budget()
    over = tax.taxable & (net > np.maximum(budget, 0.0) + 1e-6)
    assert not over.any()


@settings(max_examples=150, deadline=None)
@given(SEEDS)
def test_cash_is_consistent_and_trades_only_shrink(seed: int) -> None:
    inp, _tax, taxed = _run(seed)
    p0, p = propose(inp, random_policy(seed)), taxed.proposals
    n = len(inp.accounts)
    touched = np.isin(np.arange(n), [c.account for c in taxed.changes])
    flows = (np.bincount(p.trade_account, p.side * p.value, minlength=n)
             + np.bincount(p.trade_account, p.cost, minlength=n))
    assert np.allclose(p.cash_after[touched], p.cash_before[touched] - flows[touched])
    assert np.array_equal(p.cash_after[~touched], p0.cash_after[~touched])
    ok = p.cash_before >= p.cash_keep
    assert (p.cash_after[ok] >= p.cash_keep[ok] - 1e-6).all()
    assert (p.quantity > 0).all()
    assert (p.value[p.side < 0].sum() <= p0.value[p0.side < 0].sum() + 1e-6)
    assert np.array_equal(np.lexsort((p.trade_instrument, p.side, p.trade_account)),
                          np.arange(p.n_trades))
    assert not inp.no_buy[p.trade_account[p.side > 0], p.trade_instrument[p.side > 0]].any()


@settings(max_examples=50, deadline=None)
@given(SEEDS)
def test_deterministic(seed: int) -> None:
    (_, _, one), (_, _, two) = _run(seed), _run(seed)
    for f in dataclasses.fields(one):
        x, y = getattr(one, f.name), getattr(two, f.name)
        if isinstance(x, np.ndarray):
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f.name
        elif f.name != "proposals":
            assert x == y, f.name
    for f in dataclasses.fields(one.proposals):
        x, y = getattr(one.proposals, f.name), getattr(two.proposals, f.name)
        if isinstance(x, np.ndarray):
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f.name


def test_sell_beyond_the_open_lots_is_a_data_error() -> None:
    inp = random_book(7)
    p = propose(inp, random_policy(7))
    tax = random_tax(inp, 7)
    sold = int(np.flatnonzero(p.side < 0)[0])
    a, j = int(p.trade_account[sold]), int(p.trade_instrument[sold])
    keep = ~((tax.lot_account == a) & (tax.lot_instrument == j))
    short = dataclasses.replace(
        tax, lot_account=tax.lot_account[keep], lot_instrument=tax.lot_instrument[keep],
        lot_id=tuple(np.array(tax.lot_id)[keep]), lot_quantity=tax.lot_quantity[keep],
        lot_basis=tax.lot_basis[keep], lot_acquired=tax.lot_acquired[keep],
        lot_holding_start=tax.lot_holding_start[keep])
    try:
        tax_pass(p, inp, short)
    except DataError as exc:
        assert "open lots hold 0" in str(exc)
    else:
        raise AssertionError("expected a DataError")
