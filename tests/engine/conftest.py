"""A small book on disk, in the documented CSV formats, for engine tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ballast.engine.demo import load_demo
from ballast.engine.workspace import open_store
from ballast.store import Store

INSTRUMENTS = """symbol,kind,currency,name,asset_class,sector
AAPL,equity,USD,Apple Inc.,us_equity,Information Technology
XOM,equity,USD,Exxon Mobil,us_equity,Energy
VTI,etf,USD,Vanguard Total Stock Market,us_equity,
"""
HOUSEHOLDS = """household_id,name
H1,Smith family
H2,Jones family
"""
ACCOUNTS = """account_id,household_id,name,type,base_currency,custodian,model,lot_method
H1-TAX,H1,Smith joint,taxable,USD,Schwab,growth,fifo
H1-IRA,H1,Smith IRA,tax_deferred,USD,Schwab,growth,fifo
H2-TAX,H2,Jones joint,taxable,USD,Fidelity,balanced,hifo
"""
PRICES = """date,symbol,close
2021-01-04,AAPL,129.41
2021-01-04,XOM,41.50
2021-01-04,VTI,193.86
2021-01-05,AAPL,131.01
2021-01-05,XOM,43.50
2021-01-05,VTI,195.40
"""
TRANSACTIONS = """id,account_id,date,kind,symbol,quantity,price,amount,fees
T1,H1-TAX,2020-01-02,deposit,,,,100000.00,
T2,H1-TAX,2020-01-03,buy,AAPL,100,75.00,,1.00
T3,H1-TAX,2020-02-03,buy,XOM,200,60.00,,1.00
T4,H2-TAX,2020-01-02,deposit,,,,50000.00,
T5,H2-TAX,2020-03-02,buy,VTI,100,150.00,,
T6,H1-TAX,2020-06-01,sell,XOM,100,45.00,,1.00
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def book_files(tmp_path: Path) -> dict[str, Path]:
    return {
        "instruments": write(tmp_path, "instruments.csv", INSTRUMENTS),
        "households": write(tmp_path, "households.csv", HOUSEHOLDS),
        "accounts": write(tmp_path, "accounts.csv", ACCOUNTS),
        "prices": write(tmp_path, "prices.csv", PRICES),
        "transactions": write(tmp_path, "transactions.csv", TRANSACTIONS),
    }


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A migrated, empty store on each backend."""
    s = open_store(store_url)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The demo book (sample prices, three households, the demo models) on SQLite, shared by
    the tests that only read it or write models under names of their own."""
    s = open_store(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    load_demo(s, households=3)
    try:
        yield s
    finally:
        s.close()
