"""Snapshots: the book as of a date, columnar and immutable, valued in each account's base currency.

A snapshot is what every later stage (rebalancing, compliance, reporting) reads. Quantities and
cost basis are copied out of the exact ledger once; the valuation math runs on float64 arrays
(money is exact in the ledger, fast in the math). Its ``id`` is a content hash, so a decision
recorded against a snapshot can be traced to exactly the holdings and prices it saw.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from ballast.domain import Account, AccountId, Instrument, InstrumentId, TaxLot

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

PriceLookup = Callable[[Sequence[str], date], tuple[FloatArray, npt.NDArray[np.datetime64]]]
"""(instrument ids, as_of) -> (closes with NaN where missing, price dates)."""
FxLookup = Callable[[str, str, date], Decimal]
"""(base, quote, as_of) -> units of quote per unit of base."""


Position = tuple[AccountId, InstrumentId, Decimal, Decimal]
"""(account, instrument, quantity, cost basis in the instrument's currency), exact."""


def positions_from_lots(lots: Iterable[TaxLot]) -> list[Position]:
    """Sum open lots into positions, exactly."""
    totals: dict[tuple[AccountId, InstrumentId], list[Decimal]] = {}
    for lot in lots:
        acc = totals.get((lot.account_id, lot.instrument_id))
        if acc is None:
            totals[(lot.account_id, lot.instrument_id)] = [lot.quantity, lot.cost_basis]
        else:
            acc[0] += lot.quantity
            acc[1] += lot.cost_basis
    return [(a, i, q, b) for (a, i), (q, b) in totals.items()]


@dataclass(frozen=True)
class Snapshot:
    """Positions (account × instrument, long format), cash and values as of ``as_of``.

    Row ``i`` of the position arrays is account ``accounts[pos_account[i]]`` holding instrument
    ``instruments[pos_instrument[i]]``. ``market_value`` and ``cost_basis`` are in the account's
    base currency; ``price`` is in the instrument's currency; ``exact_quantity`` keeps the
    ledger's Decimal quantities row for row. Positions whose price is missing
    have NaN price and value and are listed in ``unpriced``.
    """

    as_of: date
    accounts: tuple[AccountId, ...]
    instruments: tuple[InstrumentId, ...]
    pos_account: IntArray
    pos_instrument: IntArray
    quantity: FloatArray
    price: FloatArray
    price_date: npt.NDArray[np.datetime64]
    market_value: FloatArray
    cost_basis: FloatArray
    cash_value: FloatArray
    unpriced: tuple[InstrumentId, ...]
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


def build_snapshot(
    as_of: date,
    accounts: Sequence[Account],
    positions: Iterable[Position],
    cash: Mapping[tuple[AccountId, str], Decimal],
    instruments: Mapping[InstrumentId, Instrument],
    prices: PriceLookup,
    fx: FxLookup,
) -> Snapshot:
    """Value the positions and cash of ``accounts`` as of ``as_of`` (prices and FX never after
    it). Positions of accounts not listed are ignored."""
    account_ids = tuple(a.id for a in accounts)
    acct_index = {aid: k for k, aid in enumerate(account_ids)}
    inst_index: dict[InstrumentId, int] = {}
    keys: list[tuple[int, int]] = []
    exact: list[Decimal] = []
    basis_exact: list[Decimal] = []
    for acct, inst, qty, basis in positions:
        a_idx = acct_index.get(acct)
        if a_idx is None or not qty:
            continue
        keys.append((a_idx, inst_index.setdefault(inst, len(inst_index))))
        exact.append(qty)
        basis_exact.append(basis)
    inst_ids = tuple(inst_index)
    n = len(keys)
    pos_account = np.fromiter((k[0] for k in keys), dtype=np.int64, count=n)
    pos_instrument = np.fromiter((k[1] for k in keys), dtype=np.int64, count=n)
    quantity = np.fromiter(map(float, exact), dtype=np.float64, count=n)
    basis_local = np.fromiter(map(float, basis_exact), dtype=np.float64, count=n)

    closes, dates = prices(inst_ids, as_of)
    multiplier = np.array([float(instruments[i].multiplier) for i in inst_ids], dtype=np.float64)
    currencies = [instruments[i].currency for i in inst_ids]

    # FX: one rate per (instrument currency, account base currency) pair actually present.
    base_of = [a.base_currency for a in accounts]
    pair_rate: dict[tuple[str, str], float] = {}
    fx_rate = np.empty(n, dtype=np.float64)
    for r, (a_idx, i_idx) in enumerate(keys):
        pair = (currencies[i_idx], base_of[a_idx])
        rate = pair_rate.get(pair)
        if rate is None:
            rate = 1.0 if pair[0] == pair[1] else float(fx(pair[0], pair[1], as_of))
            pair_rate[pair] = rate
        fx_rate[r] = rate

    price = closes[pos_instrument] if n else np.empty(0)
    market_value = quantity * price * multiplier[pos_instrument] * fx_rate if n else np.empty(0)
    cost_basis = basis_local * fx_rate
    cash_value = np.zeros(len(accounts))
    for (acct, ccy), amount in cash.items():
        a_idx = acct_index.get(acct)
        if a_idx is None or not amount:
            continue
        pair = (ccy, base_of[a_idx])
        rate = pair_rate.get(pair)
        if rate is None:
            rate = 1.0 if pair[0] == pair[1] else float(fx(pair[0], pair[1], as_of))
            pair_rate[pair] = rate
        cash_value[a_idx] += float(amount) * rate
    unpriced = tuple(inst_ids[i] for i in np.unique(pos_instrument[np.isnan(price)]))
    snap = Snapshot(
        as_of=as_of, accounts=account_ids, instruments=inst_ids, pos_account=pos_account,
        pos_instrument=pos_instrument, quantity=quantity, price=price,
        price_date=dates[pos_instrument] if n else np.empty(0, dtype="datetime64[D]"),
        market_value=market_value, cost_basis=cost_basis, cash_value=cash_value,
        unpriced=unpriced, exact_quantity=tuple(exact),
    )
    return _with_id(snap)


def _with_id(snap: Snapshot) -> Snapshot:
    h = hashlib.sha256()
    h.update(snap.as_of.isoformat().encode())
    h.update("\x1f".join(snap.accounts).encode())
    h.update("\x1f".join(snap.instruments).encode())
    for arr in (snap.pos_account, snap.pos_instrument, snap.quantity, snap.price,
                snap.cost_basis, snap.cash_value):
        h.update(np.ascontiguousarray(arr).tobytes())
    return Snapshot(**{**{f: getattr(snap, f) for f in snap.__dataclass_fields__},
                       "id": h.hexdigest()[:16]})
