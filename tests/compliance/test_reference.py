"""The vectorized check equals a slow per-account loop on random books, and its VaR, CVaR and
tracking error equal ballast.analytics on each account."""

from __future__ import annotations

import numpy as np
import pytest

from ballast.analytics import tracking_error
from ballast.analytics.var import gaussian, historical
from ballast.compliance import CheckInput, evaluate
from ballast.compliance.tail import tail_losses
from ballast.config.compliance import TailMethod

from .book import INSTRUMENTS, batch
from .test_rules import rules

RULES = rules(
    {"id": "issuer", "kind": "max_weight", "by": "issuer", "limit": 0.3},
    {"id": "sector", "kind": "max_weight", "by": "sector", "limit": 0.5},
    {"id": "mincash", "kind": "min_cash", "limit": 0.05},
    {"id": "maxcash", "kind": "max_cash", "limit": 0.2},
    {"id": "shorts", "kind": "no_shorts"},
    {"id": "turnover", "kind": "max_turnover", "limit": 0.15},
    {"id": "restricted", "kind": "restricted", "instruments": ["XOM"]},
)


def random_batch(seed: int) -> CheckInput:
    rng = np.random.default_rng(seed)
    holdings = {f"A{i}": {s: float(rng.integers(0, 40)) * 100 for s in INSTRUMENTS
                          if rng.random() < 0.7} for i in range(30)}
    cash = {a: float(rng.integers(0, 3000)) for a in holdings}
    trades = [(a, str(rng.choice(INSTRUMENTS)), str(rng.choice(["buy", "sell"])),
               float(rng.integers(1, 15))) for a in holdings for _ in range(rng.integers(0, 5))]
    return batch(holdings, cash, trades)


def reference(inp: CheckInput) -> set[tuple[str, str, str, float]]:
    """The same rules, one account and one instrument at a time."""
    out = set()
    issuer = [i or s for i, s in zip(inp.issuer, inp.instruments, strict=True)]
    for a, acct in enumerate(inp.accounts):
        q = dict(zip(inp.instruments, inp.quantity_before[a], strict=True))
        v = dict(zip(inp.instruments, inp.value_before[a], strict=True))
        cash, traded = inp.cash_before[a], 0.0
        total_before = sum(v.values()) + cash
        bought = set()
        for t in range(len(inp.trade_account)):
            if inp.trade_account[t] == a:
                s, sign = inp.instruments[inp.trade_instrument[t]], inp.trade_side[t]
                q[s] += sign * inp.trade_quantity[t]
                v[s] += sign * inp.trade_value[t]
                cash -= sign * inp.trade_value[t]
                traded += inp.trade_value[t]
                if sign > 0:
                    bought.add(s)
        total = sum(v.values()) + cash
        for rule, labels, limit in (("issuer", issuer, 0.3), ("sector", inp.sector, 0.5)):
            for g in set(labels):
                w = sum(v[s] for s, lab in zip(inp.instruments, labels, strict=True)
                        if lab == g) / total
                if w > limit + 1e-9:
                    out.add((acct, rule, g, round(w, 9)))
        if cash / total < 0.05 - 1e-9:
            out.add((acct, "mincash", "cash", round(cash / total, 9)))
        if cash / total > 0.2 + 1e-9:
            out.add((acct, "maxcash", "cash", round(cash / total, 9)))
        out |= {(acct, "shorts", s, round(x, 9)) for s, x in q.items() if x < -1e-9}
        if traded / total_before > 0.15 + 1e-9:
            out.add((acct, "turnover", "turnover", round(traded / total_before, 9)))
        if "XOM" in bought:
            out.add((acct, "restricted", "XOM", -1.0))
        elif q["XOM"] > 1e-9:
            out.add((acct, "restricted", "XOM", -2.0))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_vectorized_equals_the_per_account_loop(seed: int) -> None:
    inp = random_batch(seed)
    found, _ = evaluate(inp, RULES)
    got = {(v.account, v.rule_id, v.subject,
            (-1.0 if v.action.value == "block" else -2.0) if v.kind == "restricted"
            else round(v.measured, 9)) for v in found}
    assert got == reference(inp)


@pytest.mark.parametrize("method", list(TailMethod))
def test_tail_risk_equals_analytics_per_account(method: TailMethod) -> None:
    rng = np.random.default_rng(7)
    port = rng.normal(0.0005, 0.015, (40, 251))
    var, cvar = tail_losses(port, 0.95, method)
    one = historical if method is TailMethod.HISTORICAL else gaussian
    for i in range(len(port)):
        expected = one(port[i], 0.95)
        assert (var[i], cvar[i]) == pytest.approx((expected.var, expected.cvar), rel=1e-12)


def test_tracking_error_equals_analytics() -> None:
    from ballast.compliance.tail import tracking_errors

    rng = np.random.default_rng(3)
    returns = rng.normal(0, 0.01, (100, 6))
    weights, targets = rng.dirichlet(np.ones(6), 10), rng.dirichlet(np.ones(6), 10)
    te = tracking_errors(weights - targets, returns, 252)
    assert te == pytest.approx([tracking_error(returns @ weights[i], returns @ targets[i])
                                for i in range(10)], rel=1e-9)
