"""Rebalancer core benchmark: `propose` on a synthetic book built directly as arrays.

100,000 accounts × 150 instruments, 5 models of 6 sleeves (3 instruments each), holdings near
target with noise, some deposits, withdrawals, restrictions and stray holdings. Prints one
JSON line. Target (issue 3, core only): well under 30 s and 4 GB for 100,000 accounts.

    python benchmarks/rebalance_core.py [--accounts N] [--instruments N] [--seed N]
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np

from ballast.config.rebalance import RebalancePolicy
from ballast.rebalance import ModelTargets, RebalanceInput, propose


def build(n: int, m: int, seed: int) -> RebalanceInput:
    rng = np.random.default_rng(seed)
    models: list[ModelTargets] = []
    weights = np.zeros((5, m))
    for k in range(5):
        cols = rng.choice(m, 18, replace=False)
        member = np.full(m, -1, dtype=np.int64)
        pref = np.full(m, -1, dtype=np.int64)
        member[cols] = np.repeat(np.arange(6), 3)
        pref[cols] = np.tile(np.arange(3), 6)
        target = rng.dirichlet(np.full(6, 4.0)) * 0.98
        models.append(ModelTargets(
            name=f"model{k}", version="1", cash_target=0.02, cash_minimum=0.01,
            sleeve_names=tuple(f"sleeve{s}" for s in range(6)), target=target,
            tolerance=np.minimum(0.05, 0.25 * target), member=member, preference=pref))
        weights[k, cols] = np.repeat(target, 3) * np.tile([0.6, 0.3, 0.1], 6)
    model_of = rng.integers(0, 5, n)
    price = rng.uniform(10, 500, m)
    total = rng.lognormal(12, 1, n)
    w = weights[model_of] * rng.lognormal(0, 0.08, (n, m))
    w[rng.random((n, m)) < 0.001] = 0.01  # stray holdings outside the model
    quantity = np.floor(w * total[:, None] / price)
    unit_value = np.broadcast_to(price, (n, m)).copy()
    cash = total * np.where(rng.random(n) < 0.05, 0.10, 0.02)
    cash_needed = np.where(rng.random(n) < 0.03, total * 0.05, 0.0)
    return RebalanceInput(
        accounts=tuple(f"acct{i}" for i in range(n)), instruments=tuple(f"inst{j}" for j in
                                                                        range(m)),
        model_of=model_of.astype(np.int64), models=tuple(models), quantity=quantity,
        unit_value=unit_value, cash=cash, cash_needed=cash_needed, lot_size=np.ones(m),
        no_buy=rng.random((n, m)) < 0.005, no_sell=rng.random((n, m)) < 0.005,
        forced=rng.random(n) < 0.02, hold=np.zeros(n, dtype=bool))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--instruments", type=int, default=150)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    inp = build(args.accounts, args.instruments, args.seed)
    start = time.perf_counter()
    proposals = propose(inp, RebalancePolicy())
    seconds = time.perf_counter() - start
    print(json.dumps({
        "accounts": args.accounts,
        "triggered": int(proposals.triggered.sum()),
        "trades": proposals.n_trades,
        "seconds": round(seconds, 3),
        "accounts_per_second": round(args.accounts / seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
