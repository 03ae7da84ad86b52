"""Read-side use cases: accounts, positions, lots, gains and the book summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import numpy as np

from ballast.domain import Account, AccountId, TaxLot, UnknownReference
from ballast.engine.book_loader import ordered_events, replay
from ballast.engine.booking import scope_accounts
from ballast.engine.market import load_market, stale_instruments
from ballast.engine.rows import AccountRow, BookSummary, GainRow, LotRow, PositionRow
from ballast.ledger import Book
from ballast.ledger.snapshot import (
    PositionTable,
    Snapshot,
    build_snapshot,
    positions_from_lots,
)
from ballast.store import Store, UnitOfWork


def _book_as_of(tx: UnitOfWork, accounts: Sequence[Account], as_of: date) -> Book:
    """Replay the history up to ``as_of`` of ``accounts`` and of every account booked with them
    (households, transfers)."""
    scope = scope_accounts(tx, [a.id for a in accounts])
    ids = [a.id for a in scope]
    events = ordered_events(tx.transactions(ids, until=as_of), tx.corporate_actions(), as_of)
    return replay(tx.instruments(), scope, events)


def _is_current(tx: UnitOfWork, as_of: date) -> bool:
    """True when nothing is booked after ``as_of``: the materialized state is the book then."""
    last_event = max((d for d in (tx.last_transaction_date(),
                                  *(ca.ex_date for ca in tx.corporate_actions()))
                      if d is not None), default=None)
    return last_event is None or as_of >= last_event


def lots_as_of(tx: UnitOfWork, accounts: Sequence[Account], as_of: date) -> list[TaxLot]:
    """The open lots of ``accounts`` on ``as_of``."""
    if _is_current(tx, as_of):
        return tx.lots([a.id for a in accounts])
    book = _book_as_of(tx, accounts, as_of)
    return [lot for a in accounts for lot in book.lots(a.id)]


def _state_as_of(tx: UnitOfWork, accounts: Sequence[Account], as_of: date
                 ) -> tuple[PositionTable, dict[tuple[AccountId, str], Decimal]]:
    """Replay the history up to ``as_of`` and read positions and cash off it."""
    book = _book_as_of(tx, accounts, as_of)
    positions = positions_from_lots(lot for a in accounts for lot in book.lots(a.id))
    cash = {(a.id, ccy): amount for a in accounts for ccy, amount in book.cash(a.id).items()}
    return positions, cash


def _positions_now(tx: UnitOfWork, ids: list[AccountId] | None, exact: bool) -> PositionTable:
    if not exact:
        return PositionTable(*tx.position_sums(ids))
    totals = tx.position_totals(ids)
    return PositionTable(
        account=[t[0] for t in totals], instrument=[t[1] for t in totals],
        quantity=np.array([float(t[2]) for t in totals], dtype=np.float64),
        cost_basis=np.array([float(t[3]) for t in totals], dtype=np.float64),
        exact_quantity=[t[2] for t in totals],
    )


def _select(tx: UnitOfWork, account: str | None) -> list[Account]:
    accounts = tx.accounts()
    if account is None:
        return sorted(accounts.values(), key=lambda a: a.id)
    if account not in accounts:
        raise UnknownReference(f"no account {account!r}", hint="`ballast accounts` lists them.")
    return [accounts[AccountId(account)]]


def snapshot(store: Store, as_of: date | None = None, account: str | None = None, *,
             exact: bool = False, missing_fx_nan: bool = False) -> Snapshot:
    """Value the book (or one account) as of a date; default: the latest price date.

    As of the latest booked date or later it reads the materialized positions (summed by the
    database, or exactly when ``exact``); for an earlier date it replays the history up to
    that date (always exact). A missing FX rate raises DataError, or with ``missing_fx_nan``
    values what needs it as NaN (the rebalancer skips such accounts with the reason)."""
    with store.transaction() as tx:
        as_of = as_of or tx.last_price_date() or date.today()
        accounts = _select(tx, account)
        ids = [a.id for a in accounts] if account else None
        if _is_current(tx, as_of):
            positions, cash = _positions_now(tx, ids, exact), tx.cash(ids)
        else:
            positions, cash = _state_as_of(tx, accounts, as_of)
        market = load_market(tx, as_of)
        fx = market.fx_rate_or_nan if missing_fx_nan else market.fx_rate
        return build_snapshot(as_of, accounts, positions, cash, tx.instruments(),
                              market.closes, fx)


def account_rows(store: Store) -> list[AccountRow]:
    """Every account with its household and current value."""
    snap = snapshot(store)
    with store.transaction() as tx:
        households = {h.id: h for h in tx.households()}
        accounts = tx.accounts()
    values = snap.account_value
    return [
        AccountRow(a.id, a.household_id, households[a.household_id].name, a.name, a.type.value,
                   a.base_currency, a.custodian, a.model, float(values[i]),
                   float(snap.cash_value[i]))
        for i, a in enumerate(accounts[aid] for aid in snap.accounts)
    ]


def position_rows(store: Store, account: str | None = None, as_of: date | None = None
                  ) -> list[PositionRow]:
    """Positions with price, value, basis, unrealized gain and weight."""
    snap = snapshot(store, as_of=as_of, account=account, exact=True)
    with store.transaction() as tx:
        instruments = tx.instruments()
    weights = snap.weights()
    rows = []
    for r in np.lexsort((snap.pos_instrument, snap.pos_account)):
        sym = snap.instruments[snap.pos_instrument[r]]
        pdate = snap.price_date[r]
        rows.append(PositionRow(
            snap.accounts[snap.pos_account[r]], sym, snap.exact_quantity[r],
            float(snap.price[r]), None if np.isnat(pdate) else pdate.astype(date),
            float(snap.market_value[r]), float(snap.cost_basis[r]),
            float(snap.unrealized[r]), float(weights[r]), instruments[sym].currency))
    return rows


def lot_rows(store: Store, account: str | None = None, symbol: str | None = None
             ) -> list[LotRow]:
    """Open tax lots, optionally for one account and one symbol."""
    with store.transaction() as tx:
        ids = [a.id for a in _select(tx, account)]
        lots = [lot for lot in tx.lots(ids) if symbol is None or lot.instrument_id == symbol]
    lots.sort(key=lambda lot: (lot.account_id, lot.instrument_id, lot.acquired, lot.id))
    return [LotRow(lot.account_id, lot.instrument_id, lot.id, lot.quantity, lot.cost_basis,
                   lot.unit_cost.quantize(Decimal("0.0001")), lot.acquired, lot.holding_start,
                   lot.wash_sale_adjustment) for lot in lots]


def gain_rows(store: Store, year: int | None = None, account: str | None = None
              ) -> list[GainRow]:
    """Realized gains per lot, with wash-sale disallowed losses."""
    with store.transaction() as tx:
        ids = [a.id for a in _select(tx, account)]
        gains = tx.gains(ids, year=year)
    gains.sort(key=lambda g: (g.sold, g.account_id, g.instrument_id, g.lot_id))
    return [GainRow(g.account_id, g.instrument_id, g.lot_id, g.quantity, g.acquired, g.sold,
                    g.proceeds, g.cost_basis, g.gain, g.wash_sale_disallowed, g.term.value,
                    g.currency) for g in gains]


def book_summary(store: Store, as_of: date | None = None, currency: str = "USD",
                 max_stale_sessions: int = 5, seconds: float = 0.0) -> BookSummary:
    """The whole book at a glance, in ``currency`` (each account's base-currency values and
    each gain's currency converted at the FX rate as of the date); instruments held whose last
    price is more than ``max_stale_sessions`` sessions old are listed as stale."""
    snap = snapshot(store, as_of=as_of)
    with store.transaction() as tx:
        accounts = tx.accounts()
        market = load_market(tx, snap.as_of)
        n_households = len(tx.households())
        instruments = tx.instruments()
        n_instruments = len(instruments)
        n_txns = tx.transaction_count()
        gains = tx.gains()
        n_lots = tx.lot_count()
    rate_of: dict[str, float] = {}

    def rate(ccy: str) -> float:
        if ccy not in rate_of:
            rate_of[ccy] = float(market.fx_rate(ccy, currency, snap.as_of))
        return rate_of[ccy]

    to_rep = np.array([rate(accounts[a].base_currency) for a in snap.accounts])
    value = np.nan_to_num(snap.market_value) * to_rep[snap.pos_account]
    unreal = np.nan_to_num(snap.unrealized) * to_rep[snap.pos_account]
    by_symbol = np.bincount(snap.pos_instrument, weights=value, minlength=len(snap.instruments))
    top = [(snap.instruments[i], float(by_symbol[i])) for i in np.argsort(-by_symbol)[:10]]

    def realized(term: str, attr: str = "gain") -> float:
        return sum(float(getattr(g, attr)) * rate(g.currency) for g in gains
                   if term in ("", g.term.value))

    return BookSummary(
        stale=stale_instruments(market, instruments, snap.instruments, max_stale_sessions),
        as_of=snap.as_of, database=store.url, currency=currency, households=n_households,
        accounts=len(accounts),
        accounts_by_type=dict(Counter(a.type.value for a in accounts.values())),
        instruments=n_instruments, transactions=n_txns,
        aum=float((snap.account_value * to_rep).sum()),
        cash=float((snap.cash_value * to_rep).sum()),
        positions=len(snap.quantity), open_lots=n_lots,
        unrealized_gain=float(unreal[unreal > 0].sum()),
        unrealized_loss=float(unreal[unreal < 0].sum()),
        positions_with_loss=int(np.sum(unreal < 0)),
        realized_short_term=realized("short"), realized_long_term=realized("long"),
        wash_sale_disallowed=realized("", "wash_sale_disallowed"),
        top_holdings=top, unpriced=list(snap.unpriced), seconds=seconds,
    )


__all__ = ["account_rows", "book_summary", "gain_rows", "lot_rows",
           "position_rows", "snapshot"]
