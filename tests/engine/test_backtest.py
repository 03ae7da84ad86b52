"""The backtester: a hand-checked tiny case (a split and a dividend), no look-ahead, harvesting
without wash sales, and the spec's errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from ballast.config.backtest import BacktestSpec
from ballast.domain import AccountId, ConfigError, InstrumentId
from ballast.engine.backtest import run_backtest
from ballast.engine.backtest.market import PriceHistory, sample_prices
from ballast.engine.backtest.simulate import simulate, universe
from ballast.engine.backtest.taxes import gains_tax

DAYS = tuple(date(2021, 3, d) for d in (1, 2, 3, 4, 5))


def _tiny_prices() -> PriceHistory:
    # A: 100 → 110 → split 2:1 at 56 → 56 → 57; B: 50 → 50 → 50 → 49.50 (ex $0.50) → 49.
    close = np.array([[100.0, 50.0], [110.0, 50.0], [56.0, 50.0], [56.0, 49.5], [57.0, 49.0]])
    dividend = np.zeros_like(close)
    dividend[3, 1] = 0.5
    split = np.ones_like(close)
    split[2, 0] = 2.0
    return PriceHistory(DAYS, ("A", "B"), close, dividend, split)


def _tiny_spec() -> BacktestSpec:
    return BacktestSpec.model_validate({
        "name": "tiny", "models": [{"name": "half", "targets": [
            {"instrument": "A", "target": 0.5}, {"instrument": "B", "target": 0.5}]}],
        "accounts": [{"name": "t", "count": 1, "taxable": True, "models": ["half"],
                      "cash": 10_000.0}],
        "costs": {"half_spread_bps": 0},
        "rebalance": {"tax_rate_short_term": 0.37, "tax_rate_long_term": 0.2},
        "policies": [{"name": "hold", "kind": "none"}]})


def test_tiny_case_by_hand() -> None:
    spec = _tiny_spec()
    run = simulate(spec, universe(spec, Path("."), _tiny_prices()))[0]
    # Day 1 buys 50 A at 100 and 100 B at 50; the split doubles A's units, keeping its basis;
    # the dividend pays 100 × 0.50 in cash.
    assert run.nav[:, 0].tolist() == pytest.approx([10_000, 10_500, 10_600, 10_600, 10_650],
                                                   abs=1e-9)
    book, acct = run.state.book, AccountId("t-0001")
    (a_lot,) = book.lots(acct, InstrumentId("A"))
    (b_lot,) = book.lots(acct, InstrumentId("B"))
    assert (a_lot.quantity, a_lot.cost_basis, a_lot.acquired) == (Decimal(100), Decimal(5000),
                                                                   DAYS[0])
    assert (b_lot.quantity, b_lot.cost_basis) == (Decimal(100), Decimal(5000))
    assert book.cash(acct) == {"USD": Decimal("50.00")}
    # Liquidating on the last day: A +700 and B −100, both short-term: 600 × 37% = 222.
    assert run.after_tax[-1, 0] == pytest.approx(10_650 - 222, abs=1e-9)


def test_gains_tax_nets_terms_and_carries_losses() -> None:
    tax, carry = gains_tax(np.array([1000.0, -500.0, -3000.0]), np.array([-400.0, 2000.0, 500.0]),
                           np.array([0.0, 100.0, 0.0]), 0.4, 0.2)
    # 1000 − 400 short-term at 40%; 2000 − 600 long-term at 20%; a 2500 loss carried.
    assert tax.tolist() == pytest.approx([240.0, 280.0, 0.0])
    assert carry.tolist() == pytest.approx([0.0, 0.0, 2500.0])


def _sample_spec(policies: list[dict[str, object]], start: str, end: str,
                 models: tuple[str, ...] = ("balanced", "growth")) -> BacktestSpec:
    return BacktestSpec.model_validate({
        "name": "t", "start": start, "end": end,
        "model_files": ["../models/balanced.yaml", "../models/growth.yaml"],
        "accounts": [{"name": "tax", "count": 2, "taxable": True, "models": list(models),
                      "cash": [100_000, 400_000]},
                     {"name": "ira", "count": 1, "taxable": False, "models": list(models),
                      "cash": 150_000.0}],
        "costs": {"half_spread_bps": 2, "commission_per_share": 0.005,
                  "commission_minimum": 1},
        "policies": policies})


SAMPLE_BASE = Path(__file__).resolve().parents[2] / "src" / "ballast" / "sample" / "backtests"


def test_no_look_ahead() -> None:
    """Prices after day t changed: every account's value up to t is the same to the cent."""
    spec = _sample_spec([{"name": "bands", "kind": "bands", "harvest": True},
                         {"name": "monthly", "kind": "calendar", "calendar": "monthly"}],
                        "2018-06-01", "2018-12-31")
    prices = sample_prices().window(date(2018, 6, 1), date(2018, 12, 31))
    t = 80
    shock = np.ones_like(prices.close)
    shock[t + 1:] = np.random.default_rng(1).uniform(0.5, 1.5, shock[t + 1:].shape)
    moved = PriceHistory(prices.dates, prices.symbols, prices.close * shock, prices.dividend,
                         prices.split)
    base = simulate(spec, universe(spec, SAMPLE_BASE, prices))
    other = simulate(spec, universe(spec, SAMPLE_BASE, moved))
    for a, b in zip(base, other, strict=True):
        assert np.array_equal(a.nav[:t + 1], b.nav[:t + 1])
        assert not np.array_equal(a.nav[t + 1:], b.nav[t + 1:])
    assert base[0].tally.trades > 0


def test_harvesting_books_losses_and_no_wash_sale() -> None:
    spec = _sample_spec([{"name": "bands", "kind": "bands"},
                         {"name": "harvest", "kind": "bands", "harvest": True}],
                        "2018-01-02", "2019-06-28")
    runs = simulate(spec, universe(spec, SAMPLE_BASE))
    plain, harvesting = runs
    harvest_sales = [g for acct in harvesting.state.accounts
                     for g in harvesting.state.book.realized(acct.id)
                     if g.transaction_id in harvesting.tally.harvest_txns]
    assert harvest_sales and sum(g.gain for g in harvest_sales) < -10_000
    assert all(g.wash_sale_disallowed == 0 for g in harvest_sales)
    assert not plain.tally.harvest_txns
    ira = [a for a, acct in enumerate(harvesting.state.accounts) if not acct.taxable]
    assert all(harvesting.state.index[g.account_id] not in ira for g in harvest_sales)


def test_results_and_files(tmp_path: Path) -> None:
    from ballast.engine.backtest import write_results

    spec = _sample_spec([{"name": "hold", "kind": "none"},
                         {"name": "quarterly", "kind": "calendar", "calendar": "quarterly"}],
                        "2020-01-02", "2020-06-30")
    result = run_backtest(spec, SAMPLE_BASE)
    hold, quarterly = result.summaries
    assert hold.trades > 0 and quarterly.trades > hold.trades
    assert hold.start_value == quarterly.start_value
    assert [s.name for s in hold.stress] == ["COVID"]
    assert 0 < hold.max_drawdown < 1
    paths = write_results(result, tmp_path)
    assert {p.name for p in paths} == {"nav.csv", "after_tax.csv", "accounts.csv",
                                       "summary.json"}
    assert (tmp_path / "nav.csv").read_text().splitlines()[0] == "date,hold,quarterly"


def test_spec_errors() -> None:
    with pytest.raises(ValueError, match="calendar"):
        BacktestSpec.model_validate({
            "name": "x", "accounts": [{"name": "a", "count": 1, "models": ["m"]}],
            "policies": [{"name": "p", "kind": "calendar"}]})
    spec = _sample_spec([{"name": "hold", "kind": "none"}], "2020-01-02", "2020-02-28",
                        models=("nope",))
    with pytest.raises(ConfigError, match="unknown model nope"):
        universe(spec, SAMPLE_BASE)


@pytest.mark.parametrize("action", ["block", "auto_fix"])
def test_compliance_rules_apply_every_day(tmp_path: Path, action: str) -> None:
    """SPY restricted: a blocking rule denies every day's trades of the accounts that would
    buy it (the balanced model's first choice); an auto-fix drops only those buys."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(f"name: firm\nrules:\n  - id: no-spy\n    kind: restricted\n"
                     f"    action: {action}\n    instruments: [SPY]\n")
    spec = _sample_spec([{"name": "monthly", "kind": "calendar", "calendar": "monthly"}],
                        "2020-01-02", "2020-03-31", models=("balanced",))
    spec = spec.model_copy(update={"rules": (str(rules),)})
    run = simulate(spec, universe(spec, SAMPLE_BASE))[0]
    spy = run.state.column[InstrumentId("SPY")]
    assert not run.state.quantity[:, spy].any()
    invested = run.state.quantity.sum(axis=1) > 0
    if action == "block":
        assert run.denied >= 3 and run.fixed == 0 and not invested.any()
    else:
        assert run.denied == 0 and run.fixed >= 3 and invested.all()
