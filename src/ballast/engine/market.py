"""Market data for the engine: the store's prices and FX rates as point-in-time tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from ballast.data import FxTable, PriceTable
from ballast.store import UnitOfWork


def load_price_table(tx: UnitOfWork) -> PriceTable:
    """Every stored price bar, as a point-in-time table."""
    return PriceTable(tx.price_bars())


@dataclass(frozen=True, slots=True)
class MarketData:
    """Prices and FX as of any date (never after it), for valuation."""

    prices: PriceTable
    fx: FxTable
    last_date: date | None

    def closes(self, instrument_ids: tuple[str, ...] | list[str], as_of: date
               ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.datetime64]]:
        return self.prices.closes(list(instrument_ids), as_of)

    def fx_rate(self, base: str, quote: str, as_of: date) -> Decimal:
        return self.fx.rate(base, quote, as_of)


def load_market(tx: UnitOfWork) -> MarketData:
    """Load the store's prices and FX rates."""
    prices = load_price_table(tx)
    return MarketData(prices, FxTable(tx.fx_rates()), tx.last_price_date())
