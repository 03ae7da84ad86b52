"""The book of record: tax lots, cash by currency, realized gains, wash sales, corporate actions."""

from ballast.ledger.book import Book
from ballast.ledger.relief import average_lots, select_lots

__all__ = ["Book", "average_lots", "select_lots"]
