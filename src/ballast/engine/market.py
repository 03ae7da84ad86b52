"""Market data for the engine: the store's prices and FX rates as point-in-time tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from ballast.data import FxTable, PriceTable, trading_calendar
from ballast.domain import DataError, Instrument, InstrumentId
from ballast.store import UnitOfWork


def load_price_table(tx: UnitOfWork) -> PriceTable:
    """Every stored price bar, as a point-in-time table."""
    return PriceTable(tx.price_bars())


@dataclass(frozen=True, slots=True)
class MarketData:
    """Prices and FX for valuation as of ``as_of`` (nothing after it is loaded)."""

    prices: PriceTable
    fx: FxTable
    as_of: date

    def closes(self, instrument_ids: Sequence[str], as_of: date
               ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.datetime64]]:
        return self.prices.closes(list(instrument_ids), as_of)

    def fx_rate(self, base: str, quote: str, as_of: date) -> Decimal:
        return self.fx.rate(base, quote, as_of)

    def fx_rate_or_nan(self, base: str, quote: str, as_of: date) -> Decimal:
        """The rate, or NaN when there is none (for callers that report the gap)."""
        try:
            return self.fx.rate(base, quote, as_of)
        except DataError:
            return Decimal("NaN")


def load_market(tx: UnitOfWork, as_of: date) -> MarketData:
    """The latest price of each instrument and the FX rates on or before ``as_of``."""
    prices = PriceTable(tx.closes_as_of(as_of))
    return MarketData(prices, FxTable(tx.fx_rates(end=as_of)), as_of)


def stale_instruments(market: MarketData, instruments: Mapping[InstrumentId, Instrument],
                      ids: Sequence[str], max_sessions: int) -> list[str]:
    """Those of ``ids`` whose last close is missing or more than ``max_sessions`` sessions of
    their exchange older than the market's date."""
    by_exchange: dict[str, list[str]] = {}
    for iid in ids:
        by_exchange.setdefault(instruments[InstrumentId(iid)].exchange, []).append(iid)
    out: list[str] = []
    for exchange, group in by_exchange.items():
        flags = market.prices.stale(group, market.as_of, max_sessions, trading_calendar(exchange))
        out.extend(i for i, flag in zip(group, flags.tolist(), strict=True) if flag)
    return sorted(out)
