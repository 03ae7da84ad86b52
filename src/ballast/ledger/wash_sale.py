"""US wash-sale bookkeeping (IRS Publication 550; Treas. Reg. §1.1091-1).

A loss sale in a taxable account is a wash sale to the extent that the same instrument, or one
with the same ``Instrument.wash_sale_group``, was bought within 30 days before or after the
sale in any account of the same household. This module keeps the two indexes the rule needs,
keyed by (household, group) and pruned to the 61-day window:

- purchases (buys and dividend reinvestments) that can still serve as replacement shares;
- loss sales whose loss is not yet fully matched with replacement shares.

Matching follows Reg. 1.1091-1(b) and (c): loss sales and replacement purchases are matched in
chronological order, each replacement share absorbs at most one sold share, and the disallowed
loss is prorated (loss × matched / sold). The lots relieved by a sale are never its own
replacement, not even the part of such a lot that stays open. The Book applies the result:
it raises the RealizedGain's ``wash_sale_disallowed`` and, when the replacement is in a taxable
account, adds the amount to the replacement lot's basis and carries the holding period over.
A replacement in a tax-deferred or tax-exempt account makes the loss permanently disallowed
(Rev. Rul. 2008-5): recorded as disallowed, no basis adjustment anywhere.

Edges not handled:
- a replacement lot already fully sold (or transferred away) before the loss is matched does
  not absorb it; only the part of the replacement lot still open in its account can;
- transactions are expected in date order (``Book.apply_all``): a transaction dated more than
  30 days before one already booked may not see records pruned since;
- record quantities are not adjusted by later splits, stock dividends or symbol changes;
- a cash-in-lieu loss on a split, a short sale and a transfer in are not wash-sale events.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ballast.domain import AccountId, HouseholdId, Instrument, InstrumentId, LotId
from ballast.ledger.undo import Undo

WINDOW = timedelta(days=30)
Key = tuple[HouseholdId, str]


@dataclass(slots=True)
class Purchase:
    """A purchase that can still be a replacement for ``remaining`` sold units."""

    day: date
    account_id: AccountId
    instrument_id: InstrumentId
    lot_id: LotId
    taxable: bool
    remaining: Decimal


@dataclass(slots=True)
class LossSale:
    """One lot part sold at a loss, with the part of the loss not yet matched."""

    day: date
    account_id: AccountId
    lot_id: LotId
    realized_index: int
    quantity: Decimal
    loss: Decimal
    holding_days: int
    unmatched: Decimal
    loss_left: Decimal

    def disallow(self, undo: Undo, matched: Decimal) -> Decimal:
        """Record ``matched`` replacement units; return the loss they disallow.

        The last match takes the exact rest of the loss, so the parts add up to the whole.
        """
        last = matched == self.unmatched
        amount = self.loss_left if last else self.loss * matched / self.quantity
        undo.set_attr(self, "unmatched", self.unmatched - matched)
        undo.set_attr(self, "loss_left", self.loss_left - amount)
        return amount


class WashSales:
    """The purchase and pending-loss indexes of one book."""

    __slots__ = ("_losses", "_purchases")

    def __init__(self) -> None:
        self._purchases: dict[Key, list[Purchase]] = {}
        self._losses: dict[Key, list[LossSale]] = {}

    @staticmethod
    def key(household: HouseholdId, instrument: Instrument) -> Key:
        """The index key: the household and the instrument's wash-sale group, else its id."""
        return household, instrument.wash_sale_group or instrument.id

    def add_purchase(self, undo: Undo, key: Key, purchase: Purchase) -> None:
        """Remember a purchase as a possible replacement for later loss sales."""
        bucket = self._purchases.get(key)
        if not bucket:
            undo.set_key(self._purchases, key, [purchase])
            return
        cutoff = purchase.day - WINDOW
        if bucket[0].day < cutoff or bucket[0].remaining <= 0:  # prune to the window
            bucket = [p for p in bucket if p.day >= cutoff and p.remaining > 0]
            undo.set_key(self._purchases, key, bucket)
        undo.append(bucket, purchase)

    def add_loss(self, undo: Undo, key: Key, loss: LossSale) -> None:
        """Remember a loss sale whose loss is not fully matched yet."""
        self._prune_losses(undo, key, loss.day - WINDOW)
        bucket = self._losses.get(key)
        if bucket is None:
            undo.set_key(self._losses, key, [loss])
        else:
            undo.append(bucket, loss)

    def replacements(
        self,
        undo: Undo,
        key: Key,
        loss: LossSale,
        excluded: set[tuple[AccountId, LotId]],
        open_quantity: Callable[[Purchase], Decimal],
    ) -> list[tuple[Purchase, Decimal, Decimal]]:
        """Match ``loss`` with recorded purchases within 30 days of it, oldest first.

        Returns (purchase, units matched, loss disallowed) triples; ``open_quantity`` caps a
        purchase at the units of its lot still open.
        """
        bucket = self._purchases.get(key)
        if not bucket:
            return []
        out: list[tuple[Purchase, Decimal, Decimal]] = []
        for p in sorted(bucket, key=lambda p: p.day):
            if loss.unmatched <= 0:
                break
            if (
                p.remaining <= 0
                or abs((p.day - loss.day).days) > WINDOW.days
                or (p.account_id, p.lot_id) in excluded
            ):
                continue
            matched = min(p.remaining, open_quantity(p), loss.unmatched)
            if matched > 0:
                undo.set_attr(p, "remaining", p.remaining - matched)
                out.append((p, matched, loss.disallow(undo, matched)))
        return out

    def pending_losses(
        self, undo: Undo, key: Key, purchase: Purchase
    ) -> Sequence[tuple[LossSale, Decimal, Decimal]]:
        """Match a new ``purchase`` with pending loss sales within 30 days of it, oldest first.

        Returns (loss sale, units matched, loss disallowed) triples.
        """
        if not self._losses.get(key):
            return ()
        self._prune_losses(undo, key, purchase.day - WINDOW)
        bucket = self._losses.get(key)
        if not bucket:
            return []
        out: list[tuple[LossSale, Decimal, Decimal]] = []
        for loss in sorted(bucket, key=lambda s: s.day):
            if purchase.remaining <= 0:
                break
            if loss.unmatched <= 0 or abs((purchase.day - loss.day).days) > WINDOW.days:
                continue
            matched = min(purchase.remaining, loss.unmatched)
            undo.set_attr(purchase, "remaining", purchase.remaining - matched)
            out.append((loss, matched, loss.disallow(undo, matched)))
        return out

    def _prune_losses(self, undo: Undo, key: Key, cutoff: date) -> None:
        bucket = self._losses.get(key)
        if bucket and (bucket[0].day < cutoff or bucket[0].unmatched <= 0):
            undo.set_key(
                self._losses, key, [s for s in bucket if s.day >= cutoff and s.unmatched > 0]
            )
