"""Small reads for the service's per-request pages, each one indexed query."""

from __future__ import annotations

from sqlalchemy import select

from ballast.store.repository import Repository
from ballast.store.schema import accounts, households


class ViewRepository(Repository):
    """Reads that let a page load one account without loading them all."""

    def household_of(self, account_id: str) -> str | None:
        """The household id of account ``account_id``, or None when there is no such
        account."""
        return self._conn.scalar(select(accounts.c.household_id)
                                 .where(accounts.c.id == account_id))

    def household_name(self, household_id: str) -> str | None:
        """The name of household ``household_id``, or None."""
        return self._conn.scalar(select(households.c.name)
                                 .where(households.c.id == household_id))
