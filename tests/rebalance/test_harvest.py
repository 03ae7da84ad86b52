"""Golden cases for tax-loss harvesting, computed by hand. As of 2021-03-12; XOM 100, CVX 150,
COP 80 (energy 40% ±5%, in that order), VTI 200 and IVV 400 (US equity 40% ±5%), BND 50
(bonds 18% ±5%),
cash 2%; each instrument its own wash-sale group. Account "XOM 400, VTI 200, BND 360, cash
2,000" (100,000) is in band: nothing to rebalance. Its XOM lots: 20 bought at 130 (−600,
−23%), 20 at 126 (−520, −20.6%), 360 at 95 (a gain)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from ballast.config.rebalance import RebalancePolicy
from ballast.domain import ConfigError
from ballast.rebalance import (
    HarvestSettings,
    Proposals,
    RebalanceInput,
    TaxInput,
    TradeReason,
    Trigger,
    harvest,
    propose,
    rationale,
    tax_pass,
)

from .book import Acct, book, model
from .test_tax_golden import Event, Lot, assert_no_wash_sale, tax_input

INSTRUMENTS = ["XOM", "CVX", "COP", "VTI", "IVV", "BND"]
PRICES = {"XOM": 100.0, "CVX": 150.0, "COP": 80.0, "VTI": 200.0, "IVV": 400.0, "BND": 50.0}
MODEL = model(INSTRUMENTS, "energy", {"energy": (0.40, 0.05), "us_equity": (0.40, 0.05),
                                      "bonds": (0.18, 0.05)},
              {"XOM": ("energy", 0), "CVX": ("energy", 1), "COP": ("energy", 2),
               "VTI": ("us_equity", 0), "IVV": ("us_equity", 1), "BND": ("bonds", 0)})
HOLDINGS = {"XOM": 400.0, "VTI": 200.0, "BND": 360.0}


def xom_lots(account: str) -> list[Lot]:
    return [(account, "XOM", f"{account}-X1", 20.0, 130.0, "2020-06-01"),
            (account, "XOM", f"{account}-X2", 20.0, 126.0, "2019-06-03"),
            (account, "XOM", f"{account}-X3", 360.0, 95.0, "2018-01-02")]


def run(accounts: Sequence[Acct], lots: Sequence[Lot], settings: HarvestSettings | None = None,
        *, taxable: Sequence[bool] | None = None, household: Sequence[int] | None = None,
        losses: Sequence[Event] = (), buys: Sequence[Event] = ()) -> tuple[
            RebalanceInput, TaxInput, Proposals, Proposals]:
    inp = book(INSTRUMENTS, PRICES, [MODEL], accounts)
    n = len(accounts)
    tax = tax_input(inp, lots, taxable=taxable or [True] * n,
                    household=household or list(range(n)), losses=losses, buys=buys)
    before = propose(inp, RebalancePolicy())
    after = harvest(before, inp, tax, settings or HarvestSettings())
    assert_no_wash_sale(tax_pass(after, inp, tax), tax)
    return inp, tax, before, after


def trades(inp: RebalanceInput, p: Proposals, account: int = 0) -> list[tuple[str, float]]:
    return [(inp.instruments[t.instrument], t.side * t.quantity) for t in p.iter_trades(account)]


def test_a_deep_loss_is_harvested_into_the_substitute_and_exposure_is_kept() -> None:
    inp, tax, before, after = run([Acct("A", HOLDINGS, 2000)], xom_lots("A"))
    assert before.n_trades == 0 and not before.triggered[0]
    # Sell the two loss lots (40 XOM, 4,000); buy CVX for what the net proceeds pay: 26 × 150.
    assert trades(inp, after) == [("XOM", -40), ("CVX", 26)]
    assert (after.reason == TradeReason.HARVEST).all()
    assert after.triggered[0] and after.trigger_of(0) == Trigger.HARVEST
    assert list(after.sleeve) == [0, 0]
    energy_before = 400 * 100.0
    energy_after = 360 * 100.0 + 26 * 150.0
    assert energy_before - energy_after == pytest.approx(100.0)  # < one CVX lot (150)
    assert after.weight_after[0, 0] == pytest.approx(energy_after / 100_000, abs=1e-5)
    cost = 0.0002 * (4000 + 3900)
    assert after.cash_after[0] == pytest.approx(2000 + 4000 - 3900 - cost)
    assert after.cash_after[0] >= after.cash_keep[0]
    taxed = tax_pass(after, inp, tax)
    assert not taxed.changes
    assert taxed.lots_of(0) == [("A-X1", 20.0), ("A-X2", 20.0)]
    assert rationale(taxed.proposals, inp, 0, taxed) == (
        "Sell 40 XOM: harvest a loss of −$1,120 (two lots, −21.9%)")
    assert rationale(taxed.proposals, inp, 1, taxed) == (
        "Buy 26 CVX: replaces XOM in energy after the harvest (exposure kept)")
    assert rationale(after, inp, 0) == "Sell 40 XOM: harvest a loss"


def test_a_tax_deferred_account_never_harvests() -> None:
    _, _, before, after = run([Acct("A", HOLDINGS, 2000)], xom_lots("A"), taxable=[False])
    assert after is before


@pytest.mark.parametrize("settings", [HarvestSettings(min_loss=600.0),  # X1 is −600, not more
                                      HarvestSettings(min_loss_pct=0.25),
                                      HarvestSettings(max_per_account=0)])
def test_a_loss_below_either_threshold_is_left(settings: HarvestSettings) -> None:
    _, _, before, after = run([Acct("A", HOLDINGS, 2000)], xom_lots("A"), settings)
    assert after is before


def test_only_the_lots_beyond_both_thresholds_are_sold() -> None:
    inp, _, _, after = run([Acct("A", HOLDINGS, 2000)], xom_lots("A"),
                           HarvestSettings(min_loss=550.0))
    assert trades(inp, after) == [("XOM", -20), ("CVX", 13)]


def test_a_position_already_being_sold_is_left() -> None:
    holdings = {"XOM": 550.0, "VTI": 150.0, "BND": 360.0}  # energy 52%: the core sells XOM
    lots = [("A", "XOM", "A-X1", 40.0, 130.0, "2020-06-01"),
            ("A", "XOM", "A-X2", 510.0, 95.0, "2018-01-02")]
    inp, _, before, after = run([Acct("A", holdings, 2000)], lots)
    assert ("XOM", -before.quantity[0]) == trades(inp, before)[0]
    assert after is before


def test_a_household_harvest_of_the_same_group_10_days_ago_blocks_it() -> None:
    accounts = [Acct("A", HOLDINGS, 2000), Acct("B", HOLDINGS, 2000)]
    _, _, before, after = run(accounts, xom_lots("A"), household=[0, 0],
                              losses=[(0, "XOM", 10, 30.0)])
    assert after is before
    # ... but not 31 days ago, nor another household's.
    _, _, _, late = run(accounts, xom_lots("A"), household=[0, 0],
                        losses=[(0, "XOM", 31, 30.0)])
    _, _, _, other = run(accounts, xom_lots("A"), household=[0, 1],
                         losses=[(1, "XOM", 10, 30.0)])
    assert (late.reason == TradeReason.HARVEST).sum() == 2
    assert (other.reason == TradeReason.HARVEST).sum() == 2


def test_a_recent_household_buy_of_the_group_blocks_it() -> None:
    _, _, before, after = run([Acct("A", HOLDINGS, 2000)], xom_lots("A"),
                              buys=[(0, "XOM", 5, 10.0)])
    assert after is before


def test_never_switch_back_into_a_group_sold_at_a_loss_in_the_window() -> None:
    inp, _, _, after = run([Acct("A", HOLDINGS, 2000)], xom_lots("A"),
                           losses=[(0, "CVX", 20, 5.0)])
    assert trades(inp, after) == [("XOM", -40), ("COP", 49)]  # 49 × 80 = 3,920


def test_no_substitute_means_no_harvest_and_nothing_else_changed() -> None:
    _, _, before, after = run([Acct("A", HOLDINGS, 2000, no_buy=("CVX", "COP"))],
                              xom_lots("A"))
    assert after is before
    outside = model(INSTRUMENTS, "no energy", {"us_equity": (0.5, 0.05), "bonds": (0.48, 0.05)},
                    {"VTI": ("us_equity", 0), "BND": ("bonds", 0)})
    inp = book(INSTRUMENTS, PRICES, [outside], [Acct("A", HOLDINGS, 2000, hold=True)])
    tax = tax_input(inp, xom_lots("A"), taxable=[True], household=[0])
    p = propose(inp, RebalancePolicy())
    assert harvest(p, inp, tax, HarvestSettings()) is p


def test_at_most_max_per_account_largest_loss_first() -> None:
    lots = [*xom_lots("A"), ("A", "VTI", "A-V1", 200.0, 250.0, "2020-01-02")]  # −10,000
    one = HarvestSettings(max_per_account=1)
    inp, _, _, after = run([Acct("A", HOLDINGS, 2000)], lots, one)
    # 40,000 × (1 − 2bp) / (1 + 2bp) = 39,984 buys 99 IVV.
    assert trades(inp, after) == [("VTI", -200), ("IVV", 99)]
    _, _, _, both = run([Acct("A", HOLDINGS, 2000)], lots)
    assert trades(inp, both) == [("XOM", -40), ("VTI", -200), ("CVX", 26), ("IVV", 99)]


def test_existing_trades_are_kept_and_only_harvesting_accounts_change() -> None:
    rebalancing = Acct("B", {"XOM": 400.0, "VTI": 250.0, "BND": 360.0}, 2000)  # US equity 45.5%
    inp, _, before, after = run([Acct("A", HOLDINGS, 2000), rebalancing], xom_lots("A"))
    assert before.trades_of(0).size == 0 and before.trades_of(1).size > 0
    kept = after.reason != TradeReason.HARVEST
    for col in ("trade_account", "trade_instrument", "side", "quantity", "value", "cost",
                "sleeve", "reason"):
        assert np.array_equal(getattr(after, col)[kept], getattr(before, col)), col
    assert after.cash_after[1] == before.cash_after[1]
    assert np.array_equal(after.weight_after[1], before.weight_after[1])
    assert after.triggers[1] == before.triggers[1]
    assert trades(inp, after, 0) == [("XOM", -40), ("CVX", 26)]


def test_the_substitute_of_one_account_is_not_harvested_in_another() -> None:
    accounts = [Acct("A", HOLDINGS, 2000), Acct("B", {"CVX": 266, "VTI": 200, "BND": 360}, 2100)]
    lots = [*xom_lots("A"), ("B", "CVX", "B-C1", 266.0, 200.0, "2020-06-01")]
    inp, _, _, after = run(accounts, lots, household=[0, 0])
    # Accounts go in order: A harvests XOM into CVX, so CVX is bought in the household and B
    # may not harvest it (a wash sale), though its loss is larger.
    assert trades(inp, after, 0) == [("XOM", -40), ("CVX", 26)]
    assert trades(inp, after, 1) == []


def test_bad_settings_are_a_config_error() -> None:
    with pytest.raises(ConfigError):
        HarvestSettings(min_loss=-1.0)
