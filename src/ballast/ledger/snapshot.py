"""Snapshots: the book as of a date, columnar and immutable, valued in each account's base currency.

A snapshot is what every later stage (rebalancing, compliance, reporting) reads. The ledger's
exact quantities and cost basis are summed per position once; the valuation math runs on float64
arrays (money is exact in the ledger, fast in the math). Its ``id`` is a content hash, so a
decision recorded against a snapshot can be traced to exactly the holdings and prices it saw.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from ballast.domain import Account, AccountId, Instrument, InstrumentId, TaxLot

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
DayArray = npt.NDArray[np.datetime64]

PriceLookup = Callable[[Sequence[str], date], tuple[FloatArray, DayArray]]
"""(instrument ids, as_of) -> (closes with NaN where missing, price dates)."""
FxLookup = Callable[[str, str, date], Decimal]
"""(base, quote, as_of) -> units of quote per unit of base."""


@dataclass(frozen=True)
class PositionTable:
    """Positions in long format: row ``i`` is ``account[i]`` holding ``instrument[i]``.

    ``quantity`` and ``cost_basis`` (instrument currency) are float64 for the math;
    ``exact_quantity`` carries the ledger's Decimals row for row when the caller has them.
    """

    account: Sequence[str]
    instrument: Sequence[str]
    quantity: FloatArray
    cost_basis: FloatArray
    exact_quantity: Sequence[Decimal] | None = None


def positions_from_lots(lots: Iterable[TaxLot]) -> PositionTable:
    """Sum open lots into positions, exactly, then as floats."""
    totals: dict[tuple[AccountId, InstrumentId], list[Decimal]] = {}
    for lot in lots:
        acc = totals.get((lot.account_id, lot.instrument_id))
        if acc is None:
            totals[(lot.account_id, lot.instrument_id)] = [lot.quantity, lot.cost_basis]
        else:
            acc[0] += lot.quantity
            acc[1] += lot.cost_basis
    keys = sorted(totals)
    return PositionTable(
        account=[k[0] for k in keys], instrument=[k[1] for k in keys],
        quantity=np.array([float(totals[k][0]) for k in keys], dtype=np.float64),
        cost_basis=np.array([float(totals[k][1]) for k in keys], dtype=np.float64),
        exact_quantity=[totals[k][0] for k in keys],
    )


@dataclass(frozen=True)
class Snapshot:
    """Positions (account × instrument, long format), cash and values as of ``as_of``.

    Row ``i`` of the position arrays is account ``accounts[pos_account[i]]`` holding instrument
    ``instruments[pos_instrument[i]]``. ``market_value`` and ``cost_basis`` are in the account's
    base currency; ``price`` is in the instrument's currency. Positions whose price is missing
    have NaN price and value and are listed in ``unpriced``. Cash is ``cash_amount`` [N, C]
    in units of each of ``cash_currency`` (sorted; the currencies any listed account holds)
    and ``cash_value`` [N] all of it in the base currency. ``exact_quantity`` holds the
    ledger's Decimal quantities when they were loaded (an account's view), else is empty.
    """

    as_of: date
    accounts: tuple[AccountId, ...]
    instruments: tuple[InstrumentId, ...]
    pos_account: IntArray
    pos_instrument: IntArray
    quantity: FloatArray
    price: FloatArray
    price_date: DayArray
    market_value: FloatArray
    cost_basis: FloatArray
    cash_value: FloatArray
    unpriced: tuple[InstrumentId, ...]
    cash_currency: tuple[str, ...]
    cash_amount: FloatArray
    exact_quantity: tuple[Decimal, ...] = ()
    id: str = field(default="")

    @property
    def invested_value(self) -> FloatArray:
        """Market value of the securities of each account (base currency), NaN-free."""
        out = np.zeros(len(self.accounts))
        np.add.at(out, self.pos_account, np.nan_to_num(self.market_value))
        return out

    @property
    def account_value(self) -> FloatArray:
        """Total value (securities + cash) of each account in its base currency."""
        return self.invested_value + self.cash_value

    @property
    def unrealized(self) -> FloatArray:
        """Unrealized gain per position row (base currency); NaN where unpriced."""
        return self.market_value - self.cost_basis

    def weights(self) -> FloatArray:
        """Each position's share of its account's total value."""
        totals = self.account_value[self.pos_account]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(totals > 0, self.market_value / totals, 0.0)


def _codes(values: Sequence[str], index: Mapping[str, int]) -> IntArray:
    return np.fromiter((index.get(v, -1) for v in values), dtype=np.int64, count=len(values))


def _fx_matrix(from_ccy: Sequence[str], to_ccy: Sequence[str], needed: Iterable[tuple[int, int]],
               as_of: date, fx: FxLookup) -> FloatArray:
    """Rate from ``from_ccy[i]`` into ``to_ccy[j]`` for each needed (i, j); NaN elsewhere, so a
    rate nobody needs is never asked for."""
    out = np.full((len(from_ccy), len(to_ccy)), np.nan)
    for i, j in needed:
        a, b = from_ccy[i], to_ccy[j]
        out[i, j] = 1.0 if a == b else float(fx(a, b, as_of))
    return out


def build_snapshot(
    as_of: date,
    accounts: Sequence[Account],
    positions: PositionTable,
    cash: Mapping[tuple[AccountId, str], Decimal],
    instruments: Mapping[InstrumentId, Instrument],
    prices: PriceLookup,
    fx: FxLookup,
) -> Snapshot:
    """Value the positions and cash of ``accounts`` as of ``as_of`` (prices and FX never after
    it). Positions of accounts not listed, and zero positions, are left out."""
    account_ids = tuple(a.id for a in accounts)
    acct_index: dict[str, int] = {aid: k for k, aid in enumerate(account_ids)}
    pos_account = _codes(positions.account, acct_index)
    keep = (pos_account >= 0) & (positions.quantity != 0)
    inst_names = np.asarray(positions.instrument, dtype=object)[keep]
    inst_uniques, pos_instrument = np.unique(inst_names.astype(str), return_inverse=True)
    inst_ids = tuple(InstrumentId(str(i)) for i in inst_uniques)
    pos_account = pos_account[keep]
    pos_instrument = pos_instrument.astype(np.int64)
    quantity = positions.quantity[keep]
    basis_local = positions.cost_basis[keep]

    closes, dates = prices(inst_ids, as_of)
    multiplier = np.array([float(instruments[i].multiplier) for i in inst_ids], dtype=np.float64)
    inst_ccy = [instruments[i].currency for i in inst_ids]
    base_ccy = [a.base_currency for a in accounts]
    currencies = sorted({*inst_ccy, *base_ccy, *(c for _, c in cash)})
    ccy_index = {c: k for k, c in enumerate(currencies)}
    bases = sorted(set(base_ccy))
    base_index = {c: k for k, c in enumerate(bases)}
    inst_ccy_code = np.array([ccy_index[c] for c in inst_ccy], dtype=np.int64)
    acct_base_code = np.array([base_index[c] for c in base_ccy], dtype=np.int64)
    row_from = inst_ccy_code[pos_instrument]
    row_to = acct_base_code[pos_account]
    cash_rows = [(acct_index[a], ccy, amount) for (a, ccy), amount in cash.items()
                 if a in acct_index and amount]
    needed = {*zip(row_from.tolist(), row_to.tolist(), strict=True),
              *((ccy_index[ccy], int(acct_base_code[k])) for k, ccy, _ in cash_rows)}
    rates = _fx_matrix(currencies, bases, needed, as_of, fx)
    fx_rate = rates[row_from, row_to]

    price = closes[pos_instrument]
    market_value = quantity * price * multiplier[pos_instrument] * fx_rate
    cost_basis = basis_local * fx_rate
    cash_value = np.zeros(len(accounts))
    cash_currency = tuple(sorted({ccy for _, ccy, _ in cash_rows}))
    cash_col = {c: j for j, c in enumerate(cash_currency)}
    cash_amount = np.zeros((len(accounts), len(cash_currency)))
    for k, ccy, amount in cash_rows:
        cash_value[k] += float(amount) * rates[ccy_index[ccy], acct_base_code[k]]
        cash_amount[k, cash_col[ccy]] += float(amount)
    unpriced = tuple(inst_ids[i] for i in np.unique(pos_instrument[np.isnan(price)]))
    exact = positions.exact_quantity
    snap = Snapshot(
        as_of=as_of, accounts=account_ids, instruments=inst_ids, pos_account=pos_account,
        pos_instrument=pos_instrument, quantity=quantity, price=price,
        price_date=dates[pos_instrument], market_value=market_value, cost_basis=cost_basis,
        cash_value=cash_value, unpriced=unpriced, cash_currency=cash_currency,
        cash_amount=cash_amount,
        exact_quantity=() if exact is None else tuple(
            q for q, k in zip(exact, keep.tolist(), strict=True) if k),
    )
    return replace(snap, id=_content_hash(snap))


def _content_hash(snap: Snapshot) -> str:
    h = hashlib.sha256()
    h.update(snap.as_of.isoformat().encode())
    h.update("\x1f".join(snap.accounts).encode())
    h.update("\x1f".join(snap.instruments).encode())
    h.update("\x1f".join(snap.cash_currency).encode())
    for arr in (snap.pos_account, snap.pos_instrument, snap.quantity, snap.price,
                snap.cost_basis, snap.cash_value, snap.cash_amount):
        h.update(np.ascontiguousarray(arr).tobytes())
    return h.hexdigest()[:16]
