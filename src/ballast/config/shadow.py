"""A shadow (paper) book's configuration: where its book is kept and what it does differently
from the live book it shadows (docs/shadow.md). Each entry of the cycle configuration's
``shadows:`` is one."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ballast.config.rebalance import RebalancePolicy


class ShadowConfig(BaseModel):
    """``name``: how commands and the audit journal call the shadow; ``store``: the database
    URL of its own book (created by ``ballast shadow start``, or by the first cycle that runs
    it); ``rebalance``: its rebalancing policy (default: the live one); ``rules``: its rule-set
    files (default: the live cycle's rules, or the live book's stored rule sets);
    ``broker_state``: the file its simulated broker keeps its books in (default: replayed
    from its store)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,47}$")
    store: str = Field(min_length=1)
    description: str = ""
    rebalance: RebalancePolicy | None = None
    rules: tuple[Path, ...] | None = None
    broker_state: Path | None = None


__all__ = ["ShadowConfig"]
