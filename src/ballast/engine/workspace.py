"""Opening the book: the store at a URL, migrated to the current schema."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from ballast.config import Settings
from ballast.engine.errors import StoreUnavailable
from ballast.store import Store
from ballast.store.db import URL_ENV as URL_ENV  # the variable `ballast serve` hands its workers


def open_store(url: str | None = None, *, create: bool = True) -> Store:
    """The store at ``url`` (else ``BALLAST_DATABASE_URL``, else ./ballast.db), migrated.

    With ``create=False`` (commands that only read) a SQLite file that does not exist is an
    error instead of a new, empty book in whatever folder the command ran from."""
    settings = Settings.from_env(database_url=url or "")
    parsed = make_url(settings.database_url)
    if parsed.get_backend_name() == "sqlite" and not create:
        path = parsed.database or ""
        if path not in ("", ":memory:") and not Path(path).exists():
            raise StoreUnavailable(
                f"no book at {Path(path).resolve()}",
                hint="Run `ballast init` (or `ballast demo`), or point --db / "
                "BALLAST_DATABASE_URL at your book.")
    store = Store(settings.database_url)
    try:
        store.migrate()
    except OperationalError as exc:
        store.close()
        reason = str(exc.orig or exc).strip().splitlines()[0]
        raise StoreUnavailable(
            f"cannot open the book at {parsed.render_as_string(hide_password=True)}: {reason}",
            hint="Check the database URL (--db or BALLAST_DATABASE_URL) and that the server "
            "is running and reachable.") from None
    return store
