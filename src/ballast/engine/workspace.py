"""Opening the book: the store at a URL, migrated to the current schema."""

from __future__ import annotations

from ballast.config import Settings
from ballast.store import Store


def open_store(url: str | None = None) -> Store:
    """The store at ``url`` (else ``BALLAST_DATABASE_URL``, else ./ballast.db), migrated."""
    settings = Settings.from_env(database_url=url or "")
    store = Store(settings.database_url)
    store.migrate()
    return store
