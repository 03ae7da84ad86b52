"""Rebalancing: drift, triggers and vectorized trade sizing over all accounts → proposals."""

from ballast.rebalance.core import propose
from ballast.rebalance.inputs import BoolArray, ModelTargets, RebalanceInput
from ballast.rebalance.proposals import Proposals, Skip, TradeReason, TradeRow, Trigger
from ballast.rebalance.rationale import rationale

__all__ = [
    "BoolArray", "ModelTargets", "Proposals", "RebalanceInput", "Skip", "TradeReason", "TradeRow",
    "Trigger", "propose", "rationale",
]
