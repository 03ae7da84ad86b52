"""Instruments, households, accounts and corporate actions round-trip on both backends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ballast.domain import (
    Account,
    AccountId,
    AccountType,
    CorporateAction,
    CorporateActionKind,
    Household,
    HouseholdId,
    Instrument,
    InstrumentId,
    InstrumentKind,
    LotMethod,
    OptionRight,
    Restrictions,
)
from ballast.store import Store

OPTION = Instrument(
    InstrumentId("AAPL 250117C00150000"), InstrumentKind.OPTION, "USD", name="AAPL Jan25 150 C",
    asset_class="equity", multiplier=Decimal(100), expiry=date(2025, 1, 17),
    strike=Decimal("150.5"), right=OptionRight.CALL, underlying=InstrumentId("AAPL"),
)

SHARE_CLASSES = (  # one fund's ETF and mutual-fund share classes: substantially identical
    Instrument(InstrumentId("VOO"), InstrumentKind.ETF, "USD", wash_sale_group="VG-500"),
    Instrument(InstrumentId("VFIAX"), InstrumentKind.MUTUAL_FUND, "USD",
               wash_sale_group="VG-500"),
)


def test_instruments_round_trip_and_update_by_id(
    book: Store, instruments: tuple[Instrument, ...]
) -> None:
    with book.transaction() as tx:
        tx.add_instruments([OPTION, *SHARE_CLASSES])
    with book.transaction() as tx:
        got = tx.instruments()
    assert got == {i.id: i for i in (*instruments, OPTION, *SHARE_CLASSES)}
    assert got[InstrumentId("VFIAX")].wash_sale_group == "VG-500"
    renamed = Instrument(InstrumentId("SPY"), InstrumentKind.ETF, "USD", name="SPDR S&P 500")
    with book.transaction() as tx:
        assert tx.add_instruments([renamed]) == 1
    with book.transaction() as tx:
        assert tx.instruments()[InstrumentId("SPY")] == renamed
        assert len(tx.instruments()) == 6


def test_households_and_accounts_round_trip(book: Store) -> None:
    special = Account(
        AccountId("C1"), HouseholdId("H2"), "Jones Roth", AccountType.TAX_EXEMPT,
        base_currency="GBP", custodian="Schwab", model="growth-80", lot_method=LotMethod.HIFO,
        allow_shorts=True, allow_margin=True,
        restrictions=Restrictions(
            do_not_buy=frozenset({InstrumentId("VOD"), InstrumentId("AAPL")}),
            do_not_sell=frozenset({InstrumentId("SPY")}),
        ),
    )
    with book.transaction() as tx:
        tx.add_accounts([special])
    with book.transaction() as tx:
        assert tx.households() == [
            Household(HouseholdId("H1"), "Smith"), Household(HouseholdId("H2"), "Jones")
        ]
        accounts = tx.accounts()
        assert sorted(accounts) == ["A1", "A2", "B1", "C1"]
        assert accounts[AccountId("C1")] == special
        assert accounts[AccountId("A2")].type is AccountType.TAX_DEFERRED
        assert sorted(tx.accounts(household_ids=["H2"])) == ["B1", "C1"]


def test_corporate_actions_round_trip_in_ex_date_order(book: Store) -> None:
    actions = [
        CorporateAction("CA2", InstrumentId("AAPL"), CorporateActionKind.CASH_DIVIDEND,
                        date(2021, 2, 5), amount=Decimal("0.205"), pay_date=date(2021, 2, 11)),
        CorporateAction("CA1", InstrumentId("AAPL"), CorporateActionKind.SPLIT,
                        date(2020, 8, 31), ratio=Decimal(4)),
        CorporateAction("CA3", InstrumentId("VOD"), CorporateActionKind.SYMBOL_CHANGE,
                        date(2022, 1, 3), currency="GBP", new_instrument_id=InstrumentId("SPY")),
    ]
    with book.transaction() as tx:
        assert tx.add_corporate_actions(actions) == 3
    with book.transaction() as tx:
        assert tx.corporate_actions() == [actions[1], actions[0], actions[2]]
        assert tx.corporate_actions(["VOD"]) == [actions[2]]
