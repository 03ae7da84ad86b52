"""The book of record: transactions (the events) and the materialized state they produce
(open tax lots, cash balances, realized gains)."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import delete, func, select

from ballast.domain import (
    AccountId,
    InstrumentId,
    LotId,
    LotMethod,
    LotSpec,
    RealizedGain,
    TaxLot,
    Term,
    Transaction,
    TransactionId,
    TransactionKind,
)
from ballast.domain.errors import DataError
from ballast.store.repository import IN_CHUNK, WRITE_CHUNK, Repository, chunks
from ballast.store.schema import cash_balances, realized_gains, tax_lots, transactions

FloatArray = npt.NDArray[np.float64]

# A plain transaction (most of them: trades, cash movements, dividends) binds only these
# columns; the rest take their defaults. Binding fewer columns makes bulk inserts much faster.
_PLAIN_TXN_COLUMNS = (
    "seq", "id", "account_id", "kind", "trade_date", "instrument_id", "quantity", "price",
    "amount", "currency", "fees", "import_id",
)
_TXN_COLUMNS = (
    *_PLAIN_TXN_COLUMNS, "ratio", "new_instrument_id", "lots", "lot_method", "reinvest",
    "to_currency", "to_amount", "counter_account", "settle_date", "memo",
)
_LOT_COLUMNS = (
    "account_id", "lot_id", "instrument_id", "quantity", "cost_basis", "acquired",
    "holding_start", "wash_sale_adjustment", "opened_by",
)
_GAIN_COLUMNS = (
    "account_id", "instrument_id", "lot_id", "transaction_id", "quantity", "acquired", "sold",
    "proceeds", "cost_basis", "term", "currency", "wash_sale_disallowed",
)


def _lots_json(specs: tuple[LotSpec, ...]) -> str | None:
    """A transaction's named lots as JSON (decimals and dates as strings); None when empty."""
    if not specs:
        return None
    out = []
    for s in specs:
        d: dict[str, str] = {"quantity": str(s.quantity)}
        if s.lot_id is not None:
            d["lot_id"] = s.lot_id
        if s.cost_basis is not None:
            d["cost_basis"] = str(s.cost_basis)
        if s.acquired is not None:
            d["acquired"] = s.acquired.isoformat()
        if s.holding_start is not None:
            d["holding_start"] = s.holding_start.isoformat()
        if s.wash_sale_adjustment:
            d["wash_sale_adjustment"] = str(s.wash_sale_adjustment)
        out.append(d)
    return json.dumps(out, separators=(",", ":"))


def _lot_specs(text: str | None) -> tuple[LotSpec, ...]:
    if not text:
        return ()
    specs = []
    for d in json.loads(text):
        cost, acq, start = d.get("cost_basis"), d.get("acquired"), d.get("holding_start")
        specs.append(LotSpec(
            quantity=Decimal(d["quantity"]),
            lot_id=LotId(d["lot_id"]) if "lot_id" in d else None,
            cost_basis=Decimal(cost) if cost is not None else None,
            acquired=date.fromisoformat(acq) if acq else None,
            holding_start=date.fromisoformat(start) if start else None,
            wash_sale_adjustment=Decimal(d.get("wash_sale_adjustment", "0")),
        ))
    return tuple(specs)


def _is_plain(t: Transaction) -> bool:
    """True when every field outside _PLAIN_TXN_COLUMNS has its default value."""
    return (t.ratio is None and t.new_instrument_id is None and not t.lots
            and t.lot_method is None and not t.reinvest and t.to_currency is None
            and not t.to_amount and t.counter_account is None and t.settle_date is None
            and not t.memo)


class BookRepository(Repository):
    """Transactions and the materialized book state of accounts."""

    def _next_seq(self) -> int:
        """The first free ``seq``; on PostgreSQL also locks out concurrent transaction writers
        until commit (SQLite's BEGIN IMMEDIATE already does)."""
        if not self._codec.sqlite:
            self._conn.exec_driver_sql("LOCK TABLE transactions IN EXCLUSIVE MODE")
        return int(self._conn.scalar(select(func.max(transactions.c.seq))) or 0) + 1

    def add_transactions(self, txns: Iterable[Transaction], import_id: int | None = None) -> int:
        """Insert transactions; their ``seq`` follows the given order. A transaction id that
        already exists raises DataError. Returns the number written."""
        c = self._codec
        dec, opt_dec, day, opt_day = c.dec, c.opt_dec, c.day, c.opt_day
        seq = self._next_seq()
        written = 0
        for chunk in chunks(txns, WRITE_CHUNK):  # str(enum) is a StrEnum's value, and fast
            plain: list[tuple[Any, ...]] = []
            full: list[tuple[Any, ...]] = []
            for t in chunk:
                row = (seq, t.id, t.account_id, str(t.kind), day(t.trade_date),
                       t.instrument_id, dec(t.quantity), opt_dec(t.price), dec(t.amount),
                       t.currency, dec(t.fees), import_id)
                seq += 1
                if _is_plain(t):
                    plain.append(row)
                else:
                    full.append((
                        *row, opt_dec(t.ratio), t.new_instrument_id, _lots_json(t.lots),
                        str(t.lot_method) if t.lot_method else None, t.reinvest,
                        t.to_currency, dec(t.to_amount), t.counter_account,
                        opt_day(t.settle_date), t.memo,
                    ))
            for columns, rows in ((_PLAIN_TXN_COLUMNS, plain), (_TXN_COLUMNS, full)):
                if rows:
                    self._insert("transactions", columns, rows)
            written += len(chunk)
        return written

    def remove_transactions(self, ids: Collection[str]) -> int:
        """Delete the transactions of ``ids`` (within the unit of work, e.g. those the ledger
        refused after a bulk write); returns how many were deleted."""
        deleted = 0
        for chunk in chunks(ids, IN_CHUNK):
            deleted += self._conn.execute(
                delete(transactions).where(transactions.c.id.in_(chunk))).rowcount
        return deleted

    def transactions(self, account_ids: Iterable[str] | None = None,
                     until: date | None = None, *, since: date | None = None
                     ) -> list[Transaction]:
        """Transactions ordered by (trade_date, seq): all, or of the given accounts, or dated
        from ``since`` up to and including ``until``."""
        t = transactions
        query = self._raw_select(t, ("seq", *_TXN_COLUMNS[1:])).order_by(t.c.trade_date, t.c.seq)
        if until is not None:
            query = query.where(t.c.trade_date <= until)
        if since is not None:
            query = query.where(t.c.trade_date >= since)
        rows = self._by_keys(query, t.c.account_id, account_ids)
        if account_ids is not None:  # chunks are each sorted; the whole must be too
            rows.sort(key=lambda r: (r[4], r[0]))
        return [self._transaction(r) for r in rows]

    def transactions_by_id(self, ids: Iterable[str]) -> dict[TransactionId, Transaction]:
        """The stored transactions among ``ids``, by id."""
        t = transactions
        query = self._raw_select(t, ("seq", *_TXN_COLUMNS[1:]))
        return {TransactionId(r[1]): self._transaction(r)
                for r in self._by_keys(query, t.c.id, ids)}

    def counterparties(self, account_ids: Collection[str]) -> set[AccountId]:
        """Accounts that exchanged transfers with any of ``account_ids`` (either direction)."""
        t = transactions
        found: set[AccountId] = set()
        for chunk in chunks(account_ids, IN_CHUNK):
            out = select(t.c.counter_account).where(
                t.c.account_id.in_(chunk), t.c.counter_account.is_not(None)).distinct()
            back = select(t.c.account_id).where(t.c.counter_account.in_(chunk)).distinct()
            for query in (out, back):
                found.update(AccountId(r[0]) for r in self._conn.execute(query))
        return found

    def _transaction(self, r: Any) -> Transaction:
        c = self._codec
        dec, opt_dec, opt_day = c.read_dec, c.read_opt_dec, c.read_opt_day
        return Transaction(
            id=TransactionId(r[1]), account_id=AccountId(r[2]), kind=TransactionKind(r[3]),
            trade_date=c.read_day(r[4]), instrument_id=InstrumentId(r[5]) if r[5] else None,
            quantity=dec(r[6]), price=opt_dec(r[7]), amount=dec(r[8]), currency=r[9],
            fees=dec(r[10]), ratio=opt_dec(r[12]),
            new_instrument_id=InstrumentId(r[13]) if r[13] else None,
            lots=_lot_specs(r[14]), lot_method=LotMethod(r[15]) if r[15] else None,
            reinvest=bool(r[16]), to_currency=r[17], to_amount=dec(r[18]),
            counter_account=AccountId(r[19]) if r[19] else None,
            settle_date=opt_day(r[20]), memo=r[21],
        )

    def transaction_ids(self, ids: Iterable[str] | None = None) -> set[TransactionId]:
        """The stored transaction ids: all, or those of ``ids`` that are stored."""
        if ids is None:
            return {i for (i,) in self._driver_rows("SELECT id FROM transactions", ())}
        found: set[TransactionId] = set()
        for chunk in chunks(set(ids), IN_CHUNK):  # driver SQL: far faster than expanding IN
            if self._codec.sqlite:
                sql = f"SELECT id FROM transactions WHERE id IN ({self._codec.marks(len(chunk))})"
                found.update(i for (i,) in self._driver_rows(sql, chunk))
            else:  # one array parameter
                sql = "SELECT id FROM transactions WHERE id = ANY(%s)"
                found.update(i for (i,) in self._driver_rows(sql, (chunk,)))
        return found

    def transaction_count(self) -> int:
        """How many transactions are stored."""
        return int(self._conn.scalar(select(func.count()).select_from(transactions)) or 0)

    def lot_count(self) -> int:
        """How many open lots the book holds."""
        return int(self._conn.scalar(select(func.count()).select_from(tax_lots)) or 0)

    def last_transaction_date(self) -> date | None:
        """The latest trade date stored, or None when there are no transactions."""
        last: date | None = self._conn.scalar(select(func.max(transactions.c.trade_date)))
        return last

    def replace_book_state(self, account_ids: Collection[str], lots: Iterable[TaxLot],
                           cash: Mapping[tuple[str, str], Decimal],
                           gains: Iterable[RealizedGain]) -> None:
        """Replace the open lots, cash balances and realized gains of ``account_ids`` with the
        given ones (which must all belong to those accounts)."""
        scope = set(account_ids)
        for table in (tax_lots, cash_balances, realized_gains):
            for chunk in chunks(scope, IN_CHUNK):
                self._conn.execute(delete(table).where(table.c.account_id.in_(chunk)))

        def inside(account_id: str, what: str) -> str:
            if account_id not in scope:
                raise DataError(f"{what} of account {account_id}, which is not being replaced")
            return account_id

        c = self._codec
        dec, day = c.dec, c.day
        self._write(tax_lots, _LOT_COLUMNS, (
            (inside(x.account_id, f"lot {x.id}"), x.id, x.instrument_id, dec(x.quantity),
             dec(x.cost_basis), day(x.acquired), day(x.holding_start),
             dec(x.wash_sale_adjustment), x.opened_by)
            for x in lots
        ))
        self._write(cash_balances, ("account_id", "currency", "amount"), (
            (inside(a, "cash"), ccy, dec(amount)) for (a, ccy), amount in cash.items()
        ))
        self._write(realized_gains, _GAIN_COLUMNS, (
            (inside(g.account_id, "a realized gain"), g.instrument_id, g.lot_id,
             g.transaction_id, dec(g.quantity), day(g.acquired), day(g.sold), dec(g.proceeds),
             dec(g.cost_basis), g.term.value, g.currency, dec(g.wash_sale_disallowed))
            for g in gains
        ))

    def lots(self, account_ids: Iterable[str] | None = None) -> list[TaxLot]:
        """Open tax lots ordered by (account, acquired, lot id)."""
        t = tax_lots
        query = self._raw_select(t, _LOT_COLUMNS).order_by(t.c.account_id, t.c.acquired,
                                                            t.c.lot_id)
        dec, day = self._codec.read_dec, self._codec.read_day
        return [
            TaxLot(
                id=LotId(r[1]), account_id=AccountId(r[0]), instrument_id=InstrumentId(r[2]),
                quantity=dec(r[3]), cost_basis=dec(r[4]), acquired=day(r[5]),
                holding_start=day(r[6]), wash_sale_adjustment=dec(r[7]),
                opened_by=TransactionId(r[8]) if r[8] else None,
            )
            for r in self._by_keys(query, t.c.account_id, account_ids)
        ]

    def position_totals(self, account_ids: Iterable[str] | None = None
                        ) -> list[tuple[AccountId, InstrumentId, Decimal, Decimal]]:
        """(account, instrument, quantity, cost basis) summed exactly over the open lots, without
        building a TaxLot per lot; ordered by (account, instrument)."""
        t = tax_lots
        query = self._raw_select(t, ("account_id", "instrument_id", "quantity", "cost_basis"))
        dec = self._codec.read_dec
        totals: dict[tuple[str, str], list[Decimal]] = {}
        for acct, inst, qty, basis in self._by_keys(query, t.c.account_id, account_ids):
            acc = totals.get((acct, inst))
            if acc is None:
                totals[(acct, inst)] = [dec(qty), dec(basis)]
            else:
                acc[0] += dec(qty)
                acc[1] += dec(basis)
        return [(AccountId(a), InstrumentId(i), q, b)
                for (a, i), (q, b) in sorted(totals.items())]

    def position_sums(self, account_ids: Iterable[str] | None = None
                      ) -> tuple[list[str], list[str], FloatArray, FloatArray]:
        """(accounts, instruments, quantities, cost bases) per position as float64, summed by
        the database: the fast read for valuing many accounts (exact sums: position_totals)."""
        real = "REAL" if self._codec.sqlite else "DOUBLE PRECISION"
        sql = (f"SELECT account_id, instrument_id, SUM(CAST(quantity AS {real})), "
               f"SUM(CAST(cost_basis AS {real})) FROM tax_lots")
        group = " GROUP BY account_id, instrument_id"
        rows: list[Any] = []
        if account_ids is None:
            rows = self._driver_rows(sql + group, ())
        else:
            for chunk in chunks(account_ids, IN_CHUNK):
                where = f" WHERE account_id IN ({self._codec.marks(len(chunk))})"
                rows.extend(self._driver_rows(sql + where + group, chunk))
        if not rows:
            return [], [], np.empty(0), np.empty(0)
        accts, insts, qty, basis = zip(*rows, strict=True)
        return (list(accts), list(insts), np.asarray(qty, dtype=np.float64),
                np.asarray(basis, dtype=np.float64))

    def lot_ids(self, account_ids: Iterable[str] | None = None) -> set[LotId]:
        """The ids of the open lots (of every account, or of the given ones)."""
        t = tax_lots
        return {LotId(r[0]) for r in self._by_keys(select(t.c.lot_id), t.c.account_id,
                                                   account_ids)}

    def cash(self, account_ids: Iterable[str] | None = None
             ) -> dict[tuple[AccountId, str], Decimal]:
        """Cash balances by (account, currency)."""
        t = cash_balances
        query = self._raw_select(t, ("account_id", "currency", "amount")).order_by(
            t.c.account_id, t.c.currency)
        dec = self._codec.read_dec
        return {
            (AccountId(r[0]), r[1]): dec(r[2])
            for r in self._by_keys(query, t.c.account_id, account_ids)
        }

    def gains(self, account_ids: Iterable[str] | None = None, year: int | None = None, *,
              since: date | None = None, until: date | None = None) -> list[RealizedGain]:
        """Realized gains in the order they were booked, optionally of one tax year or sold
        between ``since`` and ``until`` (inclusive)."""
        t = realized_gains
        query = self._raw_select(t, ("id", *_GAIN_COLUMNS)).order_by(t.c.id)
        if year is not None:
            query = query.where(t.c.sold.between(date(year, 1, 1), date(year, 12, 31)))
        if since is not None:
            query = query.where(t.c.sold >= since)
        if until is not None:
            query = query.where(t.c.sold <= until)
        rows = self._by_keys(query, t.c.account_id, account_ids)
        if account_ids is not None:
            rows.sort(key=lambda r: r[0])
        dec, day = self._codec.read_dec, self._codec.read_day
        return [
            RealizedGain(
                account_id=AccountId(r[1]), instrument_id=InstrumentId(r[2]),
                lot_id=LotId(r[3]), transaction_id=TransactionId(r[4]), quantity=dec(r[5]),
                acquired=day(r[6]), sold=day(r[7]), proceeds=dec(r[8]), cost_basis=dec(r[9]),
                term=Term(r[10]), currency=r[11], wash_sale_disallowed=dec(r[12]),
            )
            for r in rows
        ]
