"""Settings and policy schemas (pydantic, frozen, extra fields forbidden)."""

from ballast.config.rebalance import CostModel, RebalancePolicy, TradeTo
from ballast.config.settings import DEFAULT_DATABASE_URL, Settings, ValidationPolicy

__all__ = [
    "DEFAULT_DATABASE_URL", "CostModel", "RebalancePolicy", "Settings", "TradeTo",
    "ValidationPolicy",
]
