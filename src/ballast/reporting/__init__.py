"""Investor statements, the firm report, charts, HTML and PDF rendering, and the notification
channels (SMTP, webhooks). Pure rendering over typed data the engine assembles; imports only
``ballast.domain`` and ``ballast.analytics``."""

from ballast.reporting.html import render_statement_html
from ballast.reporting.narrative import JournalEvent, narrate
from ballast.reporting.pdf import render_statement_pdf
from ballast.reporting.statement import (
    AccountLine,
    ActivityItem,
    AllocationRow,
    Contributor,
    GainRow,
    GainsSummary,
    HoldingRow,
    Performance,
    Period,
    Statement,
    TransactionRow,
)

__all__ = [
    "AccountLine", "ActivityItem", "AllocationRow", "Contributor", "GainRow", "GainsSummary",
    "HoldingRow", "JournalEvent", "Performance", "Period", "Statement", "TransactionRow", "narrate",
    "render_statement_html", "render_statement_pdf",
]
