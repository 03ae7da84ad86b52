"""Fill one day's taxed proposals at the close with the simulated market's spread, slippage and
commission (:mod:`ballast.execution.fill_model`), and book them into the ledger: sells relieve
exactly the lots the tax pass chose; a buy the cash cannot pay for after real costs is cut to
what it can."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

import numpy as np

from ballast.domain import (
    ZERO,
    InstrumentId,
    LotId,
    LotMethod,
    LotSpec,
    RealizedGain,
    Transaction,
    TransactionKind,
)
from ballast.engine.backtest.decide import Activity, Decision
from ballast.engine.backtest.state import PolicyState
from ballast.execution.fill_model import commission, fill_price
from ballast.execution.orders import Side
from ballast.execution.simulated import SimulationConfig
from ballast.ledger.snapshot import FloatArray
from ballast.rebalance import TradeReason

PRICE_STEP = Decimal("0.0001")
CENT = Decimal("0.01")


@dataclass
class Tally:
    """What one policy's fills added up to, per account (money as floats)."""

    traded: FloatArray
    costs: FloatArray
    trades: int = 0
    cut: int = 0
    harvest_txns: set[str] = field(default_factory=set)
    orders: hashlib._Hash = field(default_factory=hashlib.sha256)

    def record(self, txn: Transaction) -> None:
        """Add a fill to the order-list hash (date, account, instrument, side, units, price)."""
        self.orders.update(f"{txn.trade_date}|{txn.account_id}|{txn.instrument_id}|{txn.kind}|"
                           f"{txn.quantity}|{txn.price}\n".encode())


def _close(x: float) -> Decimal:
    return Decimal(repr(x)).quantize(PRICE_STEP, ROUND_HALF_EVEN)


def book_decision(state: PolicyState, dec: Decision, close: FloatArray, day: date,
                  config: SimulationConfig, activity: Activity, tally: Tally,
                  quantity: FloatArray | None = None) -> dict[int, list[RealizedGain]]:
    """Fill and book every trade of ``dec`` (sells before buys within an account), each of
    ``quantity`` units when given (after compliance; 0: not traded); returns the gains each
    account realized."""
    props = dec.taxed.proposals
    units = props.quantity if quantity is None else quantity
    touched: set[tuple[int, int]] = set()
    for i in range(props.n_trades):
        if not units[i] > 0:
            continue
        a = int(dec.rows[props.trade_account[i]])
        j = int(props.trade_instrument[i])
        inst = state.instruments[j]
        side = Side.BUY if props.side[i] > 0 else Side.SELL
        price = fill_price(_close(float(close[j])), side, config)
        if side is Side.SELL:
            txn = _sell(state, dec, i, float(units[i]), a, inst.id, price, day, config)
        else:
            txn = _buy(state, a, j, float(units[i]), price, day, config, tally)
        if txn is None:
            continue
        state.book.apply(txn)
        tally.record(txn)
        touched.add((a, j))
        value = float(txn.quantity * price)
        tally.traded[a] += value
        tally.costs[a] += float(txn.fees) + abs(value - float(txn.quantity) * float(close[j]))
        tally.trades += 1
        if side is Side.BUY:
            activity.add("buy", a, j, day)
        elif int(props.reason[i]) == TradeReason.HARVEST:
            tally.harvest_txns.add(txn.id)
    rows = {a for a, _ in touched}
    state.refresh(touched, rows)
    realized = {a: state.new_gains(a) for a in sorted(rows)}
    for a, gains in realized.items():
        if not state.accounts[a].taxable:
            continue
        for j in sorted({state.column[g.instrument_id] for g in gains if g.gain < 0}):
            activity.add("loss", a, j, day)
    return realized


def _sell(state: PolicyState, dec: Decision, i: int, units: float, a: int, symbol: str,
          price: Decimal, day: date, config: SimulationConfig) -> Transaction | None:
    """A sale naming the tax pass's lots, in its order, up to ``units`` (exact open
    quantities when a lot goes whole)."""
    held = state.open_lots(a, symbol)
    parts: list[LotSpec] = []
    left = units
    for lot_id, chosen in dec.taxed.lots_of(i):
        exact = held.get(lot_id)
        q = min(chosen, left)
        left -= q
        if exact is None or q <= 1e-12:
            continue
        qd = exact if abs(float(exact) - q) <= 1e-9 * max(1.0, q) else min(
            Decimal(repr(q)), exact)
        parts.append(LotSpec(qd, LotId(lot_id)))
    quantity = sum((p.quantity for p in parts), ZERO)
    if quantity <= 0:
        return None
    return Transaction(
        state.next_id(day), state.account_id(a), TransactionKind.SELL, day,
        instrument_id=InstrumentId(symbol), quantity=quantity,
        price=price, fees=commission(quantity, price, config), lots=tuple(parts),
        lot_method=LotMethod.SPECIFIC)


def _buy(state: PolicyState, a: int, j: int, q: float, price: Decimal, day: date,
         config: SimulationConfig, tally: Tally) -> Transaction | None:
    """A purchase of ``q`` units, cut to the lots the account's cash pays for at the fill."""
    inst = state.instruments[j]
    quantity = Decimal(repr(q)).quantize(inst.lot_size, ROUND_HALF_EVEN)
    cash = state.book.cash(state.account_id(a))[inst.currency]

    def needs(units: Decimal) -> Decimal:  # as the ledger debits it: to the cent, plus fees
        return (units * price).quantize(CENT, ROUND_HALF_EVEN) + commission(units, price, config)

    if needs(quantity) > cash:
        tally.cut += 1
        fee = commission(quantity, price, config)
        quantity = ((cash - fee) / price / inst.lot_size).to_integral_value(
            ROUND_FLOOR) * inst.lot_size
        while quantity > 0 and needs(quantity) > cash:
            quantity -= inst.lot_size
    if quantity <= 0:
        return None
    return Transaction(state.next_id(day), state.account_id(a), TransactionKind.BUY, day,
                       instrument_id=inst.id, quantity=quantity, price=price,
                       fees=commission(quantity, price, config))


def new_tally(n: int) -> Tally:
    """Zeroed per-account totals for ``n`` accounts."""
    return Tally(np.zeros(n), np.zeros(n))
