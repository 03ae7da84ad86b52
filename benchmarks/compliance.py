"""Pre-trade compliance at scale: 100,000 synthetic proposals (about 25 holdings and 5 trades
each, on a 150-instrument approved list with issuers, sectors, countries, ADV and a year of
returns) checked against 20 rules. Prints one JSON line. Target: at most 10 s."""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import date

import numpy as np

from ballast.compliance import CheckInput, check, rules_of
from ballast.config.compliance import RuleSet

TARGET_SECONDS = 10.0
SECTORS = ("Tech", "Health", "Financials", "Energy", "Staples", "Industrials", "Utilities")
RULES = RuleSet.model_validate({"name": "bench", "rules": [
    {"id": "issuer", "kind": "max_weight", "by": "issuer", "limit": 0.15, "kinds": ["equity"]},
    {"id": "instrument", "kind": "max_weight", "by": "instrument", "limit": 0.25},
    {"id": "sector", "kind": "max_weight", "by": "sector", "limit": 0.40},
    {"id": "country", "kind": "max_weight", "by": "country", "limit": 0.5,
     "groups": ["GB", "DE"]},
    {"id": "currency", "kind": "max_weight", "by": "currency", "limit": 0.3, "groups": ["EUR"]},
    {"id": "asset-class", "kind": "min_weight", "by": "asset_class", "limit": 0.3,
     "groups": ["equity"]},
    {"id": "tech-min", "kind": "min_weight", "by": "sector", "limit": 0.02, "groups": ["Tech"],
     "action": "warn"},
    {"id": "min-cash", "kind": "min_cash", "limit": 0.005, "action": "auto_fix"},
    {"id": "max-cash", "kind": "max_cash", "limit": 0.25, "action": "warn"},
    {"id": "restricted", "kind": "restricted", "instruments": ["S007", "S042"],
     "action": "auto_fix"},
    {"id": "no-shorts", "kind": "no_shorts"},
    {"id": "leverage", "kind": "max_gross_exposure", "limit": 1.05},
    {"id": "turnover", "kind": "max_turnover", "limit": 0.2, "action": "warn"},
    {"id": "liquidity", "kind": "liquidity", "max_adv_fraction": 0.01, "min_adv": 20_000,
     "action": "auto_fix"},
    {"id": "var", "kind": "max_var", "limit": 0.02},
    {"id": "cvar", "kind": "max_cvar", "limit": 0.025, "method": "gaussian"},
    {"id": "te", "kind": "max_tracking_error", "limit": 0.08, "action": "warn"},
    {"id": "suitability", "kind": "suitability"},
    {"id": "wash-sale", "kind": "wash_sale"},
    {"id": "growth-tech", "model": "growth", "kind": "max_weight", "by": "sector",
     "limit": 0.45, "groups": ["Tech"]},
]})


def synthetic(n: int, m: int = 150, holdings: int = 25, trades: int = 5,
              seed: int = 0) -> CheckInput:
    """A random book of ``n`` accounts with realistic attributes."""
    rng = np.random.default_rng(seed)
    held = np.argsort(rng.random((n, m)), axis=1)[:, :holdings]
    value = np.zeros((n, m))
    rows = np.repeat(np.arange(n), holdings)
    value[rows, held.ravel()] = rng.lognormal(8, 0.4, n * holdings)
    price = rng.uniform(10, 500, m)
    ta = np.repeat(np.arange(n), trades)
    ti = held[:, :trades].ravel()
    side = np.where(rng.random(n * trades) < 0.5, 1, -1)
    qty = np.floor(value[ta, ti] / price[ti] * rng.uniform(0.05, 0.3, n * trades)) + 1
    issuer = [f"I{j // 2:03d}" if j < 40 else "" for j in range(m)]  # share-class pairs
    country = rng.choice(["US", "US", "US", "GB", "DE"], m)
    targets = np.zeros((3, m))
    for k in range(3):
        targets[k, rng.choice(m, 20, replace=False)] = 0.049
    model = rng.integers(0, 3, n)
    return CheckInput(
        as_of=date(2021, 3, 31), accounts=tuple(f"A{i:06d}" for i in range(n)),
        models=tuple(("growth", "balanced", "income")[k] for k in model),
        household=np.arange(n, dtype=np.int64) // 3, instruments=tuple(f"S{j:03d}"
                                                                       for j in range(m)),
        quantity_before=value / price, value_before=value,
        cash_before=value.sum(axis=1) * rng.uniform(0.005, 0.06, n),
        trade_account=ta, trade_instrument=ti, trade_side=side.astype(np.int64),
        trade_quantity=qty, trade_value=qty * price[ti], trade_cost=np.zeros(n * trades),
        trade_gain=rng.normal(0, 200, n * trades) * (side < 0),
        issuer=tuple(issuer), asset_class=tuple(rng.choice(["equity", "fund"], m, p=[.8, .2])),
        sector=tuple(rng.choice(SECTORS, m)), country=tuple(country),
        currency=tuple(np.where(country == "DE", "EUR", np.where(country == "GB", "GBP",
                                                                   "USD"))),
        kind=tuple(rng.choice(["equity", "etf"], m, p=[.85, .15])),
        wash_group=tuple(f"S{j:03d}" for j in range(m)), lot_size=np.ones(m),
        adv=rng.lognormal(13, 1.5, m),
        risk_score=np.array([5.0, 4.0, 2.0])[model] + (rng.random(n) < 0.98) * 2 - 1,
        model_risk_level=np.array([5.0, 4.0, 2.0])[model],
        restricted=np.zeros((n, m), dtype=bool), target_weight=targets[model],
        returns=rng.normal(0.0004, 0.012, (250, m)),
        loss_household=rng.integers(0, n // 3, n // 20), loss_group=tuple(
            f"S{j:03d}" for j in rng.integers(0, m, n // 20)),
        loss_date=np.full(n // 20, np.datetime64("2021-03-20")))


def main(n: int = 100_000) -> None:
    inp = synthetic(n)
    rules = rules_of([RULES])
    started = time.perf_counter()
    outcome = check(inp, rules)
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    denied = sum(1 for d in outcome.decisions if not d.approved)
    sys.stdout.write(json.dumps({
        "proposals": n, "rules": len(rules), "trades": len(inp.trade_account),
        "seconds": round(seconds, 3), "violations": len(outcome.violations),
        "denied": denied, "fixes": len(outcome.fixes), "peak_rss_mb": round(rss, 1),
        "targets": {"seconds": TARGET_SECONDS}, "met": seconds <= TARGET_SECONDS}) + "\n")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
