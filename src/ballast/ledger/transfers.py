"""Transfers of lots into, out of and between accounts: basis and holding period travel along.

A transfer out relieves lots by the trade's method (or the account's; ``min_tax`` without a
price falls back to FIFO) and realizes nothing. When ``counter_account`` is an account of the
same book the lots move there with basis, acquisition date, holding period and wash-sale
adjustment; a lot keeps its id unless the receiving position already has one by that id, in
which case it gets the transfer's lot id. Without a counter account the lots leave the book
(delivered to an outside custodian); a counter account that is not in the book is refused, so a
mistyped id never makes lots disappear. Transfers are not purchases for the wash-sale rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ballast.domain import (
    Account,
    Instrument,
    LedgerError,
    LotMethod,
    TaxLot,
    Transaction,
    UnknownReference,
)

if TYPE_CHECKING:
    from ballast.ledger.book import Book


def _check_long(
    book: Book, txn: Transaction, lots: Sequence[TaxLot], account: Account, field: str
) -> None:
    if any(lot.quantity < 0 for lot in lots):
        raise LedgerError(
            f"{book._context(txn)}: account {account.id} is short; "
            "cover the short before transferring lots in", field=field,
        )


def transfer_in(book: Book, txn: Transaction, account: Account, inst: Instrument) -> None:
    """Open the lots a transfer in carries, with their basis and holding period."""
    lots = book._position(account.id, inst.id)
    _check_long(book, txn, lots, account, "symbol")
    ids = {lot.id for lot in lots}
    new: list[TaxLot] = []
    for spec in txn.lots:
        assert spec.cost_basis is not None and spec.acquired is not None  # Transaction checks
        lot_id = spec.lot_id or book._next_lot_id(txn.id)
        if lot_id in ids:
            raise LedgerError(
                f"{book._context(txn)}: lot {lot_id} is already open in the account", field="lots")
        ids.add(lot_id)
        new.append(TaxLot(
            id=lot_id, account_id=account.id, instrument_id=inst.id, quantity=spec.quantity,
            cost_basis=spec.cost_basis, acquired=spec.acquired,
            holding_start=spec.holding_start or spec.acquired,
            wash_sale_adjustment=spec.wash_sale_adjustment, opened_by=txn.id,
        ))
    book._set_position(account.id, inst.id, [*lots, *new])


def transfer_out(book: Book, txn: Transaction, account: Account, inst: Instrument) -> None:
    """Relieve lots without realizing a gain; move them to ``counter_account`` if in the book."""
    method = book._method(txn, account)
    price = txn.price * inst.multiplier if txn.price is not None else None
    if method is LotMethod.MIN_TAX and price is None:
        method = LotMethod.FIFO
    parts = book._relieve(
        txn, account, inst, book._position(account.id, inst.id), txn.quantity, method, price)
    target_id = txn.counter_account
    if target_id is None:
        return
    if target_id not in book.accounts:
        raise UnknownReference(f"{book._context(txn)}: unknown counter account {target_id!r}",
                               hint="Name an account of the book, or leave counter_account "
                               "empty for a delivery to an outside custodian.",
                               field="counter_account")
    if target_id == account.id:
        raise LedgerError(f"{book._context(txn)}: counter account is the account itself",
                          field="counter_account")
    target = book.accounts[target_id]
    existing = book._position(target_id, inst.id)
    _check_long(book, txn, existing, target, "counter_account")
    ids = {lot.id for lot in existing}
    moved: list[TaxLot] = []
    for part in parts:
        lot_id = part.id if part.id not in ids else book._next_lot_id(txn.id)
        ids.add(lot_id)
        moved.append(replace(part, id=lot_id, account_id=target_id))
    book._set_position(target_id, inst.id, [*existing, *moved])
