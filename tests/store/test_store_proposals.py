"""Stored rebalancing runs: FX legs round-trip exactly; 0005 fills in the trades' currency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import inspect, text

from ballast.store import AccountProposal, ProposedFx, ProposedTrade, Store

from .migrate import alembic

D = Decimal



def test_fx_legs_are_stored_with_the_run_exactly(book: Store) -> None:
    account = AccountProposal("A1", "trade", "global", "v1", "cash to deploy", D("1000.00"),
                              D("1000.00"), D("10.00"), D("0.5"), D("0.01"), D(0), D(0))
    trade = ProposedTrade("A1", "VOD", "buy", D(100), D("1.7840"), D("178.40"), D("0.04"),
                          "uk", "", D(0), D(0), "Buy 100 VOD", "GBP", D("1.3100"), D("131.00"))
    leg = ProposedFx("A1", "USD", "GBP", D("178.45"), D("131.04"), D("1.36180000"), D("0.18"),
                     "Buy £131.04 with $178.45 at 1.3618 USD per GBP")
    with book.transaction() as tx:
        run = tx.add_rebalance_run(date(2021, 1, 5), "snap", "policy", [account], [trade],
                                   [leg, leg])
    with book.transaction() as tx:
        assert tx.proposed_fx(run) == [leg, leg]
        assert tx.proposed_trades(run) == [trade]
        assert tx.proposed_fx(run + 1) == []


def test_0005_fills_in_the_currency_of_stored_trades_and_downgrades(store_url: str) -> None:
    s = Store(store_url)
    try:
        alembic(s, "upgrade", "0004")
        with s.engine.begin() as conn:
            for symbol, currency in (("AAPL", "USD"), ("SAP", "EUR")):
                conn.execute(text(
                    "INSERT INTO instruments (id, kind, currency, name, asset_class, sector, "
                    "country, exchange, issuer, lot_size, fractional, multiplier) VALUES "
                    f"('{symbol}', 'equity', '{currency}', '', '', '', '', 'XNYS', '', '1', "
                    "false, '1')"))
            conn.execute(text("INSERT INTO households (id, name) VALUES ('H', 'H')"))
            conn.execute(text(
                "INSERT INTO accounts (id, household_id, name, account_type, base_currency, "
                "custodian, model, lot_method, allow_shorts, allow_margin, do_not_buy, "
                "do_not_sell, excluded) VALUES ('A', 'H', '', 'taxable', 'USD', '', '', "
                "'fifo', false, false, '', '', '')"))
            conn.execute(text(
                "INSERT INTO rebalance_runs (id, as_of, created_at, snapshot_id, "
                "policy_version, accounts, triggered, trades) VALUES (1, '2021-01-05', "
                "'2021-01-05 12:00:00+00', 's', 'p', 1, 1, 2)"))
            for seq, symbol, price in ((1, "AAPL", "131.01"), (2, "SAP", "130.3482")):
                conn.execute(text(
                    "INSERT INTO proposed_trades (run_id, account_id, seq, instrument_id, side, "
                    "quantity, est_price, est_value, est_cost, sleeve, lots, "
                    "est_short_term_gain, est_long_term_gain, rationale) VALUES (1, 'A', "
                    f"{seq}, '{symbol}', 'buy', '1', '{price}', '{price}', '0', 's', '', '0', "
                    "'0', 'r')"))
        alembic(s, "upgrade", "0005")
        with s.transaction() as tx:
            aapl, sap = tx.proposed_trades(1)
        assert (aapl.currency, aapl.est_local_price, aapl.est_local_value) == (
            "USD", D("131.01"), D("131.01"))
        assert (sap.currency, sap.est_local_price, sap.est_local_value) == ("EUR", None, None)
        alembic(s, "downgrade", "0004")
        assert "proposed_fx" not in inspect(s.engine).get_table_names()
        columns = {c["name"] for c in inspect(s.engine).get_columns("proposed_trades")}
        assert "currency" not in columns and "rationale" in columns
    finally:
        s.close()
