"""The book of record: accounts, open tax lots, cash by currency and realized gains.

``Book.apply`` books one Transaction; every mutation goes through an undo log, so a transaction
that raises leaves the book exactly as it was.

Cash rules: an account always holds its base currency (possibly at zero). A deposit or the
receiving leg of an FX conversion opens a new currency; a trade, dividend or cash in lieu may
move cash in the instrument's currency. Any other movement (withdrawal, fee, interest, the paying
leg of an FX conversion, a dividend in a foreign currency) in a currency the account has never
held raises LedgerError: fund the account in that currency first. A debit that leaves a
currency negative raises unless the account allows margin.

Trade cash is quantity × price × multiplier rounded half-even to the currency's minor unit;
a buy's basis is that plus fees and a sale's proceeds are that minus fees.

Shorts (``allow_shorts``): a sale beyond the long units opens a short lot (negative quantity,
negative basis = the proceeds received); a later buy covers short lots first-in first-out and
realizes a short-term gain of proceeds received − cost of cover.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import ROUND_DOWN, Decimal
from types import MappingProxyType

from ballast.domain import (
    ZERO,
    Account,
    AccountId,
    CorporateAction,
    Instrument,
    InstrumentId,
    LedgerError,
    LotId,
    LotMethod,
    RealizedGain,
    TaxLot,
    Transaction,
    TransactionId,
    TransactionKind,
    UnknownReference,
    holding_term,
)
from ballast.ledger import corporate_actions, trades, transfers
from ballast.ledger.relief import average_lots, select_lots
from ballast.ledger.undo import Undo
from ballast.ledger.wash_sale import WashSales

_REINVEST_STEP = Decimal("0.000001")
K = TransactionKind
# The column at fault when a debit overdraws cash: a buy's quantity, a sale's fees (beyond the
# proceeds), otherwise the amount.
_DEBIT_FIELD: Mapping[TransactionKind, str] = MappingProxyType({K.BUY: "quantity", K.SELL: "fees"})
Handler = Callable[["Book", Transaction, Account, Instrument], None]


class Book:
    """The mutable book of record the engine owns."""

    def __init__(
        self,
        instruments: Mapping[InstrumentId, Instrument],
        accounts: Iterable[Account] = (),
    ) -> None:
        self._instruments: dict[InstrumentId, Instrument] = dict(instruments)
        self._accounts: dict[AccountId, Account] = {}
        self._lots: dict[AccountId, dict[InstrumentId, list[TaxLot]]] = {}
        self._cash: dict[AccountId, dict[str, Decimal]] = {}
        self._realized: list[RealizedGain] = []
        self._realized_by_account: dict[AccountId, list[int]] = {}
        self._lot_seq: dict[str, int] = {}
        self._wash = WashSales()
        self._undo = Undo()
        self._cash_handlers: dict[TransactionKind, Callable[[Transaction, Account], None]] = {
            K.DEPOSIT: self._cash_only, K.WITHDRAWAL: self._cash_only,
            K.INTEREST: self._cash_only, K.FEE: self._cash_only, K.FX_CONVERSION: self._fx,
        }
        self._handlers: dict[TransactionKind, Handler] = {
            K.BUY: trades.buy, K.SELL: trades.sell, K.DIVIDEND: Book._dividend,
            K.TRANSFER_IN: transfers.transfer_in, K.TRANSFER_OUT: transfers.transfer_out,
            K.SPLIT: corporate_actions.split, K.STOCK_DIVIDEND: corporate_actions.split,
            K.SYMBOL_CHANGE: corporate_actions.symbol_change,
        }
        for account in accounts:
            self.add_account(account)

    # ---- reference data and queries -------------------------------------------------------

    @property
    def accounts(self) -> Mapping[AccountId, Account]:
        """The accounts of the book, read-only."""
        return MappingProxyType(self._accounts)

    @property
    def instruments(self) -> Mapping[InstrumentId, Instrument]:
        """The instruments of the book, read-only."""
        return MappingProxyType(self._instruments)

    def add_account(self, account: Account) -> None:
        """Add an account, holding zero of its base currency; its id must be new."""
        if account.id in self._accounts:
            raise LedgerError(f"account {account.id} is already in the book", field="account_id")
        self._accounts[account.id] = account
        self._lots[account.id] = {}
        self._cash[account.id] = {account.base_currency: ZERO}
        self._realized_by_account[account.id] = []

    def add_instrument(self, instrument: Instrument) -> None:
        """Add or update an instrument's static data.

        Its ``wash_sale_group`` applies to transactions booked from then on.
        """
        self._instruments[instrument.id] = instrument

    def lots(
        self, account_id: AccountId, instrument_id: InstrumentId | None = None
    ) -> list[TaxLot]:
        """Open lots of an account (of one instrument, or of all in instrument order)."""
        positions = self._positions_of(account_id)
        if instrument_id is not None:
            return list(positions.get(instrument_id, ()))
        return [lot for iid in sorted(positions) for lot in positions[iid]]

    def positions(self, account_id: AccountId) -> dict[InstrumentId, Decimal]:
        """Units held per instrument (negative when short)."""
        return {
            iid: sum((lot.quantity for lot in lots), ZERO)
            for iid, lots in sorted(self._positions_of(account_id).items())
        }

    def cash(self, account_id: AccountId) -> dict[str, Decimal]:
        """Cash per currency, including currencies held before and now at zero."""
        self._positions_of(account_id)
        return dict(self._cash[account_id])

    def realized(self, account_id: AccountId | None = None) -> list[RealizedGain]:
        """Realized gains in booking order, of one account or of all."""
        if account_id is None:
            return list(self._realized)
        self._positions_of(account_id)
        return [self._realized[i] for i in self._realized_by_account[account_id]]

    # ---- booking --------------------------------------------------------------------------

    def apply(self, txn: Transaction) -> None:
        """Book one transaction, or raise LedgerError / UnknownReference leaving the book as is."""
        undo = self._undo
        try:
            self._book(txn)
        except BaseException:
            undo.rollback()
            raise
        undo.forget()

    def apply_all(self, txns: Iterable[Transaction]) -> None:
        """Book transactions in (trade_date, given order); stops at the first that fails,
        leaving the ones before it booked."""
        for txn in sorted(txns, key=lambda t: t.trade_date):
            self.apply(txn)

    def apply_corporate_action(self, action: CorporateAction) -> list[Transaction]:
        """Generate and book one transaction per account holding the instrument; all or none."""
        txns = corporate_actions.transactions_for(action, self._holders(action.instrument_id))
        undo = self._undo
        try:
            for txn in txns:
                self._book(txn)
        except BaseException:
            undo.rollback()
            raise
        undo.forget()
        return txns

    def _holders(self, instrument_id: InstrumentId) -> list[tuple[AccountId, Decimal]]:
        return [
            (aid, sum((lot.quantity for lot in pos[instrument_id]), ZERO))
            for aid, pos in sorted(self._lots.items())
            if instrument_id in pos
        ]

    def _book(self, txn: Transaction) -> None:
        account = self._accounts.get(txn.account_id)
        if account is None:
            raise UnknownReference(f"transaction {txn.id}: unknown account {txn.account_id}",
                                   field="account_id")
        inst = None
        if txn.instrument_id is not None:
            inst = self._instruments.get(txn.instrument_id)
            if inst is None:
                raise UnknownReference(
                    f"transaction {txn.id} (account {txn.account_id}): "
                    f"unknown instrument {txn.instrument_id}", field="symbol",
                )
        handler = self._handlers.get(txn.kind)
        if handler is None:
            self._cash_handlers[txn.kind](txn, account)
        else:
            assert inst is not None  # Transaction.problems() guarantees it
            handler(self, txn, account, inst)

    # ---- primitives used by the handlers and by corporate_actions --------------------------

    def _positions_of(self, account_id: AccountId) -> dict[InstrumentId, list[TaxLot]]:
        positions = self._lots.get(account_id)
        if positions is None:
            raise UnknownReference(f"unknown account {account_id}", field="account_id")
        return positions

    def _context(self, txn: Transaction) -> str:
        what = f", instrument {txn.instrument_id}" if txn.instrument_id else ""
        return f"transaction {txn.id} (account {txn.account_id}{what})"

    def _position(self, account_id: AccountId, instrument_id: InstrumentId) -> Sequence[TaxLot]:
        return self._lots[account_id].get(instrument_id, ())

    def _set_position(
        self, account_id: AccountId, instrument_id: InstrumentId, lots: list[TaxLot]
    ) -> None:
        positions = self._lots[account_id]
        if lots:
            self._undo.set_key(positions, instrument_id, lots)
        elif instrument_id in positions:
            self._undo.del_key(positions, instrument_id)

    def _next_lot_id(self, txn_id: TransactionId, *, first_taken: bool = False) -> LotId:
        """The next lot id of a transaction: its id, then ``/2``, ``/3``…

        Buys and reinvestments use the bare id without counting it: pass ``first_taken``.
        """
        n = self._lot_seq.get(txn_id, 1 if first_taken else 0) + 1
        self._undo.set_key(self._lot_seq, txn_id, n)
        return LotId(txn_id if n == 1 else f"{txn_id}/{n}")

    def _move_cash(
        self, txn: Transaction, account: Account, currency: str, delta: Decimal, *,
        opens: bool = False,
    ) -> None:
        balances = self._cash[account.id]
        old = balances.get(currency)
        if old is None:
            if not opens:
                raise LedgerError(
                    f"{self._context(txn)}: the account has never held {currency}; "
                    f"fund it in {currency} first", field="currency",
                )
            old = ZERO
        new = old + delta
        if new < 0 and delta < 0 and not account.allow_margin:
            raise LedgerError(
                f"{self._context(txn)}: would leave {currency} cash at {new} "
                f"(has {old}, needs {-delta}); the account does not allow margin",
                field=_DEBIT_FIELD.get(txn.kind, "amount"),
            )
        self._undo.set_key(balances, currency, new)

    def _realize(
        self, txn: Transaction, account: Account, inst: Instrument, part: TaxLot, proceeds: Decimal
    ) -> int:
        """Record one lot part's realized gain; returns its index in the realized list."""
        return self._record_gain(RealizedGain(
            account_id=account.id, instrument_id=inst.id, lot_id=part.id, transaction_id=txn.id,
            quantity=part.quantity, acquired=part.acquired, sold=txn.trade_date,
            proceeds=proceeds, cost_basis=part.cost_basis,
            term=holding_term(part.holding_start, txn.trade_date), currency=inst.currency,
        ))

    def _record_gain(self, gain: RealizedGain) -> int:
        """Append a realized gain; returns its index in the realized list."""
        self._undo.append(self._realized_by_account[gain.account_id], len(self._realized))
        self._undo.append(self._realized, gain)
        return len(self._realized) - 1

    @staticmethod
    def _method(txn: Transaction, account: Account) -> LotMethod:
        """The trade's method, else specific when it names lots, else the account's."""
        if txn.lot_method is not None:
            return txn.lot_method
        return LotMethod.SPECIFIC if txn.lots else account.lot_method

    def _relieve(
        self, txn: Transaction, account: Account, inst: Instrument, lots: Sequence[TaxLot],
        quantity: Decimal, method: LotMethod, unit_price: Decimal | None,
    ) -> list[TaxLot]:
        """Take ``quantity`` units out of the position ``lots`` by ``method``; returns the parts."""
        if method is LotMethod.AVERAGE:
            lots = average_lots(sorted(lots, key=lambda lot: (lot.acquired, lot.id)))
        try:
            picks = select_lots(
                lots, quantity, method, sale_date=txn.trade_date, price=unit_price,
                specific=txn.lots,
            )
        except LedgerError as exc:
            raise LedgerError(f"{self._context(txn)}: {exc}", field=exc.field) from None
        remaining = {lot.id: lot for lot in lots}
        taken: list[TaxLot] = []
        for lot, qty in picks:
            part, rest = remaining[lot.id].take(qty)
            taken.append(part)
            if rest is None:
                del remaining[lot.id]
            else:
                remaining[lot.id] = rest
        self._set_position(account.id, inst.id, list(remaining.values()))
        return taken

    # ---- handlers (buy and sell are in trades.py) ----------------------------------------

    def _cash_only(self, txn: Transaction, account: Account) -> None:
        sign = 1 if txn.kind in (K.DEPOSIT, K.INTEREST) else -1
        self._move_cash(
            txn, account, txn.currency, sign * txn.amount, opens=txn.kind is K.DEPOSIT)

    def _fx(self, txn: Transaction, account: Account) -> None:
        assert txn.to_currency is not None
        self._move_cash(txn, account, txn.currency, -txn.amount)
        self._move_cash(txn, account, txn.to_currency, txn.to_amount, opens=True)

    def _dividend(self, txn: Transaction, account: Account, inst: Instrument) -> None:
        self._move_cash(txn, account, txn.currency, txn.amount, opens=txn.currency == inst.currency)
        if not txn.reinvest:
            return
        assert txn.price is not None
        if txn.currency != inst.currency:
            raise LedgerError(
                f"{self._context(txn)}: cannot reinvest a {txn.currency} dividend in an "
                f"instrument priced in {inst.currency}", field="currency",
            )
        quantity = (txn.amount / txn.price).quantize(_REINVEST_STEP, rounding=ROUND_DOWN)
        self._move_cash(txn, account, txn.currency, -txn.amount)
        trades.open_lot(self, txn, account, inst, quantity, txn.amount)
