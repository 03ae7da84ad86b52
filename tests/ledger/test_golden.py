"""Golden ledger cases in the notation of notation.py: holdings, transactions, expected result."""

from __future__ import annotations

import pytest

from .notation import run

THREE_LOTS = """
given
  account A taxable
  lot A XYZ L1 100 1000 2019-01-02
  lot A XYZ L2 100 2000 2019-06-03
  lot A XYZ L3 100 1500 2020-02-03
when
  sell A XYZ 150 @ 18 2020-06-01 method={method}
then
  cash A USD 2700
"""

# Selling 150 of three lots (unit costs 10, 20, 15) at 18 on 2020-06-01: L1 is long-term there,
# L2 (bought 2019-06-03) is not yet.
RELIEF = {
    "fifo": """
  lot A XYZ L2 50 1000 2019-06-03
  lot A XYZ L3 100 1500 2020-02-03
  gain A XYZ L1 100 1800 1000 long
  gain A XYZ L2 50 900 1000 short""",
    "lifo": """
  lot A XYZ L1 100 1000 2019-01-02
  lot A XYZ L2 50 1000 2019-06-03
  gain A XYZ L3 100 1800 1500 short
  gain A XYZ L2 50 900 1000 short""",
    "hifo": """
  lot A XYZ L1 100 1000 2019-01-02
  lot A XYZ L3 50 750 2020-02-03
  gain A XYZ L2 100 1800 2000 short
  gain A XYZ L3 50 900 750 short""",
    # the L2 loss first, then the long-term L1 gain; the short-term L3 gain is kept
    "min_tax": """
  lot A XYZ L1 50 500 2019-01-02
  lot A XYZ L3 100 1500 2020-02-03
  gain A XYZ L2 100 1800 2000 short
  gain A XYZ L1 50 900 500 long""",
    # average unit cost 4500 / 300 = 15, units leave first-in first-out
    "average": """
  lot A XYZ L2 50 750 2019-06-03
  lot A XYZ L3 100 1500 2020-02-03
  gain A XYZ L1 100 1800 1500 long
  gain A XYZ L2 50 900 750 short""",
    "specific lots=L3:100,L1:50": """
  lot A XYZ L1 50 500 2019-01-02
  lot A XYZ L2 100 2000 2019-06-03
  gain A XYZ L3 100 1800 1500 short
  gain A XYZ L1 50 900 500 long""",
}


@pytest.mark.parametrize("method", RELIEF)
def test_relief_methods_through_the_book(method: str) -> None:
    run(THREE_LOTS.format(method=method) + RELIEF[method])


CASES: dict[str, str] = {
    "buy: basis includes fees, cash debited": """
given
  account A taxable
  cash A USD 10000
when
  buy A XYZ 100 @ 10 2020-01-02 fees=5
then
  lot A XYZ T1 100 1005 2020-01-02
  cash A USD 8995
""",
    "sell: proceeds net of fees, held exactly one year is short-term": """
given
  account A taxable
  lot A XYZ L1 100 1000 2020-03-15
when
  sell A XYZ 40 @ 12 2021-03-15 fees=8
then
  lot A XYZ L1 60 600 2020-03-15
  gain A XYZ L1 40 472 400 short
  cash A USD 472
""",
    "sell: one year and a day is long-term": """
given
  account A taxable
  lot A XYZ L1 100 1000 2020-03-15
when
  sell A XYZ 100 @ 12 2021-03-16
then
  gain A XYZ L1 100 1200 1000 long
""",
    # --- splits and stock dividends ---------------------------------------------------------
    "2-for-1 split: 100 sh basis 1000 becomes 200 sh basis 1000": """
given
  account A taxable
  lot A XYZ L1 100 1000 2019-01-02
when
  split A XYZ 2 2020-06-01
then
  lot A XYZ L1 200 1000 2019-01-02
""",
    "AAPL 4-for-1 of 2020-08-31: 10 sh at 300.35 become 40 sh, sold at the 129.04 close": """
given
  account A taxable
  cash A USD 5000
when
  buy A AAPL 10 @ 300.35 2020-01-02
  split A AAPL 4 2020-08-31
  sell A AAPL 15 @ 129.04 2020-08-31
then
  lot A AAPL T1 25 1877.19 2020-01-02
  gain A AAPL T1 15 1935.60 1126.31 short
  cash A USD 3932.10
""",
    "1-for-10 reverse split: 105 sh become 10 sh and 0.5 sh is paid in cash": """
given
  account A taxable
  lot A XYZ L1 105 1050 2019-01-02
when
  split A XYZ 0.1 2020-06-01 price=12
then
  lot A XYZ L1 10 1000 2019-01-02
  gain A XYZ L1 0.5 6 50 long
  cash A USD 6
""",
    "reverse split: the fraction comes from the position, not from each lot": """
given
  account A taxable
  lot A XYZ L1 55 550 2019-01-02
  lot A XYZ L2 55 600 2019-06-03
when
  split A XYZ 0.1 2020-06-01 price=12
then
  lot A XYZ L1 5.5 550 2019-01-02
  lot A XYZ L2 5.5 600 2019-06-03
""",
    "reverse split on a fractional instrument pays no cash": """
given
  account A taxable
  instrument XYZ mutual_fund USD fractional
  lot A XYZ L1 105 1050 2019-01-02
when
  split A XYZ 0.1 2020-06-01
then
  lot A XYZ L1 10.5 1050 2019-01-02
""",
    "5% stock dividend: basis spread over old and new units, old holding period": """
given
  account A taxable
  lot A XYZ L1 100 1000 2019-01-02 hold=2018-12-01
when
  stock_dividend A XYZ 0.05 2020-06-01
then
  lot A XYZ L1 105 1000 2019-01-02 hold=2018-12-01
""",
    "symbol change: lots move unchanged": """
given
  account A taxable
  lot A FB L1 100 1000 2019-01-02 wash=10
when
  symbol_change A FB META 2022-06-09
then
  lot A META L1 100 1000 2019-01-02 wash=10
""",
    # --- cash, dividends, FX, transfers -----------------------------------------------------
    "cash movements and a cash dividend": """
given
  account A taxable
  lot A XYZ L1 100 1000 2019-01-02
when
  deposit A 1000 USD 2020-01-02
  withdrawal A 200 USD 2020-01-03
  interest A 5 USD 2020-01-31
  fee A 15 USD 2020-01-31
  dividend A XYZ 42 USD 2020-02-15
then
  lot A XYZ L1 100 1000 2019-01-02
  cash A USD 832
""",
    "fx conversion": """
given
  account A taxable
  cash A USD 1000
when
  fx A 100 USD 90 EUR 2020-01-02
  fx A 45 EUR 50 USD 2020-01-03
then
  cash A USD 950
  cash A EUR 45
""",
    "transfer out to another account of the book keeps basis and holding period": """
given
  account A taxable
  account B taxable
  lot A XYZ L1 100 1000 2019-01-02 hold=2018-11-01
  lot A XYZ L2 100 2000 2019-06-03
when
  transfer_out A XYZ 150 2020-06-01 to=B
then
  lot A XYZ L2 50 1000 2019-06-03
  lot B XYZ L1 100 1000 2019-01-02 hold=2018-11-01
  lot B XYZ L2 50 1000 2019-06-03
""",
    "transfer out of the book": """
given
  account A taxable
  lot A XYZ L1 100 1000 2019-01-02
when
  transfer_out A XYZ 40 2020-06-01
then
  lot A XYZ L1 60 600 2019-01-02
""",
    "margin account may go negative": """
given
  account A taxable margin
  cash A USD 100
when
  buy A XYZ 10 @ 50 2020-01-02
then
  lot A XYZ T1 10 500 2020-01-02
  cash A USD -400
""",
    "short sale and cover": """
given
  account A taxable shorts
  cash A USD 1000
when
  sell A XYZ 50 @ 10 2020-01-02
  buy A XYZ 80 @ 8 2020-02-03
then
  lot A XYZ T2 30 240 2020-02-03
  gain A XYZ T1 50 500 400 short
  cash A USD 860
""",
    # --- invariants: each failing transaction leaves the book unchanged ---------------------
    "error: selling more than held": """
given
  account A taxable
  lot A XYZ L1 100 1000 2019-01-02
when
  sell A XYZ 150 @ 10 2020-06-01 id=S1
then
  lot A XYZ L1 100 1000 2019-01-02
  error transaction S1 (account A, instrument XYZ): selling 150 but only 100 held
""",
    "error: buying without the cash": """
given
  account A taxable
  cash A USD 100
when
  buy A XYZ 10 @ 50 2020-01-02 id=B1
then
  cash A USD 100
  error transaction B1 (account A, instrument XYZ): would leave USD cash at -400
""",
    "error: a withdrawal in a currency never held": """
given
  account A taxable
  cash A USD 100
when
  withdrawal A 10 EUR 2020-01-02 id=W1
then
  error transaction W1 (account A): the account has never held EUR
""",
    "error: a named lot that is not open": """
given
  account A taxable
  lot A XYZ L1 100 1000 2019-01-02
when
  sell A XYZ 10 @ 10 2020-06-01 lots=L9:10 id=S1
then
  lot A XYZ L1 100 1000 2019-01-02
  error lot L9 is not open
""",
    "error: a reverse split with a fraction and no cash-in-lieu price": """
given
  account A taxable
  lot A XYZ L1 105 1050 2019-01-02
when
  split A XYZ 0.1 2020-06-01
then
  lot A XYZ L1 105 1050 2019-01-02
  error 0.5 fractional units need a cash-in-lieu price
""",
    "error: unknown account": """
given
  account A taxable
when
  deposit Z 10 USD 2020-01-02 id=D1
then
  error transaction D1: unknown account Z
""",
}


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str) -> None:
    run(CASES[case])
