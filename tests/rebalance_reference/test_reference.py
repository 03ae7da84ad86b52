"""The cvxpy reference: exact on hand-solved accounts; the engine close to it and within every
hard constraint on random accounts."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np
import pytest

from ballast.config.rebalance import CostModel, RebalancePolicy
from ballast.rebalance import ModelTargets, RebalanceInput, propose

from .reference_cvxpy import check_constraints, objective_gap, reference, trades_account

INST = ("A", "B", "B2", "C")
# A hair of cost (1e-6) makes the optimum unique (no buying and selling the same thing).
FREE = RebalancePolicy(costs=CostModel(half_spread_bps=0.01), min_trade_value=0.0)


def _model(targets: Sequence[float], members: Mapping[str, tuple[int, int]],
           cash: float = 0.0, instruments: Sequence[str] = INST) -> ModelTargets:
    member = np.full(len(instruments), -1, dtype=np.int64)
    pref = np.full(len(instruments), -1, dtype=np.int64)
    for name, (sleeve, rank) in members.items():
        member[instruments.index(name)], pref[instruments.index(name)] = sleeve, rank
    t = np.array(targets, dtype=float)
    return ModelTargets(
        name="m", version="1", cash_target=cash, cash_minimum=cash,
        sleeve_names=tuple(f"s{i}" for i in range(len(t))), target=t,
        tolerance=np.minimum(0.05, 0.25 * t), member=member, preference=pref)


AB = {"A": (0, 0), "B": (1, 0)}
AB2 = {"A": (0, 0), "B": (1, 0), "B2": (1, 1)}


def _one(holdings: Mapping[str, float], cash: float = 0.0, model: ModelTargets | None = None,
         need: float = 0.0, no_buy: Sequence[str] = (), no_sell: Sequence[str] = (),
         price: float = 1.0) -> RebalanceInput:
    m = len(INST)
    extra = ({"hold": np.zeros(1, dtype=bool)}
             if "hold" in RebalanceInput.__dataclass_fields__ else {})
    return RebalanceInput(
        accounts=("x",), instruments=INST, model_of=np.zeros(1, dtype=np.int64),
        models=(model or _model([0.5, 0.5], AB),),
        quantity=np.array([[holdings.get(i, 0.0) for i in INST]]),
        unit_value=np.full((1, m), price), cash=np.array([cash]), cash_needed=np.array([need]),
        lot_size=np.ones(m), no_buy=np.array([[i in no_buy for i in INST]]),
        no_sell=np.array([[i in no_sell for i in INST]]), forced=np.ones(1, dtype=bool),
        **extra)


def _trades(inp: RebalanceInput, policy: RebalancePolicy = FREE) -> dict[str, float]:
    sol = reference(inp, 0, policy)
    out = {f"+{n}": float(b) for n, b in zip(INST, sol.buy, strict=True) if b > 1e-3}
    out |= {f"-{n}": float(s) for n, s in zip(INST, sol.sell, strict=True) if s > 1e-3}
    return out


def _close(got: Mapping[str, float], want: Mapping[str, float], tol: float = 1e-4) -> None:
    assert set(got) == set(want), (got, want)
    for k, v in want.items():
        assert got[k] == pytest.approx(v, rel=tol, abs=tol), (k, got, want)


def test_two_sleeves_swap_the_excess() -> None:
    inp = _one({"A": 6, "B": 4}, price=10.0)  # T = 100: 60 / 40 against 50 / 50
    _close(_trades(inp), {"-A": 1, "+B": 1})
    sol = reference(inp, 0, FREE)
    assert sol.objective == pytest.approx(0, abs=1e-6)  # the hair of cost
    assert sol.objective_start == pytest.approx(0.1**2 + 0.1**2)


def test_costs_shrink_the_trade_and_the_budget_binds() -> None:
    # rate r; sell y, buy c·y (c = (1-r)/(1+r), all proceeds spent);
    # f(y) = (0.1-y)² + (c·y-0.1)² + r(1+c)y  →  y = (1+c)(0.2-r) / (2(1+c²)).
    r = 0.005
    policy = RebalancePolicy(costs=CostModel(half_spread_bps=r * 1e4), min_trade_value=0.0)
    c = (1 - r) / (1 + r)
    y = (1 + c) * (0.2 - r) / (2 * (1 + c * c))
    _close(_trades(_one({"A": 60, "B": 40}), policy), {"-A": 100 * y, "+B": 100 * c * y})
    want = (0.1 - y) ** 2 + (c * y - 0.1) ** 2 + r * (1 + c) * y
    assert reference(_one({"A": 60, "B": 40}), 0, policy).objective == pytest.approx(want)


def test_do_not_sell_leaves_only_the_cash_to_deploy() -> None:
    # T = 110, B's target 55: buy min(cash 10, 15) = 10.
    _close(_trades(_one({"A": 60, "B": 40}, cash=10, no_sell=["A"])), {"+B": 10})


def test_do_not_buy_goes_to_the_alternate() -> None:
    inp = _one({"A": 60, "B": 40}, no_buy=["B"], model=_model([0.5, 0.5], AB2))
    _close(_trades(inp), {"-A": 10, "+B2": 10})


def test_cash_to_keep_is_raised() -> None:
    model = _model([0.45, 0.45], AB, cash=0.10)  # keep 10 of 100; targets 45 / 45
    inp = _one({"A": 60, "B": 40}, model=model)
    _close(_trades(inp), {"-A": 15, "+B": 5})


def test_withdrawal_scales_the_targets() -> None:
    # keep 20 → effective targets 40 / 40.
    _close(_trades(_one({"A": 50, "B": 50}, need=20)), {"-A": 10, "-B": 10})


def test_holding_outside_the_model_is_sold_or_stuck() -> None:
    _close(_trades(_one({"A": 50, "B": 40, "C": 10})), {"-C": 10, "+B": 10})
    inp = _one({"A": 50, "B": 40, "C": 10}, no_sell=["C"])  # legacy: targets 45 / 45
    _close(_trades(inp), {"-A": 5, "+B": 5})
    assert reference(inp, 0, FREE).objective == pytest.approx(0.1**2, abs=1e-6)


def random_accounts(seed: int, n: int = 30) -> RebalanceInput:
    """``n`` drifted accounts ($200k–$3M, whole shares) over 24 instruments and 2 models of 4
    sleeves; deposits, withdrawals, legacy holdings and restrictions; all triggered."""
    rng = np.random.default_rng(seed)
    m = 24
    names = tuple(f"i{j}" for j in range(m))
    models = []
    for k in range(2):
        cols = rng.choice(m, 10, replace=False)
        members = {names[c]: (int(s), int(r)) for c, s, r in
                   zip(cols, [0, 0, 1, 1, 1, 2, 2, 3, 3, 3], [0, 1, 0, 1, 2, 0, 1, 0, 1, 2],
                       strict=True)}
        t = rng.dirichlet(np.full(4, 4.0)) * 0.98
        md = _model(list(t), members, instruments=names)
        models.append(dataclasses.replace(md, name=f"m{k}", cash_target=0.02,
                                          cash_minimum=0.01))
    price = rng.uniform(10, 400, m)
    model_of = rng.integers(0, 2, n)
    total = rng.uniform(200_000, 3_000_000, n)
    w = np.zeros((n, m))
    for i in range(n):
        md = models[model_of[i]]
        inside = np.flatnonzero(md.member >= 0)
        w[i, inside] = md.target[md.member[inside]] / np.bincount(md.member[inside])[
            md.member[inside]]
        w[i] *= rng.lognormal(0, 0.25, m)
        if rng.random() < 0.3:  # a legacy holding outside the model
            w[i, rng.choice(np.flatnonzero(md.member < 0))] = 0.02
    w /= w.sum(axis=1, keepdims=True) / 0.97
    qty = np.floor(w * total[:, None] / price)
    legacy = (qty > 0) & (np.stack([models[k].member for k in model_of]) < 0)
    extra = ({"hold": np.zeros(n, dtype=bool)}
             if "hold" in RebalanceInput.__dataclass_fields__ else {})
    return RebalanceInput(
        accounts=tuple(f"a{i}" for i in range(n)), instruments=names,
        model_of=model_of.astype(np.int64), models=tuple(models), quantity=qty,
        unit_value=np.tile(price, (n, 1)),
        cash=total * rng.choice([0.03, 0.03, 0.12], n),
        cash_needed=np.where(rng.random(n) < 0.15, 0.05 * total, 0.0), lot_size=np.ones(m),
        no_buy=rng.random((n, m)) < 0.03, no_sell=legacy | (rng.random((n, m)) < 0.02),
        forced=np.ones(n, dtype=bool), **extra)


def test_engine_is_close_to_the_reference_and_feasible() -> None:
    policy = RebalancePolicy()
    inp = random_accounts(3)
    proposals = propose(inp, policy)
    gaps, starts = [], []
    for a in range(len(inp.accounts)):
        assert trades_account(inp, proposals, a)
        assert check_constraints(inp, proposals, a, policy) == [], a
        g = objective_gap(inp, proposals, a, policy)
        assert g.reference <= g.start + 1e-12 and g.reference <= g.engine + 1e-9
        gaps.append(g.gap)
        starts.append(g.gap_vs_start)
    assert np.median(gaps) <= 0.01
    assert np.percentile(gaps, 95) <= 0.05
    assert max(starts) <= 0.05


def test_constraint_check_catches_bad_trades() -> None:
    policy = RebalancePolicy()
    inp = random_accounts(4, n=4)
    good = propose(inp, policy)
    a = int(good.trade_account[0])
    sells = np.flatnonzero((good.trade_account == a) & (good.side < 0))
    buys = np.flatnonzero((good.trade_account == a) & (good.side > 0))
    assert sells.size and buys.size
    s, b = int(sells[0]), int(buys[0])

    def bad(**columns: np.ndarray) -> list[str]:
        return check_constraints(inp, dataclasses.replace(good, **columns), a, policy)

    qty = good.quantity.copy()
    qty[s] = inp.quantity[a, good.trade_instrument[s]] + 5
    assert "short" in bad(quantity=qty)
    qty = good.quantity.copy()
    qty[b] += 0.5
    assert "lot" in bad(quantity=qty)
    assert "cash_accounting" in bad(quantity=qty)
    inst = good.trade_instrument.copy()
    outside = np.flatnonzero(inp.models[inp.model_of[a]].member < 0)
    inst[b] = outside[0]
    assert "buy_outside_model" in bad(trade_instrument=inst)
    qty = good.quantity.copy()
    qty[b] += np.ceil((good.cash_after[a] - good.cash_keep[a] + 1000) / good.unit_value[b])
    assert "cash_reserve" in bad(quantity=qty)
    assert check_constraints(inp, good, a, policy) == []
