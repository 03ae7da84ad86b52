"""Each rule kind with a passing and a failing case, on small readable batches."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ballast.compliance import Approved, Denied, check
from ballast.config.compliance import RuleSet

from .book import batch


def rules(*items: dict[str, Any]) -> list[Any]:
    return list(RuleSet.model_validate({"name": "t", "rules": list(items)}).rules)


BASE = {"A": {"AAPL": 5_000.0, "GOOG": 2_000.0, "GOOGL": 1_000.0, "SPY": 1_000.0}}
CASH = {"A": 1_000.0}  # total 10,000


def outcome(rule: dict[str, Any], trades: list[tuple[str, str, str, float]] = (),  # type: ignore[assignment]
            **changes: Any) -> Any:
    return check(batch(BASE, CASH, trades, **changes), rules({"id": "r", **rule}))


def test_max_weight_per_instrument() -> None:
    ok = outcome({"kind": "max_weight", "by": "instrument", "limit": 0.55},
                 [("A", "AAPL", "buy", 5)])
    assert isinstance(ok.decisions[0], Approved) and not ok.violations
    bad = outcome({"kind": "max_weight", "by": "instrument", "limit": 0.55},
                  [("A", "AAPL", "buy", 8)])
    [v] = bad.violations
    assert isinstance(bad.decisions[0], Denied)
    assert (v.subject, v.trades, v.measured) == ("AAPL", (0,), pytest.approx(0.58))
    assert v.explanation == "AAPL would be 58% of A, above the firm's 55% maximum per instrument"


def test_max_weight_per_issuer_counts_share_classes_together() -> None:
    out = outcome({"kind": "max_weight", "by": "issuer", "limit": 0.25, "groups": ["Alphabet"]})
    [v] = out.violations
    assert v.subject == "Alphabet" and v.measured == pytest.approx(0.30)
    assert v.explanation.startswith("Alphabet (GOOG, GOOGL) is 30% of A, above the firm's 25%")
    assert not outcome({"kind": "max_weight", "by": "issuer", "limit": 0.5,
                        "kinds": ["equity"]}).violations


@pytest.mark.parametrize("by", ["asset_class", "sector", "country", "currency"])
def test_min_and_max_weight_per_group(by: str) -> None:
    group = {"asset_class": "equity", "sector": "Tech", "country": "US", "currency": "USD"}[by]
    assert not outcome({"kind": "max_weight", "by": by, "limit": 0.9}).violations
    assert outcome({"kind": "max_weight", "by": by, "limit": 0.7, "groups": [group]}).violations
    assert not outcome({"kind": "min_weight", "by": by, "limit": 0.5, "groups": [group]}
                       ).violations
    [v] = outcome({"kind": "min_weight", "by": by, "limit": 0.5, "groups": [group]},
                  [("A", "AAPL", "sell", 50)]).violations
    assert v.trades == (0,) and "below the firm's 50% minimum" in v.explanation


def test_min_and_max_cash() -> None:
    assert not outcome({"kind": "min_cash", "limit": 0.05}).violations
    [v] = outcome({"kind": "min_cash", "limit": 0.05}, [("A", "XOM", "buy", 6)]).violations
    assert v.measured == pytest.approx(0.04) and v.trades == (0,)
    assert not outcome({"kind": "max_cash", "limit": 0.2}).violations
    assert outcome({"kind": "max_cash", "limit": 0.2}, [("A", "AAPL", "sell", 20)]).violations


def test_restricted_buy_blocks_and_holding_warns() -> None:
    rule = {"kind": "restricted", "instruments": ["XOM", "AAPL"]}
    out = outcome(rule, [("A", "XOM", "buy", 1)])
    kinds = sorted((v.subject, v.action.value) for v in out.violations)
    assert kinds == [("AAPL", "warn"), ("XOM", "block")]
    assert isinstance(out.decisions[0], Denied)
    assert isinstance(outcome(rule).decisions[0], Approved)  # holding only: a warning


def test_restricted_dates_and_account_lists() -> None:
    rule = {"kind": "restricted", "instruments": [
        {"instrument": "XOM", "effective_until": "2021-01-01"}]}
    assert not outcome(rule, [("A", "XOM", "buy", 1)]).violations
    own = np.zeros((1, 6), dtype=bool)
    own[0, 5] = True
    [v] = outcome(rule, [("A", "XOM", "buy", 1)], restricted=own).violations
    assert "A's own restricted list" in v.explanation
    off = {**rule, "account_lists": False}
    assert not outcome(off, [("A", "XOM", "buy", 1)], restricted=own).violations


def test_no_shorts() -> None:
    assert not outcome({"kind": "no_shorts"}, [("A", "SPY", "sell", 10)]).violations
    [v] = outcome({"kind": "no_shorts"}, [("A", "SPY", "sell", 12)]).violations
    assert v.measured == -2 and "short 2 SPY" in v.explanation


def test_gross_exposure() -> None:
    assert not outcome({"kind": "max_gross_exposure", "limit": 1.0}).violations
    [v] = outcome({"kind": "max_gross_exposure", "limit": 1.0},
                  [("A", "XOM", "buy", 30)]).violations
    assert v.measured == pytest.approx(1.2)


def test_turnover() -> None:
    rule = {"kind": "max_turnover", "limit": 0.1}
    assert not outcome(rule, [("A", "XOM", "buy", 5), ("A", "SPY", "sell", 5)]).violations
    [v] = outcome(rule, [("A", "XOM", "buy", 6), ("A", "SPY", "sell", 6)]).violations
    assert v.measured == pytest.approx(0.12) and v.trades == (0, 1)


def test_liquidity() -> None:
    adv = np.full(6, 1_000.0)
    adv[3] = np.nan
    rule = {"kind": "liquidity", "max_adv_fraction": 0.01, "min_adv": 500}
    assert not outcome(rule, [("A", "XOM", "buy", 10)], adv=adv).violations
    [v] = outcome(rule, [("A", "XOM", "buy", 11)], adv=adv).violations
    assert "1.1% of its average daily volume" in v.explanation
    thin = adv.copy()
    thin[5] = 100
    assert outcome(rule, [("A", "XOM", "buy", 1)], adv=thin).violations[0].limit == 500
    [unknown] = outcome(rule, [("A", "JNJ", "buy", 1)], adv=adv).violations
    assert unknown.action.value == "warn" and "unknown" in unknown.explanation


def test_suitability() -> None:
    assert not outcome({"kind": "suitability"}).violations
    [v] = outcome({"kind": "suitability"}, risk_score=np.array([3.0])).violations
    assert v.explanation == ("model growth has risk level 4, above the risk score 3 of A: the "
                             "model is not suitable for the account")
    [u] = outcome({"kind": "suitability"}, risk_score=np.array([np.nan])).violations
    assert u.action.value == "warn" and "risk score of A is not set" in u.explanation


def test_wash_sale_recent_and_same_batch() -> None:
    rule = {"kind": "wash_sale"}
    assert not outcome(rule, [("A", "GOOGL", "buy", 1)]).violations
    recent = {"loss_household": np.array([0]), "loss_group": ("GOOG",),
              "loss_date": np.array(["2021-03-10"], dtype="datetime64[D]")}
    [v] = outcome(rule, [("A", "GOOGL", "buy", 1)], **recent).violations
    assert "sold GOOG at a loss in the last 30 days" in v.explanation
    old = {**recent, "loss_date": np.array(["2021-02-01"], dtype="datetime64[D]")}
    assert not outcome(rule, [("A", "GOOGL", "buy", 1)], **old).violations
    [b] = outcome(rule, [("A", "GOOG", "sell", 5), ("A", "GOOGL", "buy", 1)],
                  trade_gain=np.array([-50.0, 0.0])).violations
    assert b.trades == (1,) and "in this batch" in b.explanation


def test_var_and_tracking_error() -> None:
    rng = np.random.default_rng(1)
    returns = rng.normal(0, 0.02, (250, 6))
    assert not outcome({"kind": "max_var", "limit": 0.5}, returns=returns).violations
    [v] = outcome({"kind": "max_cvar", "limit": 0.001, "method": "gaussian"},
                  returns=returns).violations
    assert "one-day 95% gaussian CVaR of A" in v.explanation
    target = np.zeros((1, 6))
    target[0, :4] = [0.5, 0.2, 0.1, 0.1]
    assert outcome({"kind": "max_tracking_error", "limit": 0.01}, returns=returns,
                   target_weight=target).violations
    [w] = outcome({"kind": "max_var", "limit": 0.1}).violations
    assert w.action.value == "warn" and "cannot be measured" in w.explanation


def test_scopes_and_effective_dates() -> None:
    two = {"A": BASE["A"], "B": BASE["A"]}
    cash = {"A": 1_000.0, "B": 1_000.0}
    inp = batch(two, cash, models=("growth", "income"))
    limit = {"kind": "max_weight", "by": "instrument", "limit": 0.4}
    assert [v.account for v in check(inp, rules({"id": "m", "model": "income", **limit}))
            .violations] == ["B"]
    assert [v.account for v in check(inp, rules({"id": "a", "account": "A", **limit}))
            .violations] == ["A"]
    assert not check(inp, rules({"id": "f", "effective_from": "2021-04-01", **limit})).violations
