"""A small book valued by hand (shared by the NAV and performance tests): account A with a
deposit and a withdrawal mid-period, a fee and a GBP holding bought through an FX conversion;
account B funded mid-period. Both follow model ``m``."""

from __future__ import annotations

from pathlib import Path

from ballast.engine.imports import ImportKind, import_file
from ballast.store import Store

INSTRUMENTS = """symbol,kind,currency,name,asset_class,sector,exchange
AAPL,equity,USD,Apple Inc.,us_equity,Information Technology,XNYS
VOD,equity,GBP,Vodafone,intl_equity,Communication Services,XLON
"""
HOUSEHOLDS = "household_id,name\nH1,Smith\nH2,Jones\n"
ACCOUNTS = """account_id,household_id,name,type,base_currency,custodian,model,lot_method
A,H1,Smith joint,taxable,USD,Schwab,m,fifo
B,H2,Jones joint,taxable,USD,Schwab,m,fifo
"""
# AAPL has no close on Friday the 8th: its Thursday close carries over.
PRICES = """date,symbol,close
2021-01-04,AAPL,100
2021-01-05,AAPL,110
2021-01-06,AAPL,105
2021-01-07,AAPL,120
2021-01-05,VOD,9.5
2021-01-06,VOD,10
2021-01-07,VOD,10
2021-01-08,VOD,11
"""
FX = """date,base,quote,rate
2021-01-04,GBP,USD,1.25
2021-01-06,GBP,USD,1.30
2021-01-07,GBP,USD,1.20
"""
TRANSACTIONS = """\
id,account_id,date,kind,symbol,quantity,price,amount,currency,fees,to_currency,to_amount
T1,A,2021-01-04,deposit,,,,10000,USD,,,
T2,A,2021-01-04,buy,AAPL,10,100,,USD,1,,
T3,A,2021-01-05,fx_conversion,,,,1250,USD,,GBP,1000
T4,A,2021-01-05,buy,VOD,100,9,,GBP,,,
T5,A,2021-01-06,deposit,,,,1000,USD,,,
T6,A,2021-01-07,withdrawal,,,,500,USD,,,
T7,A,2021-01-07,fee,,,,10,USD,,,
T8,B,2021-01-06,deposit,,,,5000,USD,,,
T9,B,2021-01-06,buy,AAPL,20,100,,USD,,,
"""
DAYS = ["2021-01-04", "2021-01-05", "2021-01-06", "2021-01-07", "2021-01-08"]
# By hand: AAPL + VOD × GBPUSD + USD cash + GBP cash × GBPUSD.
A_VALUE = [10 * 100 + 8999,
           10 * 110 + 100 * 9.5 * 1.25 + 7749 + 100 * 1.25,
           10 * 105 + 100 * 10 * 1.30 + 8749 + 100 * 1.30,
           10 * 120 + 100 * 10 * 1.20 + 8239 + 100 * 1.20,
           10 * 120 + 100 * 11 * 1.20 + 8239 + 100 * 1.20]
A_FLOWS = [0, 1000, -500, 0]
A_FEES = [0, 0, 10, 0]
# B is funded on the 6th and buys 20 AAPL at 100 (the close is 105).
B_VALUE = [0, 0, 3000 + 20 * 105, 3000 + 20 * 120, 3000 + 20 * 120]
B_FLOWS = [0, 5000, 0, 0]




def load_small_book(store: Store, tmp_path: Path) -> Store:
    """Import the small book into ``store`` through the CSV import path."""
    files = [(ImportKind.INSTRUMENTS, INSTRUMENTS), (ImportKind.HOUSEHOLDS, HOUSEHOLDS),
             (ImportKind.ACCOUNTS, ACCOUNTS), (ImportKind.PRICES, PRICES), (ImportKind.FX, FX),
             (ImportKind.TRANSACTIONS, TRANSACTIONS)]
    for kind, text in files:
        path = tmp_path / f"{kind.value}.csv"
        path.write_text(text, encoding="utf-8")
        import_file(store, kind, path)
    return store
