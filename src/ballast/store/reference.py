"""Reference data: instruments, households, accounts and corporate actions.

Writes are upserts by primary key: importing a corrected file updates the rows it names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import select

from ballast.domain import (
    Account,
    AccountId,
    AccountType,
    CorporateAction,
    CorporateActionKind,
    Household,
    HouseholdId,
    Instrument,
    InstrumentId,
    InstrumentKind,
    LotMethod,
    OptionRight,
    Restrictions,
)
from ballast.store.repository import IN_CHUNK, Repository, chunks
from ballast.store.schema import accounts, corporate_actions, households, instruments

_INSTRUMENT_COLUMNS = (
    "id", "kind", "currency", "name", "asset_class", "sector", "country", "exchange", "issuer",
    "lot_size", "fractional", "multiplier", "expiry", "strike", "option_right", "underlying_id",
    "wash_sale_group",
)
_ACCOUNT_COLUMNS = (
    "id", "household_id", "name", "account_type", "base_currency", "custodian", "model",
    "lot_method", "allow_shorts", "allow_margin", "do_not_buy", "do_not_sell", "excluded",
)
_CA_COLUMNS = (
    "id", "instrument_id", "kind", "ex_date", "ratio", "amount", "currency", "new_instrument_id",
    "pay_date",
)


def _ids_json(ids: frozenset[InstrumentId]) -> str:
    return json.dumps(sorted(ids))


def _ids_set(text: str) -> frozenset[InstrumentId]:
    return frozenset(InstrumentId(i) for i in json.loads(text))


class ReferenceRepository(Repository):
    """Instruments, households, accounts and corporate actions."""

    def add_instruments(self, items: Iterable[Instrument]) -> int:
        """Insert or update instruments by id; returns the number written."""
        c = self._codec
        rows = (
            (i.id, i.kind.value, i.currency, i.name, i.asset_class, i.sector, i.country,
             i.exchange, i.issuer, c.dec(i.lot_size), i.fractional, c.dec(i.multiplier),
             c.opt_day(i.expiry), c.opt_dec(i.strike), i.right.value if i.right else None,
             i.underlying, i.wash_sale_group)
            for i in items
        )
        return self._write(instruments, _INSTRUMENT_COLUMNS, rows, upsert_key=("id",))

    def instruments(self) -> dict[InstrumentId, Instrument]:
        """Every instrument by id."""
        out: dict[InstrumentId, Instrument] = {}
        for r in self._conn.execute(select(instruments).order_by(instruments.c.id)):
            out[InstrumentId(r.id)] = Instrument(
                id=InstrumentId(r.id), kind=InstrumentKind(r.kind), currency=r.currency,
                name=r.name, asset_class=r.asset_class, sector=r.sector, country=r.country,
                exchange=r.exchange, issuer=r.issuer, lot_size=r.lot_size,
                fractional=r.fractional, multiplier=r.multiplier, expiry=r.expiry,
                strike=r.strike, right=OptionRight(r.option_right) if r.option_right else None,
                underlying=InstrumentId(r.underlying_id) if r.underlying_id else None,
                wash_sale_group=r.wash_sale_group,
            )
        return out

    def add_households(self, items: Iterable[Household]) -> int:
        """Insert or update households by id; returns the number written."""
        rows = ((h.id, h.name) for h in items)
        return self._write(households, ("id", "name"), rows, upsert_key=("id",))

    def households(self) -> list[Household]:
        """Every household, ordered by id."""
        query = select(households).order_by(households.c.id)
        return [Household(HouseholdId(r.id), r.name) for r in self._conn.execute(query)]

    def add_accounts(self, items: Iterable[Account]) -> int:
        """Insert or update accounts by id (their household must exist); returns the number
        written."""
        rows = (
            (a.id, a.household_id, a.name, a.type.value, a.base_currency, a.custodian, a.model,
             a.lot_method.value, a.allow_shorts, a.allow_margin,
             _ids_json(a.restrictions.do_not_buy), _ids_json(a.restrictions.do_not_sell),
             _ids_json(a.restrictions.excluded))
            for a in items
        )
        return self._write(accounts, _ACCOUNT_COLUMNS, rows, upsert_key=("id",))

    def accounts(self, household_ids: Iterable[str] | None = None) -> dict[AccountId, Account]:
        """Accounts by id, all of them or those of the given households."""
        query = select(accounts).order_by(accounts.c.id)
        if household_ids is None:
            batches = [self._conn.execute(query)]
        else:
            batches = [
                self._conn.execute(query.where(accounts.c.household_id.in_(chunk)))
                for chunk in chunks(household_ids, IN_CHUNK)
            ]
        out: dict[AccountId, Account] = {}
        for batch in batches:
            for r in batch:
                out[AccountId(r.id)] = Account(
                    id=AccountId(r.id), household_id=HouseholdId(r.household_id), name=r.name,
                    type=AccountType(r.account_type), base_currency=r.base_currency,
                    custodian=r.custodian, model=r.model, lot_method=LotMethod(r.lot_method),
                    allow_shorts=r.allow_shorts, allow_margin=r.allow_margin,
                    restrictions=Restrictions(
                        _ids_set(r.do_not_buy), _ids_set(r.do_not_sell), _ids_set(r.excluded)
                    ),
                )
        return out

    def add_corporate_actions(self, items: Iterable[CorporateAction]) -> int:
        """Insert or update corporate actions by id; returns the number written."""
        c = self._codec
        rows = (
            (a.id, a.instrument_id, a.kind.value, c.day(a.ex_date), c.opt_dec(a.ratio),
             c.opt_dec(a.amount), a.currency, a.new_instrument_id, c.opt_day(a.pay_date))
            for a in items
        )
        return self._write(corporate_actions, _CA_COLUMNS, rows, upsert_key=("id",))

    def corporate_actions(self, instrument_ids: Iterable[str] | None = None
                          ) -> list[CorporateAction]:
        """Corporate actions ordered by (ex_date, id), all or those of the given instruments."""
        t = corporate_actions
        query = select(t).order_by(t.c.ex_date, t.c.id)
        if instrument_ids is not None:
            query = query.where(t.c.instrument_id.in_(list(instrument_ids)))
        return [
            CorporateAction(
                id=r.id, instrument_id=InstrumentId(r.instrument_id),
                kind=CorporateActionKind(r.kind), ex_date=r.ex_date, ratio=r.ratio,
                amount=r.amount, currency=r.currency,
                new_instrument_id=InstrumentId(r.new_instrument_id)
                if r.new_instrument_id else None,
                pay_date=r.pay_date,
            )
            for r in self._conn.execute(query)
        ]
