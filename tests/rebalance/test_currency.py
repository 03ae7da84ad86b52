"""Multi-currency accounts: golden FX legs computed by hand, and conservation as a property.

Rates in USD per unit: EUR 1.086, GBP 1.25, JPY 0.0067. Local prices: AAPL $100, SAP €150,
ASML €500, VOD £4, TM ¥2,000. Trades are written (account, instrument, side, quantity).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ballast.config.rebalance import RebalancePolicy
from ballast.domain import DataError
from ballast.rebalance import CurrencyInput, CurrencyPlan, Proposals, missing_rates, plan_currency

from .book import Acct, book, model

DOC = Path(__file__).resolve().parents[2] / "docs" / "rebalancing.md"  # its example legs
AS_OF = date(2021, 1, 5)
INSTRUMENTS = ["AAPL", "SAP", "ASML", "VOD", "TM"]
CURRENCIES = ("EUR", "GBP", "JPY", "USD")
INST_CCY = np.array([3, 0, 0, 1, 2])
USD_PER = np.array([1.086, 1.25, 0.0067, 1.0])
LOCAL = np.array([100.0, 150.0, 500.0, 4.0, 2000.0])
MINOR = np.array([0.01, 0.01, 1.0, 0.01])
FREE = RebalancePolicy(costs={"half_spread_bps": 0.0})
Trade = tuple[int, str, int, float]


def fx_row(base: str) -> np.ndarray:
    return USD_PER / USD_PER[CURRENCIES.index(base)]


def currency_input(bases: Sequence[str], cash: Sequence[Mapping[str, float]],
                   fx: np.ndarray | None = None) -> CurrencyInput:
    amounts = np.array([[c.get(k, 0.0) for k in CURRENCIES] for c in cash])
    return CurrencyInput(
        as_of=AS_OF, currencies=CURRENCIES, cash=amounts.reshape(len(bases), len(CURRENCIES)),
        instrument_currency=INST_CCY,
        base=np.array([CURRENCIES.index(b) for b in bases], dtype=np.int64),
        fx=np.array([fx_row(b) for b in bases]) if fx is None else fx)


def proposals(cur: CurrencyInput, trades: Sequence[Trade], policy: RebalancePolicy
              ) -> Proposals:
    """Final proposals with just these trades (per-account figures left empty)."""
    rows = sorted((a, s, INSTRUMENTS.index(i), q) for a, i, s, q in trades)
    acct = np.array([r[0] for r in rows], dtype=np.int64)
    side = np.array([r[1] for r in rows], dtype=np.int64)
    inst = np.array([r[2] for r in rows], dtype=np.int64)
    qty = np.array([r[3] for r in rows], dtype=np.float64)
    uv = LOCAL[inst] * cur.fx[acct, INST_CCY[inst]]
    n = len(cur.base)
    zeros, empty = np.zeros(n), np.zeros((n, 0))
    return Proposals(
        policy=policy, trade_account=acct, trade_instrument=inst, side=side, quantity=qty,
        unit_value=uv, value=qty * uv, cost=policy.costs.cost(qty * uv),
        sleeve=np.zeros(len(rows), dtype=np.int64), reason=np.ones(len(rows), dtype=np.int64),
        triggered=np.ones(n, dtype=bool), triggers=np.ones(n, dtype=np.int64),
        skip=np.zeros(n, dtype=np.int64), skip_message=("",) * n, total_value=zeros,
        weight_before=empty, weight_after=empty, drift_before=zeros, drift_after=zeros,
        cash_before=zeros, cash_after=zeros, cash_keep=zeros)


def plan(bases: Sequence[str], cash: Sequence[Mapping[str, float]], trades: Sequence[Trade],
         policy: RebalancePolicy = FREE) -> CurrencyPlan:
    cur = currency_input(bases, cash)
    inp = book(INSTRUMENTS, {}, [], [Acct(f"A{k}", {}, 0.0, model=-1) for k in range(len(bases))])
    return plan_currency(proposals(cur, trades, policy), inp, cur)


def legs(p: CurrencyPlan) -> list[tuple[int, str, float, str, float]]:
    """(account, currency bought, amount, currency sold, amount) per leg."""
    c = p.currencies
    return [(int(p.leg_account[k]), c[p.buy_currency[k]], round(float(p.buy_amount[k]), 2),
             c[p.sell_currency[k]], round(float(p.sell_amount[k]), 2)) for k in range(p.n_legs)]


def cash_after(p: CurrencyPlan, account: int = 0) -> dict[str, float]:
    return {c: round(float(v), 2) for c, v in zip(p.currencies, p.cash_after[account],
                                                   strict=True) if round(float(v), 2)}


def test_usd_cash_buys_the_euros_and_pounds_of_its_purchases() -> None:
    # 80 SAP (€12,000) + 10 ASML (€5,000) and 5,000 VOD (£20,000), with $100,000 only: the
    # example of docs/rebalancing.md
    p = plan(["USD"], [{"USD": 100_000}], [(0, "SAP", 1, 80), (0, "ASML", 1, 10),
                                           (0, "VOD", 1, 5000)])
    assert legs(p) == [(0, "EUR", 17_000.00, "USD", 18_462.00),
                       (0, "GBP", 20_000.00, "USD", 25_000.00)]
    assert p.rationale == (
        "Buy €17,000.00 with $18,462.00 at 1.0860 USD per EUR to pay for purchases of SAP, "
        "ASML (EUR)",
        "Buy £20,000.00 with $25,000.00 at 1.2500 USD per GBP to pay for purchases of VOD "
        "(GBP)")
    assert cash_after(p) == {"USD": 56_538.00}
    assert all(f"{text}\n" in DOC.read_text(encoding="utf-8") for text in p.rationale)
    assert p.rate.tolist() == pytest.approx([1.086, 1.25])
    assert p.local_price.tolist() == pytest.approx([150.0, 500.0, 4.0])  # SAP, ASML, VOD
    assert [p.currencies[c] for c in p.trade_currency] == ["EUR", "EUR", "GBP"]


def test_trade_and_fx_costs_are_paid_too() -> None:
    # 2 bps on €12,000 is €2.40 more to buy; 10 bps on $13,034.61 converted is $13.03
    policy = RebalancePolicy(costs={"half_spread_bps": 2.0}, fx_cost_bps=10.0)
    p = plan(["USD"], [{"USD": 50_000}], [(0, "SAP", 1, 80)], policy)
    assert legs(p) == [(0, "EUR", 12_002.40, "USD", 13_034.61)]
    assert p.cost.tolist() == pytest.approx([13.0346064])
    assert cash_after(p) == {"USD": round(50_000 - 13_034.61 - 13.0346064, 2)}
    assert p.fx_cost().tolist() == pytest.approx([13.0346064])


def test_a_sale_in_euros_pays_for_a_purchase_in_euros() -> None:
    trades: list[Trade] = [(0, "SAP", -1, 100), (0, "ASML", 1, 20)]  # +€15,000, −€10,000
    p = plan(["USD"], [{"USD": 1_000}], trades)
    assert p.n_legs == 0
    assert cash_after(p) == {"USD": 1_000.00, "EUR": 5_000.00}
    assert p.flow[0].tolist() == pytest.approx([5_000.0, 0.0, 0.0, 0.0])


def test_sweep_brings_foreign_cash_left_back_to_base() -> None:
    trades: list[Trade] = [(0, "SAP", -1, 100), (0, "ASML", 1, 20)]
    swept = plan(["USD"], [{"USD": 1_000}], trades,
                 RebalancePolicy(costs={"half_spread_bps": 0.0}, fx_sweep_foreign_cash=True))
    assert legs(swept) == [(0, "USD", 5_430.00, "EUR", 5_000.00)]
    assert swept.rationale == (
        "Buy $5,430.00 with €5,000.00 at 1.0860 USD per EUR: EUR cash left after the trades, "
        "back to USD",)
    assert cash_after(swept) == {"USD": 6_430.00}
    kept = plan(["USD"], [{"USD": 1_000}], trades, RebalancePolicy(
        costs={"half_spread_bps": 0.0}, fx_sweep_foreign_cash=True, fx_min_conversion=6_000))
    assert kept.n_legs == 0  # €5,000 is worth $5,430, below the minimum


def test_euros_pay_for_pounds_when_dollars_cannot() -> None:
    # $1,000 cannot pay for £20,000: the €30,000 do, in one leg at 1.25 / 1.086 EUR per GBP
    p = plan(["USD"], [{"USD": 1_000, "EUR": 30_000}], [(0, "VOD", 1, 5000)])
    assert legs(p) == [(0, "GBP", 20_000.00, "EUR", 23_020.26)]
    assert p.rationale[0] == ("Buy £20,000.00 with €23,020.26 at 1.1510 EUR per GBP to pay for "
                              "purchases of VOD (GBP) (not enough USD cash)")
    assert cash_after(p) == {"USD": 1_000.00, "EUR": 6_979.74}


def test_dollars_then_euros_when_neither_alone_can_pay() -> None:
    # £20,000 = $25,000: $10,000 buy £8,000.00, then €13,812.15 buy the other £12,000.00
    p = plan(["USD"], [{"USD": 10_000, "EUR": 15_000}], [(0, "VOD", 1, 5000)])
    assert legs(p) == [(0, "GBP", 8_000.00, "USD", 10_000.00),
                       (0, "GBP", 12_000.00, "EUR", 13_812.15)]
    assert cash_after(p) == {"EUR": 1_187.85}


def test_euro_cash_pays_for_dollar_purchases() -> None:
    p = plan(["USD"], [{"EUR": 20_000}], [(0, "AAPL", 1, 100)])  # $10,000 of AAPL
    assert legs(p) == [(0, "USD", 10_000.00, "EUR", 9_208.10)]
    assert p.rationale[0] == ("Buy $10,000.00 with €9,208.10 at 1.0860 USD per EUR to pay for "
                              "purchases of AAPL (USD)")
    assert cash_after(p) == {"EUR": 10_791.90}


def test_a_euro_account_buys_dollars_quoted_the_usual_way() -> None:
    p = plan(["EUR"], [{"EUR": 20_000}], [(0, "AAPL", 1, 100)])
    assert legs(p) == [(0, "USD", 10_000.00, "EUR", 9_208.10)]
    assert p.rationale[0].startswith("Buy $10,000.00 with €9,208.10 at 1.0860 USD per EUR")


def test_yen_rounds_to_whole_yen_and_is_quoted_per_dollar() -> None:
    p = plan(["USD"], [{"USD": 10_000}], [(0, "TM", 1, 1)])  # ¥2,000
    assert legs(p) == [(0, "JPY", 2_000.0, "USD", 13.40)]
    assert "at 149.2537 JPY per USD" in p.rationale[0]


def test_a_single_currency_account_gets_no_leg_and_unchanged_numbers() -> None:
    policy = RebalancePolicy(fx_cost_bps=25.0, fx_sweep_foreign_cash=True)
    p = plan(["USD"], [{"USD": 20_000}], [(0, "AAPL", 1, 100)], policy)
    assert p.n_legs == 0 and p.short == ("",)
    assert p.cash_after[0, 3] == 20_000 - 10_000 - policy.costs.cost(10_000.0)


def test_a_shortfall_nothing_can_cover_is_said() -> None:
    p = plan(["USD"], [{"USD": 0}], [(0, "SAP", 1, 80)])
    assert p.n_legs == 0
    assert p.short == ("EUR cash short by €12,000.00 after conversions: no other currency left "
                       "to convert",)


def test_accounts_without_trades_convert_nothing() -> None:
    p = plan(["USD", "USD"], [{"USD": 5_000}, {"EUR": -100, "USD": 5_000}], [(0, "AAPL", 1, 1)],
             RebalancePolicy(fx_sweep_foreign_cash=True))
    assert p.n_legs == 0 and p.cash_after[1].tolist() == [-100, 0, 0, 5_000]


def test_missing_rate_is_named_and_never_traded_on() -> None:
    fx = np.array([[np.nan, 1.25, 0.0067, 1.0], [1.086, 1.25, 0.0067, 1.0]])
    cur = currency_input(["USD", "USD"], [{"USD": 1_000}, {"USD": 1_000}], fx)
    world = model(INSTRUMENTS, "world", {"us": (0.5, 0.05), "eu": (0.48, 0.05)},
                  {"AAPL": ("us", 0), "SAP": ("eu", 0)})
    inp = book(INSTRUMENTS, {}, [world], [Acct("A", {}, 1_000.0), Acct("B", {}, 1_000.0)])
    assert missing_rates(inp, cur) == ("no FX rate EUR→USD as of 2021-01-05", "")
    with pytest.raises(DataError, match="without an FX rate"):
        plan_currency(proposals(cur, [(0, "SAP", 1, 1)], FREE), inp, cur)


@st.composite
def books(draw: st.DrawFn) -> tuple[list[str], list[dict[str, float]], list[Trade]]:
    n = draw(st.integers(1, 4))
    bases = [draw(st.sampled_from(CURRENCIES)) for _ in range(n)]
    amount = st.sampled_from([0.0, 0.0, 500.0, 12_345.67, 80_000.0, 250_000.0])
    cash = [{c: draw(amount) * (100 if c == "JPY" else 1) for c in CURRENCIES}
            for _ in range(n)]
    trades = [(a, i, draw(st.sampled_from([-1, 1])), float(draw(st.integers(1, 400))))
              for a in range(n) for i in INSTRUMENTS if draw(st.booleans())]
    return bases, cash, trades


@settings(max_examples=150, deadline=None)
@given(books(), st.sampled_from([0.0, 7.5, 50.0]), st.booleans(),
       st.sampled_from([0.0, 100.0, 5_000.0]))
def test_cash_is_conserved_and_never_ends_negative(
        drawn: tuple[list[str], list[dict[str, float]], list[Trade]], bps: float, sweep: bool,
        minimum: float) -> None:
    bases, cash, trades = drawn
    policy = RebalancePolicy(fx_cost_bps=bps, fx_sweep_foreign_cash=sweep,
                             fx_min_conversion=minimum)
    cur = currency_input(bases, cash)
    props = proposals(cur, trades, policy)
    inp = book(INSTRUMENTS, {}, [], [Acct(f"A{k}", {}, 0.0, model=-1) for k in range(len(bases))])
    p = plan_currency(props, inp, cur)
    fx, n = cur.fx, len(bases)
    # trades in their currency are the same trades
    assert np.allclose(p.local_value * fx[props.trade_account, p.trade_currency], props.value)
    signed = np.zeros(n)
    np.add.at(signed, props.trade_account, -props.side * props.value - props.cost)
    before, after = (cur.cash * fx).sum(axis=1), (p.cash_after * fx).sum(axis=1)
    # conservation, to within each leg's rounding of its amounts to minor units
    a, sold, bought = p.leg_account, p.sell_currency, p.buy_currency
    slack = np.zeros(n)
    np.add.at(slack, a, MINOR[sold] * fx[a, sold] + MINOR[bought] * fx[a, bought])
    assert np.all(np.abs(after - (before + signed - p.fx_cost())) <= slack + 1e-6 * (
        1 + np.abs(before)))
    # enough value overall (a margin for FX costs): no currency of a trading account is short
    traded = np.zeros(n, dtype=bool)
    traded[props.trade_account] = True
    gross = np.zeros(n)
    np.add.at(gross, props.trade_account, props.value)
    rich = traded & (before + signed >= 0.02 * gross + 1_000)
    assert np.all(p.cash_after[rich] >= -MINOR / 2 - 1e-9)
    assert all(p.short[a] == "" for a in np.flatnonzero(rich))
    # accounts without trades, or in one currency only, are left as they are
    foreign = np.ones_like(fx, dtype=bool)
    foreign[np.arange(n), cur.base] = False
    single = ~((cur.cash != 0) | (p.flow != 0))[foreign].reshape(n, -1).any(axis=1)
    alone = ~traded | single
    assert not np.isin(p.leg_account, np.flatnonzero(alone)).any()
    assert np.allclose(p.cash_after[alone], (cur.cash + p.flow)[alone])
    if sweep:  # what is left is below the minimum, or dust below the minor units
        worth = np.where(foreign, p.cash_after * fx, 0.0)
        dust = MINOR * fx + MINOR[cur.base][:, None]
        assert np.all((worth < np.maximum(minimum, dust) + 1e-6)[traded & ~single])
