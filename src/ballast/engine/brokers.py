"""Brokers by name, as the CLI and the cycle's kernel choose them: ``simulated`` (built per
session from the store's closes) and ``fix`` (a FIX 4.4 session over QuickFIX, configured by
a YAML file — docs/fix.md — and needing the optional ``ballast[fix]`` extra)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from ballast.domain import ConfigError
from ballast.execution import Broker

BROKERS = ("simulated", "fix")


def fix_broker(path: Path | None) -> Broker:
    """The FIX broker of the session settings in ``path`` (not yet connected)."""
    if path is None:
        raise ConfigError("the fix broker needs its session settings",
                          hint="Pass --fix-config FILE (or `fix:` in the cycle "
                          "configuration); docs/fix.md shows the fields.")
    from ballast.execution.fix import FixBroker, FixSettings  # QuickFIX is an optional extra

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return FixBroker(FixSettings.model_validate(data))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    except ValidationError as exc:
        fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{path}: not valid FIX session settings: {fields}",
                          hint="See docs/fix.md for the fields.") from None


def check_broker(name: str) -> None:
    """Raise ConfigError for a broker ballast does not know."""
    if name not in BROKERS:
        raise ConfigError(f"unknown broker {name!r}",
                          hint=f"Use --broker {' or '.join(BROKERS)}.")


__all__ = ["BROKERS", "check_broker", "fix_broker"]
