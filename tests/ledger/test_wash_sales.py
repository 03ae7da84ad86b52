"""Wash sales (IRS Publication 550, Treas. Reg. §1.1091-1) as golden ledger cases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from .notation import run


def _pub550(replacement: str, expect: str, extra_given: str = "") -> str:
    return f"""
given
  account A taxable
  cash A USD 5000
{extra_given}
when
  buy A XYZ 100 @ 10 2020-01-02
  sell A XYZ 100 @ 7.50 2020-06-01
  {replacement}
then
{expect}
"""


CASES: dict[str, str] = {
    "pub 550 example 1: full replacement, basis 800 + 250 = 1050": _pub550(
        "buy A XYZ 100 @ 8 2020-06-15", """
  lot A XYZ T3 100 1050 2020-06-15 hold=2020-01-16 wash=250
  gain A XYZ T1 100 750 1000 short wash=250
  cash A USD 3950"""),
    "partial replacement: 75 of 100, disallowed 187.50, basis 937.50": _pub550(
        "buy A XYZ 75 @ 10 2020-06-15", """
  lot A XYZ T3 75 937.50 2020-06-15 hold=2020-01-16 wash=187.50
  gain A XYZ T1 100 750 1000 short wash=187.50"""),
    "replacement larger than the sale: the matched part is split off": _pub550(
        "buy A XYZ 150 @ 8 2020-06-15", """
  lot A XYZ T3 50 400 2020-06-15
  lot A XYZ T3/2 100 1050 2020-06-15 hold=2020-01-16 wash=250
  gain A XYZ T1 100 750 1000 short wash=250"""),
    "replacement 30 days after the sale is caught": _pub550(
        "buy A XYZ 100 @ 8 2020-07-01", """
  lot A XYZ T3 100 1050 2020-07-01 hold=2020-02-01 wash=250
  gain A XYZ T1 100 750 1000 short wash=250"""),
    "a purchase 31 days after the sale is not a replacement": _pub550(
        "buy A XYZ 100 @ 8 2020-07-02", """
  lot A XYZ T3 100 800 2020-07-02
  gain A XYZ T1 100 750 1000 short"""),
    "holding period carries over: the replacement sold 2021-01-20 is long-term": _pub550(
        "buy A XYZ 100 @ 8 2020-06-15\n  sell A XYZ 100 @ 11 2021-01-20", """
  gain A XYZ T1 100 750 1000 short wash=250
  gain A XYZ T3 100 1100 1050 long"""),
    "replacement in an IRA: permanently disallowed, no basis adjustment": _pub550(
        "buy I XYZ 100 @ 8 2020-06-15", """
  lot I XYZ T3 100 800 2020-06-15
  gain A XYZ T1 100 750 1000 short wash=250""",
        "  account I tax_deferred\n  cash I USD 1000"),
    "replacement in another account of the household": _pub550(
        "buy B XYZ 100 @ 8 2020-06-15", """
  lot B XYZ T3 100 1050 2020-06-15 hold=2020-01-16 wash=250
  gain A XYZ T1 100 750 1000 short wash=250""",
        "  account B taxable\n  cash B USD 1000"),
    "no wash sale across households": _pub550(
        "buy B XYZ 100 @ 8 2020-06-15", """
  lot B XYZ T3 100 800 2020-06-15
  gain A XYZ T1 100 750 1000 short""",
        "  account B taxable household=OTHER\n  cash B USD 1000"),
    "a substantially identical instrument is a replacement": _pub550(
        "buy A ABC 100 @ 8 2020-06-15", """
  lot A ABC T3 100 1050 2020-06-15 hold=2020-01-16 wash=250
  gain A XYZ T1 100 750 1000 short wash=250""",
        "  identical SP500 XYZ ABC"),
    "the group comes from the instrument however it is declared": _pub550(
        "buy A ABC 100 @ 8 2020-06-15", """
  lot A ABC T3 100 1050 2020-06-15 hold=2020-01-16 wash=250
  gain A XYZ T1 100 750 1000 short wash=250""",
        "  identical SP500 XYZ ABC\n  instrument ABC etf USD"),
    "instruments of different groups are not replacements": _pub550(
        "buy A ABC 100 @ 8 2020-06-15", """
  lot A ABC T3 100 800 2020-06-15
  gain A XYZ T1 100 750 1000 short""",
        "  identical SP500 XYZ\n  identical NDX ABC"),
    "a different instrument is not a replacement": _pub550(
        "buy A ABC 100 @ 8 2020-06-15", """
  lot A ABC T3 100 800 2020-06-15
  gain A XYZ T1 100 750 1000 short"""),
    "a dividend reinvestment is a purchase": _pub550(
        "dividend A XYZ 40 USD 2020-06-10 reinvest=8", """
  lot A XYZ T3 5 52.50 2020-06-10 hold=2020-01-11 wash=12.50
  gain A XYZ T1 100 750 1000 short wash=12.50"""),
    "a loss in a tax-deferred account is no wash sale": """
given
  account I tax_deferred
  cash I USD 5000
when
  buy I XYZ 100 @ 10 2020-01-02
  sell I XYZ 100 @ 7.50 2020-06-01
  buy I XYZ 100 @ 8 2020-06-15
then
  lot I XYZ T3 100 800 2020-06-15
  gain I XYZ T1 100 750 1000 short
""",
    "the unsold rest of the lot sold is not its own replacement": """
given
  account A taxable
  cash A USD 5000
when
  buy A XYZ 100 @ 10 2020-01-02
  sell A XYZ 50 @ 8 2020-01-10
then
  lot A XYZ T1 50 500 2020-01-02
  gain A XYZ T1 50 400 500 short
""",
    # Pub 550 example 2: replacements bought before the sale, matched in order of acquisition
    "pub 550 example 2: 75 replacement shares bought before the sale": """
given
  account A taxable
  cash A USD 10000
when
  buy A M 100 @ 50 2021-09-24
  buy A M 50 @ 55 2021-12-21
  buy A M 25 @ 45 2021-12-28
  sell A M 100 @ 40 2022-01-04 method=fifo
then
  lot A M T2 50 3250 2021-12-21 hold=2021-09-10 wash=500
  lot A M T3 25 1375 2021-12-28 hold=2021-09-17 wash=250
  gain A M T1 100 4000 5000 short wash=750
  cash A USD 5125
""",
    "more replacement than sold: the first-acquired replacement absorbs the loss": """
given
  account A taxable
  cash A USD 10000
when
  buy A XYZ 100 @ 20 2008-12-01
  buy A XYZ 100 @ 24 2009-03-01
  buy A XYZ 50 @ 26 2009-03-10
  sell A XYZ 100 @ 13 2009-03-27 method=fifo
then
  lot A XYZ T2 100 3100 2009-03-01 hold=2008-11-05 wash=700
  lot A XYZ T3 50 1300 2009-03-10
  gain A XYZ T1 100 1300 2000 short wash=700
""",
    "pending losses are matched oldest first, each replacement share once": """
given
  account A taxable
  cash A USD 5000
  lot A XYZ L1 100 1000 2019-01-02
  lot A XYZ L2 100 1200 2019-02-01
when
  sell A XYZ 100 @ 8 2020-06-01
  sell A XYZ 100 @ 9 2020-06-05
  buy A XYZ 150 @ 9 2020-06-20
then
  lot A XYZ T3/2 100 1100 2020-06-20 hold=2019-01-21 wash=200
  lot A XYZ T3 50 600 2020-06-20 hold=2019-02-16 wash=150
  gain A XYZ L1 100 800 1000 long wash=200
  gain A XYZ L2 100 900 1200 long wash=150
""",
    "a replacement share absorbs only one loss": """
given
  account A taxable
  cash A USD 5000
  lot A XYZ L1 100 1000 2019-01-02
  lot A XYZ L2 100 1200 2019-02-01
when
  sell A XYZ 100 @ 8 2020-06-01
  sell A XYZ 100 @ 9 2020-06-05
  buy A XYZ 100 @ 9 2020-06-20
then
  lot A XYZ T3 100 1100 2020-06-20 hold=2019-01-21 wash=200
  gain A XYZ L1 100 800 1000 long wash=200
  gain A XYZ L2 100 900 1200 long
""",
    "error: a failed wash-sale replacement buy leaves the loss untouched": _pub550(
        "buy A XYZ 1000 @ 8 2020-06-15 id=B9", """
  gain A XYZ T1 100 750 1000 short
  cash A USD 4750
  error would leave USD cash at"""),
}


@pytest.mark.parametrize("case", CASES)
def test_wash_sale(case: str) -> None:
    run(CASES[case])


def test_partial_replacement_deductible_loss_is_62_50() -> None:
    book = run(_pub550("buy A XYZ 75 @ 10 2020-06-15", """
  lot A XYZ T3 75 937.50 2020-06-15 hold=2020-01-16 wash=187.50
  gain A XYZ T1 100 750 1000 short wash=187.50"""))
    assert book.realized()[0].reportable_gain == Decimal("-62.50")
