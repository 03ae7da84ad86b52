"""Settings and policy schemas (pydantic, frozen, extra fields forbidden)."""

from ballast.config.rebalance import Calendar, CostModel, RebalancePolicy, TradeTo
from ballast.config.settings import DEFAULT_DATABASE_URL, Settings, ValidationPolicy

__all__ = [
    "DEFAULT_DATABASE_URL", "Calendar", "CostModel", "RebalancePolicy", "Settings", "TradeTo",
    "ValidationPolicy",
]
