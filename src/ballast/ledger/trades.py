"""Buys and sells: opening lots, relieving them, shorts, and applying wash-sale matches.

See book.py for the cash rules and the handling of shorts, and wash_sale.py for the rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING

from ballast.domain import (
    ZERO,
    Account,
    Instrument,
    LedgerError,
    LotId,
    RealizedGain,
    TaxLot,
    Term,
    Transaction,
    TransactionId,
    round_to_minor,
)
from ballast.ledger.wash_sale import LossSale, Purchase

if TYPE_CHECKING:
    from ballast.ledger.book import Book

def open_lot(
    book: Book, txn: Transaction, account: Account, inst: Instrument, quantity: Decimal,
    basis: Decimal,
) -> None:
    """Append a lot bought by ``txn`` and match it against pending wash-sale losses."""
    lot = TaxLot(
        id=LotId(txn.id), account_id=account.id, instrument_id=inst.id,
        quantity=quantity, cost_basis=basis, acquired=txn.trade_date,
        holding_start=txn.trade_date, opened_by=txn.id,
    )
    undo, wash = book._undo, book._wash
    positions = book._lots[account.id]
    lots = positions.get(inst.id)
    if lots is None:
        undo.set_key(positions, inst.id, [lot])
    else:
        undo.append(lots, lot)
    key = wash.key(account.household_id, inst)
    purchase = Purchase(txn.trade_date, account.id, inst.id, lot.id, account.taxable, quantity)
    for loss, matched, disallowed in wash.pending_losses(undo, key, purchase):
        disallow(book, loss, purchase, matched, disallowed)
    wash.add_purchase(undo, key, purchase)


def disallow(
    book: Book, loss: LossSale, purchase: Purchase, matched: Decimal, disallowed: Decimal
) -> None:
    """Apply one wash-sale match: the loss's disallowed part and the replacement's basis."""
    gain = book._realized[loss.realized_index]
    book._undo.set_index(
        book._realized, loss.realized_index,
        replace(gain, wash_sale_disallowed=gain.wash_sale_disallowed + disallowed),
    )
    if not purchase.taxable:
        return  # Rev. Rul. 2008-5: permanently disallowed, no basis adjustment
    lots = book._position(purchase.account_id, purchase.instrument_id)
    i = next(i for i, lot in enumerate(lots) if lot.id == purchase.lot_id)
    lot = lots[i]
    part, rest = lot.take(matched)
    new_id = lot.id if rest is None else book._next_lot_id(
        lot.opened_by or TransactionId(lot.id), first_taken=True)
    adjusted = replace(
        part, id=new_id, cost_basis=part.cost_basis + disallowed,
        wash_sale_adjustment=part.wash_sale_adjustment + disallowed,
        holding_start=part.acquired - timedelta(days=loss.holding_days),
    )
    updated = [*lots[:i], *([rest] if rest else []), adjusted, *lots[i + 1:]]
    book._set_position(purchase.account_id, purchase.instrument_id, updated)


def open_quantity(book: Book, purchase: Purchase) -> Decimal:
    """Units of the purchase's lot still open in its account."""
    lots = book._lots[purchase.account_id].get(purchase.instrument_id, ())
    return next((lot.quantity for lot in lots if lot.id == purchase.lot_id), ZERO)


def buy(book: Book, txn: Transaction, account: Account, inst: Instrument) -> None:
    """Cover shorts first, then open a lot at quantity × price × multiplier + fees."""
    assert txn.price is not None
    cost = round_to_minor(txn.quantity * txn.price * inst.multiplier, inst.currency) + txn.fees
    book._move_cash(txn, account, inst.currency, -cost, opens=True)
    quantity = txn.quantity
    lots = book._lots[account.id].get(inst.id)
    if lots and lots[0].quantity < 0:
        quantity = cover(book, txn, account, inst, lots, cost)
        cost = cost * quantity / txn.quantity
    if quantity > 0:
        open_lot(book, txn, account, inst, quantity, cost)


def cover(
    book: Book, txn: Transaction, account: Account, inst: Instrument, shorts: Sequence[TaxLot],
    cost: Decimal,
) -> Decimal:
    """Cover short lots first-in first-out with a buy; returns the units left to go long."""
    left = txn.quantity
    remaining = sorted(shorts, key=lambda lot: (lot.acquired, lot.id))
    while left > 0 and remaining:
        short = remaining[0]
        qty = min(left, -short.quantity)
        part_proceeds = -short.cost_basis * qty / -short.quantity
        gain = RealizedGain(
            account_id=account.id, instrument_id=inst.id, lot_id=short.id,
            transaction_id=txn.id, quantity=qty, acquired=short.acquired,
            sold=txn.trade_date, proceeds=part_proceeds,
            cost_basis=cost * qty / txn.quantity, term=Term.SHORT, currency=inst.currency,
        )
        book._record_gain(gain)
        if qty == -short.quantity:
            remaining.pop(0)
        else:
            remaining[0] = replace(
                short, quantity=short.quantity + qty,
                cost_basis=short.cost_basis + part_proceeds,
            )
        left -= qty
    book._set_position(account.id, inst.id, remaining)
    return left


def sell(book: Book, txn: Transaction, account: Account, inst: Instrument) -> None:
    """Relieve lots, realize one gain per lot part, go short beyond the units held if allowed,
    and check the losses against the wash-sale rule."""
    assert txn.price is not None
    net = round_to_minor(txn.quantity * txn.price * inst.multiplier, inst.currency) - txn.fees
    lots = book._position(account.id, inst.id)
    held = sum((lot.quantity for lot in lots if lot.quantity > 0), ZERO)
    long_qty = txn.quantity
    if txn.quantity > held:
        if not account.allow_shorts:
            raise LedgerError(
                f"{book._context(txn)}: selling {txn.quantity} but only {held} held; "
                "the account does not allow shorts", field="quantity",
            )
        long_qty = held
    parts: list[TaxLot] = []
    if long_qty > 0:
        parts = book._relieve(
            txn, account, inst, lots, long_qty, book._method(txn, account),
            txn.price * inst.multiplier,
        )
    book._move_cash(txn, account, inst.currency, net, opens=True)
    allocated = ZERO
    losses: list[tuple[TaxLot, int]] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1 and long_qty == txn.quantity
        proceeds = net - allocated if last else net * part.quantity / txn.quantity
        allocated += proceeds
        index = book._realize(txn, account, inst, part, proceeds)
        if proceeds < part.cost_basis:
            losses.append((part, index))
    if long_qty < txn.quantity:
        short = TaxLot(
            id=LotId(txn.id), account_id=account.id, instrument_id=inst.id,
            quantity=long_qty - txn.quantity, cost_basis=allocated - net,
            acquired=txn.trade_date, holding_start=txn.trade_date, opened_by=txn.id,
        )
        book._set_position(account.id, inst.id, [*book._position(account.id, inst.id), short])
    if account.taxable and losses:
        wash_check(book, txn, account, inst, parts, losses)


def wash_check(
    book: Book, txn: Transaction, account: Account, inst: Instrument, parts: list[TaxLot],
    losses: list[tuple[TaxLot, int]],
) -> None:
    """Match each loss part with replacement purchases; keep the unmatched rest pending."""
    key = book._wash.key(account.household_id, inst)
    excluded = {(account.id, part.id) for part in parts}
    for part, index in losses:
        gain = book._realized[index]
        loss = LossSale(
            day=txn.trade_date, account_id=account.id, lot_id=part.id, realized_index=index,
            quantity=part.quantity, loss=-gain.gain,
            holding_days=(txn.trade_date - part.holding_start).days,
            unmatched=part.quantity, loss_left=-gain.gain,
        )
        matches = book._wash.replacements(
            book._undo, key, loss, excluded, partial(open_quantity, book))
        for purchase, matched, disallowed in matches:
            disallow(book, loss, purchase, matched, disallowed)
        if loss.unmatched > 0:
            book._wash.add_loss(book._undo, key, loss)
