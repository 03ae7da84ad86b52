"""Runtime settings (where the book lives) and the validation policy of market data."""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_DATABASE_URL = "sqlite:///./ballast.db"


class ValidationPolicy(BaseModel):
    """Thresholds of the market-data checks.

    ``max_daily_move``: largest unexplained close-to-close move, as a fraction (0.25 = 25 %).
    ``max_stale_sessions``: how many exchange sessions an instrument's latest price may lag the
    latest date of the file.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_daily_move: float = Field(0.25, gt=0, description="largest unexplained close-to-close move")
    max_stale_sessions: int = Field(5, ge=0, description="sessions a price may lag before stale")


class Settings(BaseModel):
    """Settings of one ballast installation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    database_url: str = DEFAULT_DATABASE_URL

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: str) -> Settings:
        """Settings from ``BALLAST_*`` environment variables, then explicit overrides."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        if url := env.get("BALLAST_DATABASE_URL"):
            values["database_url"] = url
        values.update({k: v for k, v in overrides.items() if v})
        return cls.model_validate(values)
