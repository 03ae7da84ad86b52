"""Dates given on the command line."""

from __future__ import annotations

from datetime import date

from ballast.domain import DataError


def parse_day(text: str | None, option: str = "--as-of") -> date | None:
    """``text`` as a YYYY-MM-DD date (None stays None); a clear error naming ``option``."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DataError(f"{option} {text!r} is not a date", field=option,
                        hint="Use YYYY-MM-DD.") from None
