"""Run Alembic by hand on a test store: upgrade to or downgrade from a given revision."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from ballast.store import Store
from ballast.store.db import MIGRATIONS


def alembic(store: Store, action: str, revision: str) -> None:
    """``command.<action>`` (``upgrade`` or ``downgrade``) to ``revision`` on ``store``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        getattr(command, action)(config, revision)
