"""Golden cases for the tax pass, computed by hand. As of 2021-03-12; VTI 100 and IVV 400 (US
equity 60% ±5%, VTI first), BND 50 and AGG 100 (bonds 38% ±5%), cash 2%; each instrument is
its own wash-sale group. An account "VTI 720, BND 540, cash 1,000" (100,000) sells 120 VTI.

Lots are written (account, instrument, id, quantity, unit cost, acquired)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
import pytest

from ballast.config.rebalance import RebalancePolicy
from ballast.domain import LotMethod
from ballast.rebalance import (
    Change,
    RebalanceInput,
    TaxedProposals,
    TaxInput,
    propose,
    rationale,
    tax_pass,
)

from .book import Acct, book, model

AS_OF = date(2021, 3, 12)
INSTRUMENTS = ["VTI", "IVV", "BND", "AGG"]
PRICES = {"VTI": 100.0, "IVV": 400.0, "BND": 50.0, "AGG": 100.0}
GROWTH = model(INSTRUMENTS, "growth", {"us_equity": (0.60, 0.05), "bonds": (0.38, 0.05)},
               {"VTI": ("us_equity", 0), "IVV": ("us_equity", 1), "BND": ("bonds", 0),
                "AGG": ("bonds", 1)})
Lot = tuple[str, str, str, float, float, str]
Event = tuple[int, str, int, float]  # household, instrument, days before as_of, quantity
# VTI 720: two losses (one long-, one short-term), a long-term gain, a short-term gain.
VTI_LOTS = [("L1", 60.0, 120.0, "2019-01-10"), ("L2", 40.0, 110.0, "2021-01-05"),
            ("L3", 300.0, 80.0, "2018-06-01"), ("L4", 320.0, 90.0, "2020-12-01")]


def vti_lots(account: str) -> list[Lot]:
    return [(account, "VTI", f"{account}-{i}", q, c, d) for i, q, c, d in VTI_LOTS]


def tax_input(inp: RebalanceInput, lots: Sequence[Lot], *, taxable: Sequence[bool],
              household: Sequence[int], method: LotMethod = LotMethod.MIN_TAX,
              losses: Sequence[Event] = (), buys: Sequence[Event] = (),
              budget: Sequence[float] | None = None,
              group_of: Sequence[int] | None = None) -> TaxInput:
    """Lots for every holding not listed: one long-term lot at the price (no gain)."""
    rows = list(lots)
    named = {(a, i) for a, i, *_ in rows}
    for a, acct in enumerate(inp.accounts):
        for j, inst in enumerate(inp.instruments):
            if inp.quantity[a, j] > 0 and (acct, inst) not in named:
                rows.append((acct, inst, f"{acct}-{inst}", float(inp.quantity[a, j]),
                             float(inp.unit_value[a, j]), "2015-01-02"))

    def events(ev: Sequence[Event]) -> dict[str, np.ndarray]:
        return {"household": np.array([e[0] for e in ev], dtype=np.int64),
                "instrument": np.array([inp.instruments.index(e[1]) for e in ev],
                                       dtype=np.int64),
                "date": np.array([AS_OF - timedelta(days=e[2]) for e in ev],
                                 dtype="datetime64[D]"),
                "quantity": np.array([e[3] for e in ev], dtype=np.float64)}

    ls, bs = events(losses), events(buys)
    n = len(inp.accounts)
    return TaxInput(
        as_of=AS_OF, taxable=np.array(taxable, dtype=bool), lot_method=(method,) * n,
        household=np.array(household, dtype=np.int64),
        group_of=np.arange(len(inp.instruments), dtype=np.int64) if group_of is None
        else np.array(group_of, dtype=np.int64),
        lot_account=np.array([inp.accounts.index(r[0]) for r in rows], dtype=np.int64),
        lot_instrument=np.array([inp.instruments.index(r[1]) for r in rows], dtype=np.int64),
        lot_id=tuple(r[2] for r in rows), lot_quantity=np.array([r[3] for r in rows]),
        lot_basis=np.array([r[3] * r[4] for r in rows]),
        lot_acquired=np.array([r[5] for r in rows], dtype="datetime64[D]"),
        lot_holding_start=np.array([r[5] for r in rows], dtype="datetime64[D]"),
        gain_budget=None if budget is None else np.array(budget, dtype=np.float64),
        loss_household=ls["household"], loss_instrument=ls["instrument"],
        loss_date=ls["date"], loss_quantity=ls["quantity"], buy_household=bs["household"],
        buy_instrument=bs["instrument"], buy_date=bs["date"], buy_quantity=bs["quantity"])


def assert_no_wash_sale(taxed: TaxedProposals, tax: TaxInput) -> None:
    """No taxable loss sell shares a (household, group) with a buy of this run or of the 30
    days before, and no buy with a loss sale of this run or of the 30 days before."""
    p = taxed.proposals
    hh, grp = tax.household[p.trade_account], tax.group_of[p.trade_instrument]
    loss_lot = taxed.lot_gain < -1e-9
    has_loss = np.add.reduceat(np.r_[loss_lot, False].astype(np.int64),
                               taxed.lot_start[:-1]) > 0 if p.n_trades else np.zeros(0, bool)
    has_loss &= taxed.lot_start[1:] > taxed.lot_start[:-1]
    start = np.datetime64(AS_OF, "D") - np.timedelta64(30, "D")
    recent_buys = {(int(h), int(tax.group_of[i])) for h, i, d in zip(
        tax.buy_household, tax.buy_instrument, tax.buy_date, strict=True) if d >= start}
    recent_losses = {(int(h), int(tax.group_of[i])) for h, i, d in zip(
        tax.loss_household, tax.loss_instrument, tax.loss_date, strict=True) if d >= start}
    sold_at_loss = {(int(h), int(g)) for h, g, x, a in zip(
        hh, grp, has_loss, p.trade_account, strict=True) if x and tax.taxable[a]}
    bought = {(int(h), int(g)) for h, g, s in zip(hh, grp, p.side, strict=True) if s > 0}
    assert not sold_at_loss & (bought | recent_buys)
    assert not bought & (sold_at_loss | recent_losses)


def run(accounts: list[Acct], lots: Sequence[Lot], **kw: object) -> tuple[
        RebalanceInput, TaxInput, TaxedProposals]:
    inp = book(INSTRUMENTS, PRICES, [GROWTH], accounts)
    tax = tax_input(inp, lots, **kw)  # type: ignore[arg-type]
    taxed = tax_pass(propose(inp, RebalancePolicy()), inp, tax)
    assert_no_wash_sale(taxed, tax)
    return inp, tax, taxed


def trades(inp: RebalanceInput, taxed: TaxedProposals, account: str) -> list[tuple[str, float]]:
    a = inp.accounts.index(account)
    return [(inp.instruments[t.instrument], t.side * t.quantity)
            for t in taxed.proposals.iter_trades(a)]


def sell_of(inp: RebalanceInput, taxed: TaxedProposals, account: str) -> int:
    a = inp.accounts.index(account)
    return next(int(i) for i in taxed.proposals.trades_of(a) if taxed.proposals.side[i] < 0)


def test_min_tax_relieves_losses_first_then_the_gain_of_least_tax() -> None:
    inp, _, taxed = run([Acct("A", {"VTI": 720, "BND": 540}, 1000)], vti_lots("A"),
                        taxable=[True], household=[0])
    i = sell_of(inp, taxed, "A")
    # The core sells 120 (to 60%). The losses L1 + L2 give 100 units. Then the gain of least
    # estimated tax per dollar: L4, short-term +10% × 37% = 3.7%, before L3, long-term
    # +20% × 20% = 4% (equity is 12% over, beyond the 10% hard band, so short-term lots may
    # go). The sale also pays for the bonds (38,000 − 27,000 = 11,000 short) with 1,000 of
    # cash missing (cash 1,000, 2,000 to keep). A dollar of L4 sold costs 3.7% − 2 × (12,000
    # − x) / 100,000 and a dollar bought into bonds gains 2 × (11,000 − y) / 100,000; both
    # equal the value λ of a dollar of cash when x − 1,000 = y: x = 10,150 + 50,000 λ,
    # y = 11,000 − 50,000 λ → λ = 1.85%, x = 11,075 — so 110 (a 111th would pass 11,075).
    assert trades(inp, taxed, "A")[0] == ("VTI", -110)
    assert taxed.lots_of(i) == [("A-L1", 60.0), ("A-L2", 40.0), ("A-L4", 10.0)]
    assert taxed.st_gain[i] == pytest.approx(-300.0)  # L2: 40 × (100 − 110); L4: 10 × 10
    assert taxed.lt_gain[i] == pytest.approx(-1200.0)  # L1: 60 × −20
    assert taxed.realized_st[0] == pytest.approx(-300.0)
    assert taxed.realized_lt[0] == pytest.approx(-1200.0)
    (change,) = [c for c in taxed.changes if c.side < 0]
    assert change.kind is Change.REDUCED and change.new_quantity == 110
    assert change.reason == (
        "min-tax allocation: gain lots kept where their tax outweighs the drift left "
        "(gains short-term $100, long-term $0 instead of short-term $200, long-term $0)")
    assert rationale(taxed.proposals, inp, i, taxed) == (
        "Sell 110 VTI: us_equity 72% vs target 60% ±5%; lots: two losses −$1,600, "
        "one short-term gain +$100")


def test_tax_deferred_account_sells_by_its_method_and_reports_no_tax() -> None:
    inp, _, taxed = run([Acct("IRA", {"VTI": 720, "BND": 540}, 1000)], vti_lots("IRA"),
                        taxable=[False], household=[0], method=LotMethod.FIFO)
    i = sell_of(inp, taxed, "IRA")
    assert taxed.lots_of(i) == [("IRA-L3", 120.0)]  # FIFO: the 2018 lot
    assert taxed.st_gain[i] == 0.0 and taxed.lt_gain[i] == 0.0
    assert taxed.realized_st[0] == 0.0 and taxed.realized_lt[0] == 0.0
    assert rationale(taxed.proposals, inp, i, taxed).endswith(
        "; lots: one long-term gain +$2,400 (account not taxable: no tax)")


def test_short_term_gains_are_deferred_inside_the_hard_band() -> None:
    """LIFO takes the short-term gain lot first. Drift 12% passes the hard band (2 × 5%), so
    it is sold; at 9.4% drift (VTI 68,000 of 98,000) it is skipped for the long-term lot."""
    lots = [("A", "VTI", "new", 600.0, 90.0, "2020-12-01"),
            ("A", "VTI", "old", 120.0, 80.0, "2018-06-01")]
    inp, _, taxed = run([Acct("A", {"VTI": 720, "BND": 540}, 1000)], lots, taxable=[True],
                        household=[0], method=LotMethod.LIFO)
    assert taxed.lots_of(sell_of(inp, taxed, "A")) == [("new", 120.0)]
    lots = [("A", "VTI", "new", 560.0, 90.0, "2020-12-01"),
            ("A", "VTI", "old", 120.0, 80.0, "2018-06-01")]
    inp, _, taxed = run([Acct("A", {"VTI": 680, "BND": 580}, 1000)], lots, taxable=[True],
                        household=[0], method=LotMethod.LIFO)
    i = sell_of(inp, taxed, "A")
    assert taxed.lots_of(i) == [("old", 92.0)]  # to 58,800 of equity: 92 units
    assert taxed.st_gain[i] == 0.0 and taxed.lt_gain[i] == pytest.approx(1840.0)


def test_loss_sold_in_one_account_switches_the_other_accounts_buy() -> None:
    """A sold VTI at a loss 10 days ago; B (same household, an IRA) is underweight equity and
    buys IVV instead; C in another household still buys VTI."""
    accounts = [Acct("A", {"BND": 760}, 62000), Acct("B", {"VTI": 400, "BND": 760}, 22100),
                Acct("C", {"VTI": 400, "BND": 760}, 22100)]
    inp, _, taxed = run(accounts, [], taxable=[True, False, True], household=[0, 0, 1],
                        losses=[(0, "VTI", 10, 50.0)])
    # B first wanted 200 VTI (20,000): at 400 that is 50 IVV.
    assert trades(inp, taxed, "B") == [("IVV", 50)]
    assert trades(inp, taxed, "C") == [("VTI", 200)]
    (change,) = [c for c in taxed.changes if c.account == 1]
    assert change.kind is Change.SWITCHED and change.quantity == 200 and change.new_quantity == 50
    i = int(taxed.proposals.trades_of(1)[0])
    assert rationale(taxed.proposals, inp, i, taxed).endswith(
        "; IVV instead of VTI (wash-sale window: VTI sold at a loss on 2021-03-02)")


def test_buy_in_one_account_keeps_the_other_accounts_loss_lots() -> None:
    """B bought VTI 5 days ago: A sells its VTI from a gain lot, not losses."""
    inp, _, taxed = run([Acct("A", {"VTI": 720, "BND": 540}, 1000),
                         Acct("B", {"BND": 10}, 0)], vti_lots("A"),
                        taxable=[True, True], household=[0, 0], buys=[(0, "VTI", 5, 10.0)])
    i = sell_of(inp, taxed, "A")
    # L4 (short-term +10%: 3.7% tax per dollar, less than L3's 4%) from the first dollar:
    # x = 12,000 + 50,000 (λ − 3.7%) as above, λ = 1.85%, 11,075: 110 units.
    assert taxed.lots_of(i) == [("A-L4", 110.0)]
    assert taxed.st_gain[i] == pytest.approx(1100.0) and taxed.lt_gain[i] == 0.0
    assert rationale(taxed.proposals, inp, i, taxed).endswith(
        "; lots: one short-term gain +$1,100; "
        "loss lots kept (wash-sale window: VTI bought on 2021-03-07)")


def test_loss_sold_in_this_run_moves_the_household_buy_or_is_held_back() -> None:
    accounts = [Acct("A", {"VTI": 720, "BND": 540}, 1000),
                Acct("B", {"VTI": 400, "BND": 760}, 22100)]
    inp, _, taxed = run(accounts, vti_lots("A"), taxable=[True, True], household=[0, 0])
    assert trades(inp, taxed, "B") == [("IVV", 50)]
    assert taxed.wash_note[int(taxed.proposals.trades_of(1)[0])] == (
        "VTI sold at a loss in this run (A)")
    # B may not buy IVV: no alternate, so A keeps its loss lots and B buys VTI.
    accounts[1].no_buy = ["IVV"]
    inp, _, taxed = run(accounts, vti_lots("A"), taxable=[True, True], household=[0, 0])
    assert trades(inp, taxed, "B") == [("VTI", 200)]
    assert taxed.lots_of(sell_of(inp, taxed, "A")) == [("A-L4", 110.0)]  # as just above


def test_blocked_buy_without_alternate_is_dropped_with_its_reason() -> None:
    inp, _, taxed = run([Acct("B", {"VTI": 400, "BND": 760}, 22100, no_buy=["IVV"])], [],
                        taxable=[True], household=[0], losses=[(0, "VTI", 30, 5.0)])
    assert trades(inp, taxed, "B") == []
    (change,) = taxed.changes
    assert change.kind is Change.DROPPED
    assert change.reason == ("wash-sale window: VTI sold at a loss on 2021-02-10; "
                             "no other instrument in the sleeve to buy")
    assert taxed.proposals.cash_after[0] == taxed.proposals.cash_before[0]
    # 31 days ago is outside the window
    inp, _, taxed = run([Acct("B", {"VTI": 400, "BND": 760}, 22100, no_buy=["IVV"])], [],
                        taxable=[True], household=[0], losses=[(0, "VTI", 31, 5.0)])
    assert trades(inp, taxed, "B") == [("VTI", 200)]


def test_gain_budget_shrinks_gain_sells_and_the_buys_they_fund() -> None:
    """All 720 VTI cost 80: +20% × 20% = 4% tax per dollar, so (as in the first test)
    x = 12,000 + 50,000 (λ − 4%) and y = 11,000 − 50,000 λ meet x − 1,000 = y at λ = 2%:
    11,000 sold, 110 VTI, 2,200 of gain; a budget of 1,000 allows 50."""
    lots = [("A", "VTI", "only", 720.0, 80.0, "2018-06-01")]
    inp, _, full = run([Acct("A", {"VTI": 720, "BND": 540}, 1000)], lots, taxable=[True],
                       household=[0])
    inp, _, taxed = run([Acct("A", {"VTI": 720, "BND": 540}, 1000)], lots, taxable=[True],
                        household=[0], budget=[1000.0])
    assert trades(inp, full, "A")[0] == ("VTI", -110)
    assert trades(inp, taxed, "A")[0] == ("VTI", -50)
    assert taxed.realized_lt[0] == pytest.approx(1000.0)
    reasons = [c.reason for c in taxed.changes]
    assert reasons[0].endswith("; gain budget: 2,200 estimated vs 1,000 left this year")
    p = taxed.proposals
    assert p.cash_after[0] >= p.cash_keep[0] - 1e-9
    assert p.cash_after[0] == pytest.approx(
        p.cash_before[0] - float((p.side * p.value).sum()) - float(p.cost.sum()))
    assert p.weight_after[0, 0] == pytest.approx((670 * 100) / 100_000 - 0.0, abs=0.01)


def test_sleeve_sells_its_loss_instrument_before_its_gain_instrument() -> None:
    """Equity 72,000 (VTI 360 at a long-term +20 each, IVV 90 at a long-term −40 each) must
    lose 12,000: the core sells pro rata, 60 VTI + 15 IVV (+1,200 of gain). The min-tax
    allocation takes all 12,000 from IVV's loss lot instead (it costs no tax; equity sells
    down to target, which pays for the bonds and the 1,000 of cash missing): 30 IVV, −1,200."""
    lots = [("A", "VTI", "v", 360.0, 80.0, "2018-06-01"),
            ("A", "IVV", "i", 90.0, 440.0, "2018-06-01")]
    accounts = [Acct("A", {"VTI": 360, "IVV": 90, "BND": 540}, 1000)]
    inp = book(INSTRUMENTS, PRICES, [GROWTH], accounts)
    core = propose(inp, RebalancePolicy())
    assert [(inp.instruments[t.instrument], t.side * t.quantity) for t in core.iter_trades(0)
            if t.side < 0] == [("VTI", -60), ("IVV", -15)]
    inp, _, taxed = run(accounts, lots, taxable=[True], household=[0])
    assert [t for t in trades(inp, taxed, "A") if t[1] < 0] == [("IVV", -30)]
    i = sell_of(inp, taxed, "A")
    assert taxed.lots_of(i) == [("i", 30.0)]
    assert taxed.lt_gain[i] == pytest.approx(-1200.0) and taxed.realized_st[0] == 0.0
    (change,) = [c for c in taxed.changes if c.side < 0]
    assert change.kind is Change.DROPPED and inp.instruments[change.instrument] == "VTI"
    assert change.reason == (
        "min-tax allocation: sold from lower-tax lots of IVV (gains short-term $0, "
        "long-term $0 instead of short-term $0, long-term $1,200)")
    p = taxed.proposals
    assert p.cash_after[0] == pytest.approx(
        p.cash_before[0] - float((p.side * p.value).sum()) - float(p.cost.sum()))
    assert p.weight_after[0, 0] == pytest.approx(0.60, abs=0.005)  # drift as the core's
    # Not taxable: the core's pro-rata sells stand.
    inp, _, taxed = run(accounts, lots, taxable=[False], household=[0])
    assert [t for t in trades(inp, taxed, "A") if t[1] < 0] == [("VTI", -60), ("IVV", -15)]


def test_a_holding_outside_the_model_keeps_gain_lots_worth_more_tax_than_drift() -> None:
    """XOM is outside the model, 2,000 of the account's 103,000: a loss lot of 10 (cost 60) and
    a long-term gain lot of 30 (cost 10, +40 a share: 80% × 20% = 16% tax per dollar). The
    core sells all 40 to buy equity (61,800 − 60,000) and bonds (39,140 − 38,000) with it and
    the 940 of cash over the 2,060 to keep. The tax pass sells the loss lot and keeps the gain
    lot: a dollar of it costs 16% − 2 × 1,500 / 103,000 = 13.1%, far more than a dollar of cash
    is worth once the 500 + 940 are bought in, λ = (2,940 − 1,440) / 103,000 = 1.5%."""
    names = [*INSTRUMENTS, "XOM"]
    growth = model(names, "growth", {"us_equity": (0.60, 0.05), "bonds": (0.38, 0.05)},
                   {"VTI": ("us_equity", 0), "IVV": ("us_equity", 1), "BND": ("bonds", 0),
                    "AGG": ("bonds", 1)})
    inp = book(names, {**PRICES, "XOM": 50.0}, [growth],
               [Acct("A", {"VTI": 600, "BND": 760, "XOM": 40}, 3000)])
    lots = [("A", "XOM", "loss", 10.0, 60.0, "2019-01-10"),
            ("A", "XOM", "gain", 30.0, 10.0, "2015-06-01")]
    core = propose(inp, RebalancePolicy())
    assert ("XOM", -40) in [(names[t.instrument], t.side * t.quantity)
                            for t in core.iter_trades(0)]
    taxed = tax_pass(core, inp, tax_input(inp, lots, taxable=[True], household=[0]))
    sells = [(names[t.instrument], t.side * t.quantity) for t in taxed.proposals.iter_trades(0)
             if t.side < 0]
    assert sells == [("XOM", -10)]
    i = sell_of(inp, taxed, "A")
    assert taxed.lots_of(i) == [("loss", 10.0)] and taxed.lt_gain[i] == pytest.approx(-100.0)
    # the same holding in an IRA is sold whole: no tax to weigh
    ira = tax_pass(core, inp, tax_input(inp, lots, taxable=[False], household=[0]))
    assert ("XOM", -40) in [(names[t.instrument], t.side * t.quantity)
                            for t in ira.proposals.iter_trades(0)]


def test_cash_is_raised_from_the_sleeves_where_a_dollar_costs_least() -> None:
    """A (100,000 on target: VTI 600, BND 760, cash 2,000) must raise 10,000 more: cash to keep
    2% × 100,000 + 10,000 = 12,000, so the sleeves' target values are 60/98 and 38/98 of
    88,000 — equity 53,877.55 (6,122.45 over), bonds 34,122.45 (3,877.55 over). The core sells
    pro rata: 61 VTI + 78 BND = 10,000. VTI is one long-term gain lot (cost 50: +50%, × 20% =
    10% tax per dollar), BND one loss lot (0). The cash is raised where the marginal cost per
    dollar, tax per dollar − 2 × (over − sold) ÷ 100,000, is equal in both sleeves:
    0.10 − 2(6,122.45 − x)/1e5 = −2(3,877.55 − (10,000 − x))/1e5 → x = 3,622.45 of equity
    (within 0.9 × 5% × 88,000/0.98 = 4,040.82 of target either way): 36.22 VTI and 127.55 BND
    floored to 36 and 127, then one more lot by the largest remainder first (BND's 0.55) while
    the sale stays ≤ 10,000: 128 BND. Objective Σ(over − sold)² ÷
    T² + tax ÷ T: 2 × 2,522.45² / 1e10 + 1,800 × 20% / 1e5 = 0.0049 vs the core's
    (22.45² + 22.45²) / 1e10 + 3,050 × 20% / 1e5 = 0.0061 — so it replaces the core's split."""
    accounts = [Acct("A", {"VTI": 600, "BND": 760}, 2000, cash_needed=10000)]
    inp = book(INSTRUMENTS, PRICES, [GROWTH], accounts)
    assert [(inp.instruments[t.instrument], t.side * t.quantity) for t in
            propose(inp, RebalancePolicy()).iter_trades(0)] == [("VTI", -61), ("BND", -78)]
    lots = [("A", "VTI", "v", 600.0, 50.0, "2015-06-01"),
            ("A", "BND", "b", 760.0, 60.0, "2015-06-01")]
    inp, _, taxed = run(accounts, lots, taxable=[True], household=[0])
    assert trades(inp, taxed, "A") == [("VTI", -36), ("BND", -128)]
    assert taxed.realized_lt[0] == pytest.approx(36 * 50 - 128 * 10)
    assert taxed.proposals.cash_after[0] == pytest.approx(12000 - 2)  # 2 bps on 10,000
    (change,) = taxed.changes
    assert change.kind is Change.REDUCED and inp.instruments[change.instrument] == "VTI"
    assert change.reason == (
        "min-tax allocation: sold from lower-tax lots of BND (gains short-term $0, "
        "long-term $1,800 instead of short-term $0, long-term $3,050)")
    # VTI at cost 10 (+90%: 18% tax per dollar): the equal-cost point, 0.18 × 1e5 / 2 = 9,000
    # = (6,122.45 − x) − (3,877.55 − (10,000 − x)), is x = 1,622.45 — equity would stay more
    # than the room over target, so it sells at least 6,122.45 − 4,040.82 = 2,081.63 (20.82
    # VTI) and bonds the rest, 7,918.37 (158.37 BND): floored to 20 + 158, then one more lot
    # by the largest remainder first (VTI's 0.82 before BND's 0.37) while the sale stays
    # ≤ 10,000: 21 VTI + 158 BND = 10,000. Bonds at 30.1% stay above (38% − 5%) × 88/98.
    lots = [("A", "VTI", "v", 600.0, 10.0, "2015-06-01"),
            ("A", "BND", "b", 760.0, 60.0, "2015-06-01")]
    inp, _, taxed = run(accounts, lots, taxable=[True], household=[0])
    assert trades(inp, taxed, "A") == [("VTI", -21), ("BND", -158)]
    assert taxed.proposals.weight_after[0] == pytest.approx([0.579, 0.301], abs=1e-4)
    # Not taxable: the core's pro-rata sells stand.
    inp, _, taxed = run(accounts, lots, taxable=[False], household=[0])
    assert trades(inp, taxed, "A") == [("VTI", -61), ("BND", -78)]
