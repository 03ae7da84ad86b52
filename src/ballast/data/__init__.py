"""Imports (CSV formats of docs/formats.md), validation and point-in-time market data.

Parsers take a file and an :class:`ImportContext` (what the book already holds) and return a
:class:`ParseResult`; they never touch the store. Market data is served as of a date, never after.
"""

from ballast.data.calendar import TradingCalendar, calendar_for, trading_calendar
from ballast.data.importing import ImportContext, ParseResult, RowError
from ballast.data.market import FxTable, PriceTable
from ballast.data.market_files import (
    corporate_actions_from_prices,
    parse_corporate_actions,
    parse_fx,
    parse_prices,
)
from ballast.data.reference import parse_accounts, parse_households, parse_instruments
from ballast.data.transactions import parse_lots, parse_transactions
from ballast.data.validate import validate_prices

__all__ = [
    "FxTable", "ImportContext", "ParseResult", "PriceTable", "RowError", "TradingCalendar",
    "calendar_for", "corporate_actions_from_prices", "parse_accounts", "parse_corporate_actions",
    "parse_fx", "parse_households", "parse_instruments", "parse_lots", "parse_prices",
    "parse_transactions", "trading_calendar", "validate_prices",
]
