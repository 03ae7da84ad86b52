"""Transactions: every change to an account's holdings or cash is one of these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from ballast.domain.account import LotMethod
from ballast.domain.errors import DataError
from ballast.domain.ids import AccountId, InstrumentId, LotId, TransactionId
from ballast.domain.money import ZERO, check_currency


class TransactionKind(StrEnum):
    BUY = "buy"
    SELL = "sell"
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    DIVIDEND = "dividend"
    INTEREST = "interest"
    FEE = "fee"
    SPLIT = "split"
    STOCK_DIVIDEND = "stock_dividend"
    SYMBOL_CHANGE = "symbol_change"
    TRANSFER_IN = "transfer_in"
    TRANSFER_OUT = "transfer_out"
    FX_CONVERSION = "fx_conversion"


# Kinds that name an instrument, and kinds that move only cash.
SECURITY_KINDS = frozenset({
    TransactionKind.BUY, TransactionKind.SELL, TransactionKind.DIVIDEND, TransactionKind.SPLIT,
    TransactionKind.STOCK_DIVIDEND, TransactionKind.SYMBOL_CHANGE, TransactionKind.TRANSFER_IN,
    TransactionKind.TRANSFER_OUT,
})
CASH_KINDS = frozenset({
    TransactionKind.DEPOSIT, TransactionKind.WITHDRAWAL, TransactionKind.INTEREST,
    TransactionKind.FEE, TransactionKind.FX_CONVERSION,
})


@dataclass(frozen=True, slots=True)
class LotSpec:
    """A lot named on a transaction.

    On a sell or transfer out with specific identification: ``lot_id`` and ``quantity``.
    On a transfer in: the incoming lot's ``quantity``, ``cost_basis``, ``acquired`` and
    ``holding_start`` (carried over from the delivering custodian), ``lot_id`` optional.
    """

    quantity: Decimal
    lot_id: LotId | None = None
    cost_basis: Decimal | None = None
    acquired: date | None = None
    holding_start: date | None = None
    wash_sale_adjustment: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class Transaction:
    """One booked event in one account.

    Field use by kind (all amounts positive; the kind gives the direction):

    - buy / sell: ``instrument_id``, ``quantity``, ``price`` (per unit), ``fees``; cash moves in
      the instrument's currency by quantity × price × multiplier ± fees. ``lots`` names specific
      lots on a sell; ``lot_method`` overrides the account's method for this trade.
    - deposit / withdrawal / interest / fee: ``amount`` in ``currency``.
    - dividend: ``instrument_id``, ``amount`` (total cash) in ``currency``; with ``reinvest`` the
      cash buys ``amount / price`` new units as a new lot.
    - split: ``ratio`` new units per old unit (2 for a 2-for-1, 0.1 for a 1-for-10 reverse split);
      fractional units of a non-fractional instrument are paid out at ``price`` (cash in lieu).
    - stock_dividend: ``ratio`` additional units per unit held (0.05 for a 5% stock dividend);
      basis is spread over old and new units as for a split.
    - symbol_change: ``instrument_id`` becomes ``new_instrument_id``, lots unchanged.
    - transfer_in: ``instrument_id`` with ``lots`` carrying basis and holding period.
    - transfer_out: ``instrument_id`` and ``quantity``; with ``counter_account`` in the same book
      the lots move there with basis and holding period.
    - fx_conversion: sells ``amount`` of ``currency`` for ``to_amount`` of ``to_currency``.
    """

    id: TransactionId
    account_id: AccountId
    kind: TransactionKind
    trade_date: date
    instrument_id: InstrumentId | None = None
    quantity: Decimal = ZERO
    price: Decimal | None = None
    amount: Decimal = ZERO
    currency: str = "USD"
    fees: Decimal = ZERO
    ratio: Decimal | None = None
    new_instrument_id: InstrumentId | None = None
    lots: tuple[LotSpec, ...] = ()
    lot_method: LotMethod | None = None
    reinvest: bool = False
    to_currency: str | None = None
    to_amount: Decimal = ZERO
    counter_account: AccountId | None = None
    settle_date: date | None = None
    memo: str = ""

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise DataError(f"transaction {self.id}: " + "; ".join(problems))

    def problems(self) -> list[str]:
        """Every structural problem with this transaction, as (field: reason) strings."""
        out: list[str] = []
        k = self.kind
        if not self.id:
            out.append("id: is empty")
        try:
            check_currency(self.currency)
        except DataError:
            out.append(f"currency: unknown currency {self.currency!r}")
        if k in SECURITY_KINDS and not self.instrument_id:
            out.append(f"instrument: a {k} needs an instrument")
        if self.fees < 0:
            out.append("fees: must not be negative")
        if k in (TransactionKind.BUY, TransactionKind.SELL):
            if self.quantity <= 0:
                out.append("quantity: must be positive")
            if self.price is None or self.price < 0:
                out.append("price: a trade needs a price of zero or more")
        elif k in (TransactionKind.DEPOSIT, TransactionKind.WITHDRAWAL, TransactionKind.INTEREST,
                   TransactionKind.FEE, TransactionKind.DIVIDEND):
            if self.amount <= 0:
                out.append("amount: must be positive")
            needs_price = k is TransactionKind.DIVIDEND and self.reinvest
            if needs_price and not (self.price and self.price > 0):
                out.append("price: a reinvested dividend needs the reinvestment price")
        elif k in (TransactionKind.SPLIT, TransactionKind.STOCK_DIVIDEND):
            if self.ratio is None or self.ratio <= 0:
                out.append("ratio: must be positive")
        elif k is TransactionKind.SYMBOL_CHANGE:
            if not self.new_instrument_id or self.new_instrument_id == self.instrument_id:
                out.append("new_instrument: must name a different instrument")
        elif k is TransactionKind.TRANSFER_IN:
            if not self.lots:
                out.append("lots: a transfer in must carry its lots")
            for spec in self.lots:
                if spec.quantity <= 0 or spec.cost_basis is None or spec.cost_basis < 0:
                    out.append("lots: each lot needs a positive quantity and a cost basis")
                if spec.acquired is None:
                    out.append("lots: each lot needs an acquisition date")
        elif k is TransactionKind.TRANSFER_OUT:
            if self.quantity <= 0:
                out.append("quantity: must be positive")
        elif k is TransactionKind.FX_CONVERSION:
            if self.amount <= 0 or self.to_amount <= 0:
                out.append("amount: both legs of an FX conversion must be positive")
            if not self.to_currency or self.to_currency == self.currency:
                out.append("to_currency: must name a different currency")
        return out
