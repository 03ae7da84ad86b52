"""auto_fix: the violating trades are cut (floored to the lot) or dropped, the batch is
checked again, and what changed is reported."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from ballast.compliance import Approved, Denied, check, evaluate

from .book import batch
from .test_reference import random_batch
from .test_rules import BASE, CASH, rules

RAW: list[dict[str, Any]] = [
    {"id": "issuer", "kind": "max_weight", "by": "issuer", "limit": 0.3},
    {"id": "mincash", "kind": "min_cash", "limit": 0.05},
    {"id": "shorts", "kind": "no_shorts"},
    {"id": "turnover", "kind": "max_turnover", "limit": 0.15},
    {"id": "restricted", "kind": "restricted", "instruments": ["XOM"]},
]


def fixed(rule: dict[str, Any], trades: list[tuple[str, str, str, float]],
          **changes: Any) -> Any:
    inp = batch(BASE, CASH, trades, **changes)
    out = check(inp, rules({"id": "r", "action": "auto_fix", **rule}))
    again = evaluate(out.checked, rules({"id": "r", **rule}))[0]
    assert [v.explanation for v in out.violations] == [v.explanation for v in again]
    return out


def test_a_buy_is_cut_so_the_weight_ends_at_the_limit() -> None:
    out = fixed({"kind": "max_weight", "by": "instrument", "limit": 0.555},
                [("A", "AAPL", "buy", 8), ("A", "SPY", "buy", 1)])
    [f] = out.fixes
    assert (f.trade, f.old_quantity, f.new_quantity) == (0, 8, 5)  # 5.5 floored to the lot
    assert f.reason.startswith("cut from 8 to 5: AAPL would be 58% of A")
    assert isinstance(out.decisions[0], Approved) and out.decisions[0].fixes == (f,)
    assert out.checked.trade_value[0] == 500 and out.checked.trade_quantity[1] == 1


def test_a_restricted_buy_is_dropped_and_the_holding_still_warns() -> None:
    out = fixed({"kind": "restricted", "instruments": ["AAPL"]}, [("A", "AAPL", "buy", 3)])
    [f] = out.fixes
    assert f.new_quantity == 0 and f.reason.startswith("dropped: A would buy 3 AAPL")
    [v] = out.decisions[0].violations
    assert v.action.value == "warn" and isinstance(out.decisions[0], Approved)


def test_min_cash_cuts_the_buys_pro_rata() -> None:
    out = fixed({"kind": "min_cash", "limit": 0.05}, [("A", "XOM", "buy", 4),
                                                      ("A", "JNJ", "buy", 4)])
    assert [f.new_quantity for f in out.fixes] == [2, 2]  # 100 of cash each side: 2.5 → 2


@pytest.mark.parametrize(("rule", "trades", "expected"), [
    ({"kind": "no_shorts"}, [("A", "SPY", "sell", 12)], [10]),
    ({"kind": "max_turnover", "limit": 0.1}, [("A", "XOM", "buy", 10), ("A", "SPY", "sell", 10)],
     [5, 5]),
    ({"kind": "liquidity", "max_adv_fraction": 0.001}, [("A", "XOM", "buy", 1500)], [1000]),
    ({"kind": "min_weight", "by": "sector", "groups": ["Tech"], "limit": 0.7},
     [("A", "AAPL", "sell", 20)], [10]),
])
def test_each_fixable_kind(rule: dict[str, Any], trades: list[Any], expected: list[float]
                           ) -> None:
    cash = {"A": 10_000.0} if rule["kind"] == "liquidity" else CASH
    inp = batch(BASE, cash, trades)
    out = check(inp, rules({"id": "r", "action": "auto_fix", **rule}))
    assert [f.new_quantity for f in out.fixes] == expected
    assert isinstance(out.decisions[0], Approved)


def test_a_fix_that_cannot_resolve_the_breach_still_denies() -> None:
    out = fixed({"kind": "max_weight", "by": "instrument", "limit": 0.3},
                [("A", "AAPL", "buy", 1)])
    assert out.fixes[0].new_quantity == 0
    assert isinstance(out.decisions[0], Denied)
    assert "AAPL is 50% of A" in out.decisions[0].violations[0].explanation  # no trade now


def test_fixes_are_rechecked_against_every_rule() -> None:
    inp = batch(BASE, CASH, [("A", "AAPL", "sell", 30), ("A", "XOM", "buy", 30)])
    out = check(inp, rules(
        {"id": "cap", "kind": "max_weight", "by": "instrument", "limit": 0.25,
         "action": "auto_fix"},
        {"id": "cash", "kind": "max_cash", "limit": 0.1}))
    assert [f.new_quantity for f in out.fixes] == [25]
    [v] = out.violations  # the cut left 15% in cash
    assert v.rule_id == "cash" and v.measured == pytest.approx(0.15)
    assert np.isclose(out.checked.trade_quantity[1], 25)


def test_a_fix_that_causes_a_new_breach_is_fixed_in_a_second_round() -> None:
    # Cutting the short sale to what is held leaves too little cash for the buy: round two
    # cuts the buy so cash ends at its 5% floor, and the proposal is approved.
    inp = batch(BASE, CASH, [("A", "SPY", "sell", 70), ("A", "XOM", "buy", 75)])
    out = check(inp, rules({"id": "shorts", "kind": "no_shorts", "action": "auto_fix"},
                           {"id": "cash", "kind": "min_cash", "limit": 0.05,
                            "action": "auto_fix"}))
    assert [(f.trade, f.old_quantity, f.new_quantity, f.rule_ids) for f in out.fixes] == [
        (0, 70, 10, ("shorts",)), (1, 75, 15, ("cash",))]
    assert "cash would be -55% of A" in out.fixes[1].reason
    assert isinstance(out.decisions[0], Approved) and out.violations == []


@pytest.mark.parametrize("seed", range(4))
def test_rechecking_the_changed_accounts_equals_checking_the_whole_fixed_batch(seed: int
                                                                               ) -> None:
    inp = random_batch(seed)
    rng = np.random.default_rng(seed)
    inp = replace(inp, household=np.arange(len(inp.accounts), dtype=np.int64) // 3,
                  trade_gain=np.where(inp.trade_side < 0, rng.normal(0, 100, len(inp.trade_side)),
                                      0.0))
    fixing = rules(*({**r, "action": "auto_fix"} for r in RAW),
                   {"id": "wash", "kind": "wash_sale"}, {"id": "cap", "kind": "max_cash",
                                                         "limit": 0.2})
    out = check(inp, fixing)
    again, _ = evaluate(out.checked, fixing)
    assert out.fixes and sorted(map(repr, out.violations)) == sorted(map(repr, again))
