"""The FIX 4.4 broker adapter over QuickFIX (the optional ``ballast[fix]`` extra)."""

from ballast.execution.fix.broker import FixBroker
from ballast.execution.fix.settings import FixSettings

__all__ = ["FixBroker", "FixSettings"]
