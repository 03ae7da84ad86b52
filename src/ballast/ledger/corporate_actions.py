"""Splits, stock dividends and symbol changes on a position, and corporate-action fan-out.

A split multiplies every lot's quantity by the ratio (a stock dividend by 1 + ratio) and keeps
basis, acquisition date and holding period, so the unit cost divides by the ratio. For an
instrument without fractional units the position's fraction of a lot size is paid as cash in
lieu at ``txn.price`` per new unit: the fraction is taken from the latest-acquired lots that hold
a fraction, and its basis is realized as a sale (the IRS treats cash in lieu as a sale).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

from ballast.domain import (
    ZERO,
    Account,
    AccountId,
    CorporateAction,
    CorporateActionKind,
    Instrument,
    LedgerError,
    TaxLot,
    Transaction,
    TransactionId,
    TransactionKind,
    UnknownReference,
    round_to_minor,
)

if TYPE_CHECKING:
    from ballast.ledger.book import Book


def split(book: Book, txn: Transaction, account: Account, inst: Instrument) -> None:
    """Book a split, reverse split or stock dividend on one account's position."""
    assert txn.ratio is not None  # Transaction checks
    lots = book._position(account.id, inst.id)
    if not lots:
        raise LedgerError(f"{book._context(txn)}: the account holds no {inst.id}", field="symbol")
    ratio = txn.ratio if txn.kind is TransactionKind.SPLIT else 1 + txn.ratio
    new: list[TaxLot | None] = [replace(lot, quantity=lot.quantity * ratio) for lot in lots]
    total = sum((lot.quantity for lot in lots), ZERO) * ratio
    fraction = total % inst.lot_size if total > 0 and not inst.fractional else ZERO
    parts: list[TaxLot] = []
    if fraction:
        if txn.price is None:
            raise LedgerError(
                f"{book._context(txn)}: {fraction} fractional units need a cash-in-lieu price",
                field="price",
            )
        order = sorted(range(len(new)), key=lambda i: (lots[i].acquired, lots[i].id))
        left = fraction
        for i in reversed(order):
            lot = new[i]
            assert lot is not None
            take = min(lot.quantity % inst.lot_size, left)
            if take > 0:
                part, new[i] = lot.take(take)
                parts.append(part)
                left -= take
    book._set_position(account.id, inst.id, [lot for lot in new if lot is not None])
    if not parts:
        return
    assert txn.price is not None
    cash = round_to_minor(fraction * txn.price * inst.multiplier, inst.currency)
    book._move_cash(txn, account, inst.currency, cash, opens=True)
    allocated = ZERO
    for i, part in enumerate(parts):
        proceeds = cash - allocated if i == len(parts) - 1 else cash * part.quantity / fraction
        allocated += proceeds
        book._realize(txn, account, inst, part, proceeds)


def symbol_change(book: Book, txn: Transaction, account: Account, inst: Instrument) -> None:
    """Move the position's lots, unchanged, to the new instrument id."""
    new_id = txn.new_instrument_id
    assert new_id is not None  # Transaction checks
    if new_id not in book.instruments:
        raise UnknownReference(f"{book._context(txn)}: unknown new instrument {new_id}",
                               field="new_symbol")
    lots = book._position(account.id, inst.id)
    if not lots:
        raise LedgerError(f"{book._context(txn)}: the account holds no {inst.id}", field="symbol")
    existing = book._position(account.id, new_id)
    clash = {lot.id for lot in existing} & {lot.id for lot in lots}
    if clash:
        raise LedgerError(
            f"{book._context(txn)}: lots {sorted(clash)} are already open under {new_id}",
            field="new_symbol",
        )
    book._set_position(account.id, inst.id, [])
    book._set_position(
        account.id, new_id, [*existing, *(replace(lot, instrument_id=new_id) for lot in lots)]
    )


def transactions_for(
    action: CorporateAction, holders: list[tuple[AccountId, Decimal]]
) -> list[Transaction]:
    """One transaction per holding account (id ``f"{action.id}:{account_id}"``).

    A cash dividend pays amount per unit × units held (long positions only), rounded to the
    currency's minor unit, dated the ex-date and settling on the pay date. For a split the
    action's ``amount``, if given, is the cash-in-lieu price per new unit.
    """
    kinds = {
        CorporateActionKind.SPLIT: TransactionKind.SPLIT,
        CorporateActionKind.STOCK_DIVIDEND: TransactionKind.STOCK_DIVIDEND,
        CorporateActionKind.SYMBOL_CHANGE: TransactionKind.SYMBOL_CHANGE,
        CorporateActionKind.CASH_DIVIDEND: TransactionKind.DIVIDEND,
    }
    reshapes = action.kind in (CorporateActionKind.SPLIT, CorporateActionKind.STOCK_DIVIDEND)
    out: list[Transaction] = []
    for account_id, units in holders:
        amount = ZERO
        if action.kind is CorporateActionKind.CASH_DIVIDEND:
            assert action.amount is not None  # CorporateAction checks
            amount = round_to_minor(units * action.amount, action.currency) if units > 0 else ZERO
            if amount <= 0:
                continue
        out.append(Transaction(
            id=TransactionId(f"{action.id}:{account_id}"), account_id=account_id,
            kind=kinds[action.kind], trade_date=action.ex_date,
            instrument_id=action.instrument_id, amount=amount, currency=action.currency,
            ratio=action.ratio if reshapes else None, price=action.amount if reshapes else None,
            new_instrument_id=action.new_instrument_id, settle_date=action.pay_date,
        ))
    return out
