"""Market data of record: daily prices and FX rates. Writes are upserts (a vendor's correction
replaces the earlier value for the same key)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select

from ballast.domain import InstrumentId
from ballast.domain.market import FxRate, PriceBar
from ballast.store.repository import Repository
from ballast.store.schema import fx_rates, prices

_PRICE_COLUMNS = ("instrument_id", "date", "close", "dividend", "split_factor", "source")


class MarketRepository(Repository):
    """Prices and FX rates."""

    def add_prices(self, bars: Iterable[PriceBar]) -> int:
        """Insert or replace price bars by (instrument, date); returns the number written."""
        c = self._codec
        dec, day = c.dec, c.day
        rows = (
            (b.instrument_id, day(b.date), dec(b.close), dec(b.dividend), dec(b.split_factor),
             b.source)
            for b in bars
        )
        return self._write(prices, _PRICE_COLUMNS, rows, upsert_key=("instrument_id", "date"))

    def _price_query(self, query: Select[Any], instrument_ids: Iterable[str] | None,
                     start: date | None, end: date | None) -> Select[Any]:
        t = prices
        if instrument_ids is not None:
            query = query.where(t.c.instrument_id.in_(list(instrument_ids)))
        if start is not None:
            query = query.where(t.c.date >= start)
        if end is not None:
            query = query.where(t.c.date <= end)
        return query.order_by(t.c.instrument_id, t.c.date)

    def price_bars(self, instrument_ids: Iterable[str] | None = None,
                   start: date | None = None, end: date | None = None) -> list[PriceBar]:
        """Exact price bars, sorted by (instrument, date); dates inclusive."""
        query = self._price_query(select(prices), instrument_ids, start, end)
        return [
            PriceBar(InstrumentId(r.instrument_id), r.date, r.close, r.dividend, r.split_factor,
                     r.source)
            for r in self._conn.execute(query)
        ]

    def closes_as_of(self, as_of: date, instrument_ids: Iterable[str] | None = None
                     ) -> list[PriceBar]:
        """The latest bar of each instrument on or before ``as_of`` (never after it): one
        indexed lookup per instrument, so valuation does not load the price history."""
        t = prices
        latest = select(t.c.instrument_id, func.max(t.c.date).label("d")).where(
            t.c.date <= as_of)
        if instrument_ids is not None:
            latest = latest.where(t.c.instrument_id.in_(list(instrument_ids)))
        m = latest.group_by(t.c.instrument_id).subquery()
        query = select(prices).join(
            m, (t.c.instrument_id == m.c.instrument_id) & (t.c.date == m.c.d))
        return [
            PriceBar(InstrumentId(r.instrument_id), r.date, r.close, r.dividend, r.split_factor,
                     r.source)
            for r in self._conn.execute(query.order_by(t.c.instrument_id))
        ]

    def price_keys(self) -> set[tuple[InstrumentId, date]]:
        """The (instrument, date) of every stored price."""
        query = self._raw_select(prices, ("instrument_id", "date"))
        day = self._codec.read_day
        return {(InstrumentId(r[0]), day(r[1])) for r in self._conn.execute(query).fetchall()}

    def last_price_date(self) -> date | None:
        """The latest date with a price, or None when there are none."""
        last: date | None = self._conn.scalar(select(func.max(prices.c.date)))
        return last

    def add_fx_rates(self, rates: Iterable[FxRate]) -> int:
        """Insert or replace FX rates by (base, quote, date); returns the number written."""
        c = self._codec
        rows = ((r.base, r.quote, c.day(r.date), c.dec(r.rate)) for r in rates)
        return self._write(fx_rates, ("base", "quote", "date", "rate"), rows,
                           upsert_key=("base", "quote", "date"))

    def fx_rates(self, start: date | None = None, end: date | None = None) -> list[FxRate]:
        """FX rates sorted by (base, quote, date); dates inclusive."""
        t = fx_rates
        query = select(t).order_by(t.c.base, t.c.quote, t.c.date)
        if start is not None:
            query = query.where(t.c.date >= start)
        if end is not None:
            query = query.where(t.c.date <= end)
        return [FxRate(r.base, r.quote, r.date, r.rate) for r in self._conn.execute(query)]

    def fx_keys(self) -> set[tuple[str, str, date]]:
        """The (base, quote, date) of every stored FX rate."""
        query = self._raw_select(fx_rates, ("base", "quote", "date"))
        day = self._codec.read_day
        return {(r[0], r[1], day(r[2])) for r in self._conn.execute(query).fetchall()}
