"""The daily cycle's configuration: the environment (chosen here and nowhere else), where new
files arrive, the policies each stage applies, and when the scheduler runs."""

from __future__ import annotations

import hashlib
from datetime import time
from enum import StrEnum
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ballast.config.compliance import KillSwitchPolicy
from ballast.config.rebalance import RebalancePolicy
from ballast.config.shadow import ShadowConfig
from ballast.domain import ConfigError


class Environment(StrEnum):
    """Where orders go: ``backtest`` and ``paper`` to the simulated broker on simulated or
    real time, ``live`` to the configured broker. ``shadow`` is not configured: it is the
    environment of a shadow book's cycles (docs/shadow.md), always on a simulated broker."""

    BACKTEST = "backtest"
    PAPER = "paper"
    LIVE = "live"
    SHADOW = "shadow"


class Schedule(BaseModel):
    """When ``ballast run`` starts a cycle: at each time (exchange local) on trading days."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    times: tuple[time, ...] = Field((time(16, 30),), min_length=1)
    calendar: str = "XNYS"
    timezone: str = "America/New_York"


class CycleConfig(BaseModel):
    """Everything one daily cycle needs besides the store. Paths are relative to the working
    directory. ``inbox``: a folder whose files are imported at the start of every cycle, by name
    prefix (``prices*.csv``, ``fx*.csv``, ``transactions*.csv``, ``corporate_actions*.csv``);
    ``broker_state``: the simulated broker's books, kept in this file across restarts (paper
    trading; without it the broker is replayed from the store); ``fix``: the FIX session
    settings file of ``broker: fix`` (docs/fix.md);
    ``rules``: rule-set files (default: the stored rule sets); ``max_orders_per_second``: the
    broker's rate limit, kept by execution; ``alerts_webhook``: the URL alerts are posted to,
    signed with ``BALLAST_WEBHOOK_SECRET`` (docs/reporting.md); ``reports``: where statements
    are written on the last session of a month or quarter; ``shadows``: shadow books run
    beside this one after each of its cycles (docs/shadow.md); ``workers``: the processes a
    large book's tax pass is split over (default: the machine's cores)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    environment: Environment = Environment.PAPER
    broker: Literal["simulated", "fix"] = "simulated"
    broker_state: Path | None = None
    fix: Path | None = None
    inbox: Path | None = None
    rules: tuple[Path, ...] = ()
    rebalance: RebalancePolicy = RebalancePolicy()
    kill_switch: KillSwitchPolicy = KillSwitchPolicy()
    max_stale_sessions: int = Field(5, ge=0)
    execute: bool = True
    max_orders_per_second: float | None = Field(None, gt=0)
    reports: Path | None = None
    alerts_webhook: str | None = None
    schedule: Schedule = Schedule()
    shadows: tuple[ShadowConfig, ...] = ()
    workers: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _check(self) -> CycleConfig:
        if self.environment is Environment.SHADOW:
            raise ValueError("environment shadow is not configured: declare a shadow book "
                             "under `shadows:` (docs/shadow.md)")
        for what in ("name", "store"):
            values = [getattr(s, what) for s in self.shadows]
            twice = sorted({v for v in values if values.count(v) > 1})
            if twice:
                raise ValueError(f"shadows: two shadows have the same {what}: "
                                 f"{', '.join(twice)}")
        return self

    def version(self) -> str:
        """Content hash of the configuration, recorded with every cycle (the shadows and the
        workers are left out: they do not change what this book decides)."""
        text = self.model_dump_json(exclude={"shadows", "workers"})
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def shadow(self, name: str) -> ShadowConfig:
        """The shadow called ``name``; ConfigError lists the configured ones."""
        for s in self.shadows:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.shadows) or "none"
        raise ConfigError(f"no shadow {name!r} in the cycle configuration (configured: "
                          f"{known})", hint="Declare it under `shadows:` (docs/shadow.md) and "
                          "pass that file with --config.")




def load_cycle_config(path: Path | None) -> CycleConfig:
    """The cycle configuration from a YAML file, or the defaults; ConfigError names the file
    and each wrong field."""
    if path is None:
        return CycleConfig()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return CycleConfig.model_validate(data)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    except ValidationError as exc:
        fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{path}: not a valid cycle configuration: {fields}",
                          hint="See docs/cycle.md for the fields.") from None


__all__ = ["CycleConfig", "Environment", "Schedule", "ShadowConfig", "load_cycle_config"]
