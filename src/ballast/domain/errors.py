"""Exceptions named by what the operator must do. Business rejections are values, not these."""

from __future__ import annotations


class BallastError(Exception):
    """Base of every error ballast raises on purpose; carries a hint for the operator.

    ``field`` names the input column the problem is about, as in the CSV formats
    (``quantity``, ``currency``, ``account_id``…), or is empty when no single column is at fault.
    """

    hint: str = ""

    def __init__(self, message: str, *, hint: str = "", field: str = "") -> None:
        super().__init__(message)
        if hint:
            self.hint = hint
        self.field = field


class DataError(BallastError):
    """Input data is malformed, inconsistent or missing: fix the file or the feed."""

    hint = "Fix the input named in the message and run the command again."


class ConfigError(BallastError):
    """A setting or policy is invalid: fix the configuration."""

    hint = "Check the configuration value named in the message."


class LedgerError(BallastError):
    """A transaction would break a book-of-record invariant (negative holding, unknown cash, …)."""

    hint = "The transaction was not booked; correct it or the holdings it depends on."


class UnknownReference(DataError):
    """An account, instrument, lot or currency referred to does not exist."""


class KillSwitchEngaged(BallastError):
    """A kill switch stops this order: no order leaves until it is disengaged."""

    hint = ("Resolve the cause named in the message, then `ballast kill disengage` with your "
            "user and a reason; `ballast kill status` lists the engaged switches.")
