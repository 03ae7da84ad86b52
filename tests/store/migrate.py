"""Run Alembic by hand on a test store: upgrade to or downgrade from a given revision."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from ballast.store import Store
from ballast.store.db import MIGRATIONS


def alembic(store: Store, action: str, revision: str) -> None:
    """``command.<action>`` (``upgrade`` or ``downgrade``) to ``revision`` on ``store``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        getattr(command, action)(config, revision)


def head() -> str:
    """The newest revision among the migration scripts (there is exactly one head)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    (only,) = ScriptDirectory.from_config(config).get_heads()
    return str(only)
