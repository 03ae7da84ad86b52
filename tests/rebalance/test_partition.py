"""The pass is a pure function of a partition of the book by household: run on the whole book
or on each part alone (as separate processes or machines would), the trades, lots and gains
are the same, and the pass split over forked processes gives exactly the one-process result.
The book is the benchmark's synthetic one (households of 1–4 accounts, tax lots, recent
wash-sale activity, restrictions), on made-up prices."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import fields, replace
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from ballast.config.rebalance import RebalancePolicy
from ballast.rebalance import (
    HarvestSettings,
    RebalanceInput,
    TaxedProposals,
    TaxInput,
    harvest,
    propose,
    tax_pass,
)
from ballast.rebalance.tax_parallel import household_parts

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "rebalance.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_rebalance", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_rebalance"] = module
    spec.loader.exec_module(module)
    return module


def _run(inp: RebalanceInput, tax: TaxInput, policy: RebalancePolicy) -> TaxedProposals:
    settings = HarvestSettings(policy.harvest_min_loss, policy.harvest_min_loss_pct,
                               policy.harvest_max_per_account)
    return tax_pass(harvest(propose(inp, policy), inp, tax, settings), inp, tax,
                    short_term_hard_band=policy.short_term_hard_band)


def _part(inp: RebalanceInput, tax: TaxInput, rows: np.ndarray) -> tuple[RebalanceInput,
                                                                         TaxInput]:
    """The accounts ``rows`` (whole households) with their lots and their households' recent
    activity, re-indexed from 0."""
    new = np.full(len(inp.accounts), -1, dtype=np.int64)
    new[rows] = np.arange(rows.size)
    sub = replace(
        inp, accounts=tuple(inp.accounts[a] for a in rows.tolist()), model_of=inp.model_of[rows],
        quantity=inp.quantity[rows], unit_value=inp.unit_value[rows], cash=inp.cash[rows],
        cash_needed=inp.cash_needed[rows], no_buy=inp.no_buy[rows], no_sell=inp.no_sell[rows],
        forced=inp.forced[rows], hold=inp.hold[rows])
    lots = np.flatnonzero(new[tax.lot_account] >= 0)
    houses = np.unique(tax.household[rows])
    loss = np.isin(tax.loss_household, houses)
    buy = np.isin(tax.buy_household, houses)
    sub_tax = replace(
        tax, taxable=tax.taxable[rows], lot_method=tuple(tax.lot_method[a] for a in rows),
        household=tax.household[rows], lot_account=new[tax.lot_account[lots]],
        lot_instrument=tax.lot_instrument[lots], lot_id=tuple(tax.lot_id[x] for x in lots),
        lot_quantity=tax.lot_quantity[lots], lot_basis=tax.lot_basis[lots],
        lot_acquired=tax.lot_acquired[lots], lot_holding_start=tax.lot_holding_start[lots],
        gain_budget=None if tax.gain_budget is None else tax.gain_budget[rows],
        loss_household=tax.loss_household[loss], loss_instrument=tax.loss_instrument[loss],
        loss_date=tax.loss_date[loss], loss_quantity=tax.loss_quantity[loss],
        buy_household=tax.buy_household[buy], buy_instrument=tax.buy_instrument[buy],
        buy_date=tax.buy_date[buy], buy_quantity=tax.buy_quantity[buy])
    return sub, sub_tax


def _trades(inp: RebalanceInput, taxed: TaxedProposals) -> set[tuple[object, ...]]:
    p = taxed.proposals
    return {(inp.accounts[int(p.trade_account[i])], inp.instruments[int(p.trade_instrument[i])],
             int(p.side[i]), round(float(p.quantity[i]), 9), tuple(taxed.lots_of(i)),
             round(float(taxed.st_gain[i]), 6), round(float(taxed.lt_gain[i]), 6))
            for i in range(p.n_trades)}


def test_each_household_part_alone_gives_the_same_trades(bench: ModuleType) -> None:
    rng = np.random.default_rng(5)
    names = tuple(f"S{k:02d}" for k in range(60))
    snap = bench.build_snapshot(800, names, rng.uniform(10, 400, len(names)), seed=3)
    inp, tax = bench.to_input(snap), bench.to_tax_input(snap)
    policy = RebalancePolicy()
    whole = _trades(inp, _run(inp, tax, policy))
    assert len(whole) > 200  # a book that trades, with sells, buys, lots
    # two parts, by household (the unit of tax coordination), in a scrambled order
    odd = (tax.household % 2).astype(bool)
    parts = [np.flatnonzero(odd), np.flatnonzero(~odd)]
    split: set[tuple[object, ...]] = set()
    for rows in parts:
        sub, sub_tax = _part(inp, tax, rows)
        split |= _trades(sub, _run(sub, sub_tax, policy))
    assert split == whole


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    return a == b


def test_forked_parts_give_exactly_the_one_process_pass(bench: ModuleType) -> None:
    rng = np.random.default_rng(8)
    names = tuple(f"S{k:02d}" for k in range(60))
    snap = bench.build_snapshot(1500, names, rng.uniform(10, 400, len(names)), seed=4)
    inp, tax = bench.to_input(snap), bench.to_tax_input(snap)
    policy = RebalancePolicy()
    harvested = harvest(propose(inp, policy), inp, tax, HarvestSettings(
        policy.harvest_min_loss, policy.harvest_min_loss_pct, policy.harvest_max_per_account))
    one = tax_pass(harvested, inp, tax, short_term_hard_band=policy.short_term_hard_band)
    split = tax_pass(harvested, inp, tax, short_term_hard_band=policy.short_term_hard_band,
                     workers=3, split_from=0)
    assert one.changes and one.proposals.n_trades > 500
    for field in fields(one):
        if field.name != "proposals":
            assert _same(getattr(one, field.name), getattr(split, field.name)), field.name
    for field in fields(one.proposals):
        assert _same(getattr(one.proposals, field.name), getattr(split.proposals, field.name)), (
            field.name)


def test_household_parts_keep_households_whole_and_balance_trades() -> None:
    household = np.repeat(np.arange(300), 3)  # 900 accounts, 3 per household
    trade_account = np.random.default_rng(1).integers(0, 900, 5000)
    masks = household_parts(household, trade_account, 2)
    assert len(masks) == 2
    assert not (masks[0] & masks[1]).any() and (masks[0] | masks[1]).all()
    houses = [set(household[trade_account[m]].tolist()) for m in masks]
    assert not houses[0] & houses[1]
    assert abs(int(masks[0].sum()) - int(masks[1].sum())) < 100
    assert len(household_parts(household, trade_account[:1], 4)) == 1  # nothing to cut
