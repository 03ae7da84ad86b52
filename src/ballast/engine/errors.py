"""Errors raised by engine use cases."""

from __future__ import annotations

from collections.abc import Sequence

from ballast.data import RowError
from ballast.domain import BallastError, DataError


class StoreUnavailable(BallastError):
    """The book's database cannot be opened or does not exist."""


class ImportRejected(DataError):
    """A file had bad rows and was not imported (nothing was written)."""

    hint = ("Fix the rows listed and import again, or use --quarantine to import the good rows "
            "and keep the bad ones aside.")
    file_hint = "The file itself is unreadable as this kind: fix its header or encoding."

    def __init__(self, file: str, errors: Sequence[RowError]) -> None:
        self.file = file
        self.errors = list(errors)
        first = self.errors[0] if self.errors else None
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        file_level = any(e.row == 0 for e in self.errors)
        super().__init__(f"{file}: nothing imported: {first}{more}",
                         hint=self.file_hint if file_level else self.hint)
