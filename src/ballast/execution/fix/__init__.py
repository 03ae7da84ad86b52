"""The FIX 4.4 broker adapter over QuickFIX (the optional ``ballast[fix]`` extra)."""

from ballast.domain import ConfigError

try:
    import quickfix  # noqa: F401 (its absence is said here, once)
except ImportError as exc:
    raise ConfigError("the FIX broker needs QuickFIX, which is not installed",
                      hint="Install the extra: pip install 'ballast[fix]'.") from exc

from ballast.execution.fix.broker import FixBroker
from ballast.execution.fix.settings import FixSettings

__all__ = ["FixBroker", "FixSettings"]
