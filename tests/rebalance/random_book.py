"""Random books for property tests and the reference comparison (seeded numpy)."""

from __future__ import annotations

import numpy as np

from ballast.config.rebalance import CostModel, RebalancePolicy, TradeTo
from ballast.rebalance import ModelTargets, RebalanceInput


def random_model(rng: np.random.Generator, m: int, k: int) -> ModelTargets:
    s = int(rng.integers(1, 4))
    cash_target = float(rng.choice([0.0, 0.02, 0.05]))
    target = rng.dirichlet(np.ones(s)) * (1 - cash_target)
    member = np.where(rng.random(m) < 0.75, rng.integers(0, s, m), -1).astype(np.int64)
    pref = np.full(m, -1, dtype=np.int64)
    for sl in range(s):
        idx = np.flatnonzero(member == sl)
        pref[idx] = rng.permutation(idx.size)
    return ModelTargets(
        name=f"m{k}", version="1", cash_target=cash_target,
        cash_minimum=float(rng.choice([0.0, cash_target / 2, cash_target])),
        sleeve_names=tuple(f"s{i}" for i in range(s)), target=target,
        tolerance=np.minimum(0.05, 0.25 * target), member=member, preference=pref)


def random_book(seed: int, n: int = 40, m: int = 8) -> RebalanceInput:
    """``n`` accounts over ``m`` instruments, 2 models, restrictions, odd lots, rare NaNs."""
    rng = np.random.default_rng(seed)
    models = tuple(random_model(rng, m, k) for k in range(2))
    lot = rng.choice([1.0, 1.0, 0.001, 10.0], m)
    held = rng.random((n, m)) < 0.5
    qty = np.where(held, np.round(rng.uniform(0, 400, (n, m)) / lot) * lot, 0.0)
    qty[rng.random((n, m)) < 0.03] += 0.37  # a few fractional leftovers (dividend reinvestment)
    uv = np.tile(rng.uniform(5, 300, m), (n, 1)) * rng.choice([1.0, 1.1], (n, 1))
    uv[rng.random((n, m)) < 0.004] = np.nan
    invested = np.nansum(qty * uv, axis=1)
    cash = invested * rng.choice([0.0, 0.01, 0.03, 0.2], n) + rng.choice([0.0, 5000.0], n)
    need = np.where(rng.random(n) < 0.2, rng.uniform(0, 0.15, n) * (invested + cash), 0.0)
    return RebalanceInput(
        accounts=tuple(f"a{i}" for i in range(n)), instruments=tuple(f"i{j}" for j in range(m)),
        model_of=rng.integers(-1, 2, n) if rng.random() < 0.3 else rng.integers(0, 2, n),
        models=models, quantity=qty, unit_value=uv, cash=cash, cash_needed=need,
        lot_size=lot, no_buy=rng.random((n, m)) < 0.1, no_sell=rng.random((n, m)) < 0.1,
        forced=rng.random(n) < 0.1, hold=rng.random(n) < 0.1)


def random_policy(seed: int) -> RebalancePolicy:
    rng = np.random.default_rng(seed + 1)
    return RebalancePolicy(
        trade_to=TradeTo.TARGET if rng.random() < 0.5 else TradeTo.BAND_EDGE,
        total_drift_limit=float(rng.choice([0.05, 0.1])),
        min_trade_value=float(rng.choice([0.0, 100.0])),
        min_trade_quantity=float(rng.choice([0.0, 1.0])),
        costs=CostModel(commission=float(rng.choice([0.0, 5.0])),
                        half_spread_bps=float(rng.choice([0.0, 2.0])),
                        impact_bps=float(rng.choice([0.0, 3.0]))))
