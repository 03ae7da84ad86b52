"""Multi-currency accounts end to end: a book imported from CSV files, rebalanced, its FX legs
stored with the run and written to the JSON and the FX CSV."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console

from ballast.cli.render_rebalance import rebalance_review
from ballast.engine import rebalance
from ballast.engine.imports import ImportKind, import_file
from ballast.store import Store

from .conftest import write
from .test_imports import TODAY, load_all

INSTRUMENTS = """symbol,kind,currency,name,exchange
AAPL,equity,USD,Apple Inc.,XNAS
SAP,equity,EUR,SAP SE,XETR
VOD,equity,GBP,Vodafone Group,XLON
NESN,equity,CHF,Nestlé,XSWX
"""
HOUSEHOLDS = "household_id,name\nH1,Smith family\nH2,Müller family\n"
ACCOUNTS = """account_id,household_id,name,type,base_currency,model
US1,H1,Smith global,taxable,USD,global
US2,H1,Smith Swiss,taxable,USD,swiss
EU1,H2,Müller Depot,tax_deferred,EUR,global
"""
PRICES = """date,symbol,close
2021-01-04,AAPL,129.41
2021-01-05,AAPL,131.01
2021-01-04,SAP,107.50
2021-01-05,SAP,106.00
2021-01-04,VOD,1.30
2021-01-05,VOD,1.31
2021-01-04,NESN,98.50
2021-01-05,NESN,99.00
"""
FX = """date,base,quote,rate
2021-01-04,EUR,USD,1.2251
2021-01-05,EUR,USD,1.2297
2021-01-04,GBP,USD,1.3606
2021-01-05,GBP,USD,1.3618
"""
TRANSACTIONS = """id,account_id,date,kind,amount,currency
D1,US1,2021-01-04,deposit,100000.00,USD
D2,US1,2021-01-04,deposit,10000.00,EUR
D3,US2,2021-01-04,deposit,50000.00,
D4,EU1,2021-01-04,deposit,80000.00,
D5,US2,2021-01-04,deposit,1000.00,CHF
"""
MODELS = """
- name: global
  cash: {target: 0.02, minimum: 0.01}
  sleeves:
    - {name: us, target: 0.40, instruments: [AAPL]}
    - {name: europe, target: 0.30, instruments: [SAP]}
    - {name: uk, target: 0.28, instruments: [VOD]}
- name: swiss
  cash: {target: 0.05, minimum: 0.01}
  sleeves:
    - {name: switzerland, target: 0.95, instruments: [NESN]}
"""


@pytest.fixture
def book(store: Store, tmp_path: Path) -> Store:
    files = {name: write(tmp_path, f"{name}.csv", text) for name, text in (
        ("instruments", INSTRUMENTS), ("households", HOUSEHOLDS), ("accounts", ACCOUNTS),
        ("prices", PRICES), ("fx", FX), ("transactions", TRANSACTIONS))}
    load_all(store, files)
    import_file(store, ImportKind.FX, files["fx"], today=TODAY)
    rebalance.import_models(store, [write(tmp_path, "models.yaml", MODELS)])
    return store


def test_trades_settle_in_their_currency_with_fx_legs(book: Store, tmp_path: Path) -> None:
    policy = rebalance.load_policy(write(tmp_path, "p.yaml", "fx_cost_bps: 10\n"))
    result = rebalance.rebalance(book, policy=policy)
    by_account = {a.account_id: a for a in result.accounts}
    # US2 holds francs and its model buys NESN, but the book has no CHF rate
    assert by_account["US2"].status == "skipped"
    assert by_account["US2"].reasons == "no FX rate CHF→USD as of 2021-01-05"
    trades = {(t.account_id, t.instrument_id): t for t in result.trades}
    sap = trades[("US1", "SAP")]
    assert (sap.currency, sap.est_local_price, sap.est_price) == (
        "EUR", Decimal("106.0000"), Decimal("130.3482"))
    assert trades[("EU1", "SAP")].est_price == trades[("EU1", "SAP")].est_local_price
    legs = {(x.account_id, x.buy_currency): x for x in result.fx}
    assert sorted(legs) == [("EU1", "GBP"), ("EU1", "USD"), ("US1", "EUR"), ("US1", "GBP")]
    # US1 holds €10,000: it buys only what its SAP purchase (and its cost) needs beyond that
    eur = legs[("US1", "EUR")]
    bought = sap.est_local_value + sap.est_cost / Decimal("1.2297") - Decimal(10_000)
    assert eur.sell_currency == "USD" and abs(eur.buy_amount - bought) <= Decimal("0.01")
    assert eur.rate == Decimal("1.2297") and eur.sell_amount == (
        eur.buy_amount * eur.rate).quantize(Decimal("0.01"))
    assert eur.rationale.startswith(f"Buy €{eur.buy_amount:,} with ${eur.sell_amount:,} at "
                                    "1.2297 USD per EUR to pay for purchases of SAP (EUR)")
    assert legs[("EU1", "USD")].sell_currency == "EUR"
    # cash after nets the FX costs (10 bps of each converted value)
    us1 = by_account["US1"]
    spent = sum(t.est_value + t.est_cost for t in result.trades if t.account_id == "US1")
    fx_cost = sum(x.est_cost for x in result.fx if x.account_id == "US1")
    assert fx_cost > 0 and abs(us1.cash_after - (us1.cash_before - spent - fx_cost)) <= Decimal(
        "0.02")
    with book.transaction() as tx:
        assert tx.proposed_fx(result.run_id or 0) == result.fx
        assert tx.proposed_trades(result.run_id or 0) == result.trades
    csv_path, json_path, fx_path = rebalance.write_proposals(result, tmp_path / "out")
    assert fx_path.name.endswith("-fx.csv")
    with fx_path.open() as f:
        rows = list(csv.DictReader(f))
    assert [(r["account_id"], r["buy_currency"], r["buy_amount"]) for r in rows] == [
        (x.account_id, x.buy_currency, str(x.buy_amount)) for x in result.fx]
    with csv_path.open() as f:
        sap_row = next(r for r in csv.DictReader(f)
                       if (r["account_id"], r["instrument_id"]) == ("US1", "SAP"))
    assert (sap_row["currency"], sap_row["est_local_price"]) == ("EUR", "106.0000")
    assert len(json.loads(json_path.read_text())["fx"]) == len(result.fx) == 4
    console = Console(width=220, record=True)
    console.print(rebalance_review(result, [csv_path, json_path, fx_path]))
    review = console.export_text()
    assert review.index("trades (first") < review.index("currency conversions")
    assert eur.rationale in review


def test_a_single_currency_run_writes_no_fx_file(book: Store, tmp_path: Path) -> None:
    result = rebalance.rebalance(book, account="US2", dry_run=True)
    assert result.fx == [] and len(rebalance.write_proposals(result, tmp_path)) == 2
