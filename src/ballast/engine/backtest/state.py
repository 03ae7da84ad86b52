"""One policy's simulated accounts in memory: the ledger's Book (the record: lots, cash,
realized gains, wash sales, corporate actions) and float mirrors of it for the arrays the
decision stages take (quantities, cash, open lots as columns), refreshed only for the accounts
a day changed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

from ballast.domain import (
    Account,
    AccountId,
    CorporateAction,
    CorporateActionKind,
    Instrument,
    InstrumentId,
    RealizedGain,
    Transaction,
    TransactionId,
    TransactionKind,
)
from ballast.ledger import Book
from ballast.ledger.snapshot import DayArray, FloatArray, IntArray

_ZERO_DAYS = np.zeros(0, dtype="datetime64[D]")
_EPOCH = date(1970, 1, 1).toordinal()


def days(values: Sequence[date]) -> DayArray:
    """Dates as ``datetime64[D]`` (through ordinals: much faster than numpy's own parsing)."""
    return ordinal_days([d.toordinal() for d in values])


def ordinal_days(ordinals: Sequence[int]) -> DayArray:
    """Date ordinals (``date.toordinal``) as ``datetime64[D]``."""
    return (np.array(ordinals, dtype=np.int64) - _EPOCH).astype("datetime64[D]")


@dataclass(frozen=True)
class LotColumns:
    """Open lots of every account as columns (float money, base currency)."""

    account: IntArray
    instrument: IntArray
    lot_id: np.ndarray  # of str
    quantity: FloatArray
    basis: FloatArray
    acquired: DayArray
    holding_start: DayArray

    def select(self, rows: IntArray, n: int) -> LotColumns:
        """The lots of accounts ``rows`` (of ``n``), re-indexed 0..len(rows)-1."""
        where = np.full(n, -1, dtype=np.int64)
        where[rows] = np.arange(len(rows))
        keep = np.flatnonzero(where[self.account] >= 0)
        if keep.size == len(self.account) and np.array_equal(rows, np.arange(n)):
            return self
        return LotColumns(where[self.account[keep]], self.instrument[keep],
                          self.lot_id[keep], self.quantity[keep],
                          self.basis[keep], self.acquired[keep], self.holding_start[keep])


class PolicyState:
    """The accounts of one policy; ``instruments`` fix the instrument columns."""

    def __init__(self, accounts: Sequence[Account], instruments: Sequence[Instrument]) -> None:
        self.accounts = tuple(accounts)
        self.instruments = tuple(instruments)
        self.book = Book({i.id: i for i in instruments}, accounts)
        self.index = {a.id: k for k, a in enumerate(accounts)}
        self.column = {i.id: k for k, i in enumerate(instruments)}
        n, m = len(accounts), len(instruments)
        self.quantity = np.zeros((n, m))
        self.cash = np.zeros(n)
        z = np.zeros(0)
        self._lots = LotColumns(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64),
                                np.zeros(0, dtype=object), z, z, _ZERO_DAYS, _ZERO_DAYS)
        self._seq = 0
        self._realized_seen = [0] * n

    def new_gains(self, a: int) -> list[RealizedGain]:
        """The gains account ``a`` realized since this was last asked."""
        gains = self.book.realized(self.accounts[a].id)
        new = gains[self._realized_seen[a]:]
        self._realized_seen[a] = len(gains)
        return new

    def next_id(self, day: date) -> TransactionId:
        """A transaction id unique in this book (lots opened by it take the same id)."""
        self._seq += 1
        return TransactionId(f"{day:%Y%m%d}-{self._seq}")

    def apply(self, txns: Iterable[Transaction]) -> None:
        """Book transactions and refresh the mirrors of the positions they touch."""
        touched: set[tuple[int, int]] = set()
        cash: set[int] = set()
        for txn in txns:
            self.book.apply(txn)
            a = self.index[txn.account_id]
            cash.add(a)
            if txn.instrument_id is not None:
                touched.add((a, self.column[txn.instrument_id]))
        self.refresh(touched, cash)

    def deposit(self, day: date, amounts: FloatArray) -> None:
        """Fund every account with its amount of cash (in cents)."""
        self.apply(Transaction(self.next_id(day), a.id, TransactionKind.DEPOSIT, day,
                               amount=Decimal(f"{x:.2f}"), currency=a.base_currency)
                   for a, x in zip(self.accounts, amounts.tolist(), strict=True))

    def corporate_action(self, action: CorporateAction) -> int:
        """Apply a split or cash dividend to every holder; returns how many were affected."""
        col = self.column[action.instrument_id]
        if not self.quantity[:, col].any():
            return 0
        txns = self.book.apply_corporate_action(action)
        if action.kind is CorporateActionKind.CASH_DIVIDEND:
            for t in txns:  # cash only: no lot changes
                self.cash[self.index[t.account_id]] += float(t.amount)
        else:
            rows = {self.index[t.account_id] for t in txns}
            self.refresh({(a, col) for a in rows}, rows)
        return len(txns)

    def refresh(self, positions: Iterable[tuple[int, int]], cash: Iterable[int]) -> None:
        """Re-read the lots of ``positions`` (account, instrument) and the cash of ``cash``
        accounts from the Book."""
        for a in cash:
            account = self.accounts[a]
            self.cash[a] = float(self.book.cash(account.id)[account.base_currency])
        pairs = sorted(positions)
        if not pairs:
            return
        m = len(self.instruments)
        lots = [(a, j, lot) for a, j in pairs
                for lot in self.book.lots(self.accounts[a].id, self.instruments[j].id)]
        old = self._lots
        keys = np.array([a * m + j for a, j in pairs], dtype=np.int64)
        keep = ~np.isin(old.account * m + old.instrument, keys)
        acct = np.array([x[0] for x in lots], dtype=np.int64)
        inst = np.array([x[1] for x in lots], dtype=np.int64)
        qty = np.array([float(x[2].quantity) for x in lots])
        self._lots = LotColumns(
            np.r_[old.account[keep], acct], np.r_[old.instrument[keep], inst],
            np.concatenate([old.lot_id[keep], np.array([x[2].id for x in lots], dtype=object)]),
            np.r_[old.quantity[keep], qty],
            np.r_[old.basis[keep], np.array([float(x[2].cost_basis) for x in lots])],
            np.concatenate([old.acquired[keep], days([x[2].acquired for x in lots])]),
            np.concatenate([old.holding_start[keep],
                            days([x[2].holding_start for x in lots])]))
        pa = keys // m
        pj = keys % m
        self.quantity[pa, pj] = 0.0
        np.add.at(self.quantity, (acct, inst), qty)

    def lots(self) -> LotColumns:
        """Every open lot as columns."""
        return self._lots

    def open_lots(self, a: int, instrument: str) -> dict[str, Decimal]:
        """Lot id → exact open quantity of one position."""
        lots = self.book.lots(self.accounts[a].id, InstrumentId(instrument))
        return {lot.id: lot.quantity for lot in lots}

    def account_id(self, a: int) -> AccountId:
        """The id of account ``a``."""
        return self.accounts[a].id
