"""Household asset location: low-efficiency sleeves to tax-deferred accounts first, high ones to
taxable first, the household's combined sleeve targets exactly the model's."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ballast.config.models import ResolvedModel, parse_model, resolve
from ballast.config.rebalance import RebalancePolicy
from ballast.domain import AccountType, DataError
from ballast.engine.rebalance_input import model_targets
from ballast.rebalance import (
    Location,
    ModelTargets,
    RebalanceInput,
    SleeveTax,
    account_locations,
    locate,
    located_targets,
    propose,
)

INSTRUMENTS = ("BND", "VTI", "VNQ", "VXUS")
INDEX = {i: k for k, i in enumerate(INSTRUMENTS)}
D, E, T = Location.TAX_DEFERRED, Location.TAX_EXEMPT, Location.TAXABLE


def _resolved(name: str, cash: float, sleeves: list[dict[str, object]]) -> ResolvedModel:
    spec = parse_model({"name": name, "cash": {"target": cash}, "sleeves": sleeves})
    return resolve(name, {name: spec})


# 49 % bonds (low), 49 % equity (high), 2 % cash; the 5/25 rule.
BALANCED = _resolved("balanced", 0.02, [
    {"name": "bonds", "target": 0.49, "instruments": ["BND"], "tax_efficiency": "low"},
    {"name": "equity", "target": 0.49, "instruments": ["VTI"]}])
# Two low sleeves (one with its own absolute-only band), two high; 5 % cash.
FOUR = _resolved("four", 0.05, [
    {"name": "bonds", "target": 0.30, "instruments": ["BND"], "tax_efficiency": "low"},
    {"name": "equity", "target": 0.35, "instruments": ["VTI"]},
    {"name": "reits", "target": 0.10, "instruments": ["VNQ"], "tax_efficiency": "low",
     "bands": {"absolute": 0.02}},
    {"name": "intl", "target": 0.20, "instruments": ["VXUS"]}])
MODELS = (BALANCED, FOUR)
TARGETS = tuple(model_targets(m, INDEX, len(INSTRUMENTS)) for m in MODELS)
TAX = [SleeveTax.of(m) for m in MODELS]


def book(values: Sequence[float], model_of: Sequence[int] | None = None) -> RebalanceInput:
    """Accounts holding their value half in BND, half in VTI (unit value 1), no cash."""
    n, m = len(values), len(INSTRUMENTS)
    qty = np.zeros((n, m))
    qty[:, 0] = qty[:, 1] = np.asarray(values, dtype=np.float64) / 2
    return RebalanceInput(
        accounts=tuple(f"a{i}" for i in range(n)), instruments=INSTRUMENTS,
        model_of=np.asarray(model_of if model_of is not None else [0] * n, dtype=np.int64),
        models=TARGETS, quantity=qty, unit_value=np.ones((n, m)), cash=np.zeros(n),
        cash_needed=np.zeros(n), lot_size=np.ones(m), no_buy=np.zeros((n, m), dtype=bool),
        no_sell=np.zeros((n, m), dtype=bool), forced=np.zeros(n, dtype=bool),
        hold=np.zeros(n, dtype=bool))


def run(inp: RebalanceInput, household: Sequence[int], loc: Sequence[int]) -> RebalanceInput:
    return locate(inp, np.asarray(household, dtype=np.int64), np.asarray(loc, dtype=np.int64),
                  TAX)


def target(out: RebalanceInput, a: int) -> np.ndarray:
    return out.models[int(out.model_of[a])].target


def combined(out: RebalanceInput, rows: Sequence[int], values: Sequence[float]) -> np.ndarray:
    return sum(values[a] * target(out, a) for a in rows) / sum(values[a] for a in rows)


def test_ira_and_taxable_of_equal_size_split_bonds_and_equity() -> None:
    inp = book([100_000.0, 100_000.0])
    out = run(inp, [7, 7], [D, T])
    out.check()
    np.testing.assert_allclose(target(out, 0), [0.98, 0.0])  # the IRA: all bonds
    np.testing.assert_allclose(target(out, 1), [0.0, 0.98])  # taxable: all equity
    np.testing.assert_allclose(combined(out, [0, 1], [1.0, 1.0]), TARGETS[0].target)
    # Absolute band kept, relative one recomputed: min(0.05, 0.25 × target).
    np.testing.assert_allclose(out.models[int(out.model_of[0])].tolerance, [0.05, 0.0])
    located = out.models[int(out.model_of[0])]
    assert (located.name, located.version, located.cash_target) == (
        "balanced", TARGETS[0].version, 0.02)
    assert located.member is TARGETS[0].member  # shared, not copied
    assert out.models[:2] == TARGETS and len(out.models) == 4


def test_unequal_sizes_split_the_remainder() -> None:
    values = [30_000.0, 70_000.0]
    # The larger account is the IRA: it takes all 49,000 of bonds and 19,600 of equity.
    out = run(book(values), [0, 0], [T, D])
    np.testing.assert_allclose(target(out, 1), [0.70, 0.28])
    np.testing.assert_allclose(target(out, 0), [0.0, 0.98])
    np.testing.assert_allclose(combined(out, [0, 1], values), TARGETS[0].target)
    # The smaller one is: it fills with 29,400 of bonds, taxable holds the 19,600 left.
    out = run(book(values), [0, 0], [D, T])
    np.testing.assert_allclose(target(out, 0), [0.98, 0.0])
    np.testing.assert_allclose(target(out, 1), [19_600 / 70_000, 0.98 - 19_600 / 70_000])
    np.testing.assert_allclose(combined(out, [0, 1], values), TARGETS[0].target)
    np.testing.assert_allclose(out.models[int(out.model_of[1])].tolerance,
                               [0.05, 0.05])  # 0.25 × 0.28 = 0.07 and 0.25 × 0.7: both capped


def test_deferred_then_exempt_then_taxable_and_pro_rata_within_a_class() -> None:
    values = [20_000.0, 30_000.0, 50_000.0]  # taxable, Roth, IRA
    out = run(book(values, [1, 1, 1]), [3, 3, 3], [T, E, D])
    sleeves = out.models[int(out.model_of[0])].sleeve_names
    assert sleeves == ("bonds", "equity", "reits", "intl")
    # Low: 40 % of 100,000 = 40,000 → the IRA (47,500 capacity) takes it all, in 30:10.
    # Its 7,500 left (15 %) goes to the high sleeves, 35:20.
    np.testing.assert_allclose(target(out, 2), [0.6, 0.15 * 0.35 / 0.55, 0.2,
                                                0.15 * 0.20 / 0.55])
    np.testing.assert_allclose(target(out, 1), [0.0, 0.95 * 0.35 / 0.55, 0.0, 0.95 * 0.20 / 0.55])
    np.testing.assert_allclose(target(out, 0), [0.0, 0.95 * 0.35 / 0.55, 0.0, 0.95 * 0.20 / 0.55])
    np.testing.assert_allclose(combined(out, [0, 1, 2], values), TARGETS[1].target)
    # reits keep their absolute-only band; bonds get min(0.05, 0.25 × 0.6).
    np.testing.assert_allclose(out.models[int(out.model_of[2])].tolerance[[0, 2]], [0.05, 0.02])
    out = run(book(values, [1, 1, 1]), [3, 3, 3], [T, E, E])  # no IRA: the Roths come first
    assert target(out, 0)[[0, 2]].sum() == 0.0


def test_alone_or_all_of_one_type_or_unlocatable_is_unchanged() -> None:
    inp = book([50_000.0, 80_000.0, 10_000.0, 60_000.0], [0, 0, 0, -1])
    # Household 1 (all taxable), a household of one, and an account with no model.
    out = run(inp, [1, 1, 2, 3], [T, T, D, D])
    assert out.models == TARGETS and (out.model_of == inp.model_of).all()
    # Mixed models: each model's accounts are located among themselves; here one each.
    out = run(book([50_000.0, 80_000.0], [0, 1]), [1, 1], [D, T])
    assert (out.model_of == [0, 1]).all() and len(out.models) == 2
    # A missing price leaves the account at the model and out of its group.
    bad = book([50_000.0, 80_000.0, 10_000.0])
    bad.unit_value[0, 0] = np.nan
    out = run(bad, [1, 1, 1], [D, T, D])
    assert out.model_of[0] == 0
    np.testing.assert_allclose(target(out, 2), [0.98, 0.0])
    np.testing.assert_allclose(combined(out, [1, 2], [0.0, 80_000.0, 10_000.0]),
                               TARGETS[0].target)
    # A model whose sleeves are all high: nothing to locate.
    high = replace_low(TAX[0], np.zeros(2, dtype=bool))
    out = locate(book([1.0, 1.0]), np.zeros(2, dtype=np.int64),
                 np.array([D, T], dtype=np.int64), [high, TAX[1]])
    assert len(out.models) == 2


def replace_low(tax: SleeveTax, low: np.ndarray) -> SleeveTax:
    return SleeveTax(low, tax.band_absolute, tax.band_relative)


def test_located_input_drives_propose_toward_location() -> None:
    out = run(book([100_000.0, 100_000.0]), [0, 0], [D, T])
    props = propose(out, RebalancePolicy())
    sides = {(props.row(i).account, out.instruments[props.row(i).instrument]): props.row(i).side
             for i in range(props.n_trades)}
    assert sides == {(0, "VTI"): -1, (0, "BND"): 1, (1, "BND"): -1, (1, "VTI"): 1}


def test_deterministic_and_independent_of_household_labels() -> None:
    values = [10.0, 40.0, 25.0, 25.0, 60.0]
    inp = book(values, [1, 1, 0, 0, 1])
    a = run(inp, [5, 5, 2, 2, 5], [T, D, D, T, E])
    b = run(inp, [0, 0, 9, 9, 0], [T, D, D, T, E])
    assert (a.model_of == b.model_of).all()
    for x, y in zip(a.models, b.models, strict=True):
        np.testing.assert_array_equal(x.target, y.target)
        np.testing.assert_array_equal(x.tolerance, y.tolerance)


def test_account_locations_and_bad_shapes() -> None:
    codes = account_locations([AccountType.TAXABLE, AccountType.TAX_DEFERRED,
                               AccountType.TAX_EXEMPT])
    assert codes.tolist() == [2, 0, 1]
    inp = book([1.0, 2.0])
    with pytest.raises(DataError):
        run(inp, [0], [D, T])
    with pytest.raises(DataError):
        run(inp, [0, 0], [D, 5])
    with pytest.raises(DataError):
        locate(inp, np.zeros(2, dtype=np.int64), np.zeros(2, dtype=np.int64), TAX[:1])


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_household_combined_targets_are_the_models(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 30))
    household = rng.integers(0, max(1, n // 2), n)
    model_of = rng.integers(-1, 2, n)
    values = rng.lognormal(11, 1.5, n)
    loc = rng.integers(0, 3, n)
    inp = book(values, model_of)
    out = locate(inp, household, loc, TAX)
    out.check()
    for a in range(n):
        k = int(model_of[a])
        if k < 0:
            assert out.model_of[a] == -1
            continue
        t, md = target(out, a), TARGETS[k]
        assert (t >= 0).all() and t.sum() == pytest.approx(md.target.sum(), abs=1e-12)
        assert isinstance(out.models[int(out.model_of[a])], ModelTargets)
    for h in np.unique(household):
        for k in (0, 1):
            rows = np.flatnonzero((household == h) & (model_of == k))
            if rows.size == 0:
                continue
            np.testing.assert_allclose(combined(out, list(rows), list(values)),
                                       TARGETS[k].target, rtol=1e-12, atol=1e-12)
            low = TAX[k].low
            share = [target(out, int(a))[low].sum() / TARGETS[k].target.sum() for a in rows]
            if rows.size == 1 or len(set(loc[rows])) == 1:
                assert all(out.model_of[rows] == k)
                continue
            # Greedy: an account holding any high sleeve means every account placed after it
            # (later location, or same location and later index) holds no low sleeve.
            order = sorted(range(rows.size), key=lambda i: (loc[rows[i]], rows[i]))
            partial = [share[i] for i in order]
            for i in range(len(partial) - 1):
                if partial[i] < 1 - 1e-12:
                    assert max(partial[i + 1:]) <= 1e-12


def test_located_targets_arrays_match_the_per_account_models() -> None:
    values = [10.0, 40.0, 25.0, 25.0, 60.0, 5.0]
    inp = book(values, [1, 1, 0, 0, 1, -1])
    args = (np.array([5, 5, 2, 2, 5, 5]), np.array([T, D, D, T, E, D]), TAX)
    lt = located_targets(inp, *args)
    out = locate(inp, *args)
    assert lt.located.tolist() == [True, True, True, True, True, False]
    assert lt.target.shape == (6, 4) and np.isnan(lt.target[5]).all()
    assert np.isnan(lt.target[2:4, 2:]).all()  # balanced has 2 sleeves of 4
    for a in range(5):
        md = out.models[int(out.model_of[a])]
        s = len(md.sleeve_names)
        np.testing.assert_array_equal(lt.target[a, :s], md.target)
        np.testing.assert_array_equal(lt.tolerance[a, :s], md.tolerance)
    alone = located_targets(inp, np.arange(6), args[1], TAX)
    assert not alone.located.any()
    np.testing.assert_array_equal(alone.target[0], TARGETS[1].target)
