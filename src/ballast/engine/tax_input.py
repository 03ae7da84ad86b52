"""From the book to the tax pass's columns: open lots, recent wash-sale activity, gain budgets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import numpy as np

from ballast.domain import (
    Account,
    AccountId,
    Instrument,
    InstrumentId,
    TaxLot,
    TransactionKind,
)
from ballast.engine.market import MarketData
from ballast.rebalance import RebalanceInput, TaxInput
from ballast.store import UnitOfWork

WASH_WINDOW = timedelta(days=30)


def build_tax_input(
    tx: UnitOfWork,
    inp: RebalanceInput,
    accounts: Mapping[AccountId, Account],
    instruments: Mapping[InstrumentId, Instrument],
    lots: Sequence[TaxLot],
    market: MarketData,
    as_of: date,
    annual_gain_budget: float | None,
) -> TaxInput:
    """The tax pass's input for the run ``inp`` as of ``as_of`` (lots held on that date)."""
    acct_index = {a: k for k, a in enumerate(inp.accounts)}
    inst_index = {i: k for k, i in enumerate(inp.instruments)}
    acct = [accounts[AccountId(a)] for a in inp.accounts]
    households = sorted({a.household_id for a in acct})
    house_index = {h: k for k, h in enumerate(households)}
    groups: dict[str, int] = {}
    group_of = np.array([
        groups.setdefault(instruments[InstrumentId(i)].wash_sale_group or f"={i}", len(groups))
        for i in inp.instruments], dtype=np.int64)
    mine = [lot for lot in lots if lot.account_id in acct_index
            and lot.instrument_id in inst_index and lot.quantity > 0]
    fx = {(lot.account_id, lot.instrument_id): _rate(market, instruments, acct, acct_index, lot)
          for lot in mine}
    since = as_of - WASH_WINDOW
    ids = list(inp.accounts)
    losses = [g for g in tx.gains(ids, since=since, until=as_of) if g.gain < 0
              and accounts[g.account_id].taxable and g.instrument_id in inst_index]
    buys = [t for t in tx.transactions(ids, until=as_of, since=since)
            if t.instrument_id in inst_index and _is_purchase(t.kind, t.reinvest)]
    return TaxInput(
        as_of=as_of,
        taxable=np.array([a.taxable for a in acct], dtype=bool),
        lot_method=tuple(a.lot_method for a in acct),
        household=np.array([house_index[a.household_id] for a in acct], dtype=np.int64),
        group_of=group_of,
        lot_account=np.array([acct_index[lot.account_id] for lot in mine], dtype=np.int64),
        lot_instrument=np.array([inst_index[lot.instrument_id] for lot in mine], dtype=np.int64),
        lot_id=tuple(lot.id for lot in mine),
        lot_quantity=np.array([float(lot.quantity) for lot in mine], dtype=np.float64),
        lot_basis=np.array([float(lot.cost_basis) * fx[(lot.account_id, lot.instrument_id)]
                            for lot in mine], dtype=np.float64),
        lot_acquired=np.array([lot.acquired for lot in mine], dtype="datetime64[D]"),
        lot_holding_start=np.array([lot.holding_start for lot in mine], dtype="datetime64[D]"),
        gain_budget=_budgets(tx, acct, as_of, annual_gain_budget),
        loss_household=np.array([house_index[accounts[g.account_id].household_id]
                                 for g in losses], dtype=np.int64),
        loss_instrument=np.array([inst_index[g.instrument_id] for g in losses],
                                 dtype=np.int64),
        loss_date=np.array([g.sold for g in losses], dtype="datetime64[D]"),
        loss_quantity=np.array([float(g.quantity) for g in losses], dtype=np.float64),
        buy_household=np.array([house_index[accounts[t.account_id].household_id]
                                for t in buys], dtype=np.int64),
        buy_instrument=np.array([inst_index[str(t.instrument_id)] for t in buys],
                                dtype=np.int64),
        buy_date=np.array([t.trade_date for t in buys], dtype="datetime64[D]"),
        buy_quantity=np.array([float(t.quantity) if t.kind is TransactionKind.BUY
                               else float(t.amount / t.price) if t.price else 0.0
                               for t in buys], dtype=np.float64),
    )


def _is_purchase(kind: TransactionKind, reinvest: bool) -> bool:
    """Purchases for the wash-sale rule: buys and reinvested dividends (Pub. 550)."""
    return kind is TransactionKind.BUY or (kind is TransactionKind.DIVIDEND and reinvest)


def _rate(market: MarketData, instruments: Mapping[InstrumentId, Instrument],
          acct: Sequence[Account], acct_index: Mapping[str, int], lot: TaxLot) -> float:
    base = acct[acct_index[lot.account_id]].base_currency
    ccy = instruments[lot.instrument_id].currency
    return 1.0 if ccy == base else float(market.fx_rate(ccy, base, market.as_of))


def _budgets(tx: UnitOfWork, acct: Sequence[Account], as_of: date,
             annual: float | None) -> np.ndarray | None:
    """What is left of each taxable account's yearly realized-gain budget."""
    if annual is None:
        return None
    realized: dict[str, float] = {}
    for g in tx.gains([a.id for a in acct], since=date(as_of.year, 1, 1), until=as_of):
        realized[g.account_id] = realized.get(g.account_id, 0.0) + float(g.reportable_gain)
    return np.array([annual - realized.get(a.id, 0.0) if a.taxable else np.inf for a in acct],
                    dtype=np.float64)
