"""Rebalancing: drift, triggers and vectorized trade sizing over all accounts → proposals."""

from ballast.rebalance.core import propose
from ballast.rebalance.currency import CurrencyInput, CurrencyPlan, missing_rates, plan_currency
from ballast.rebalance.harvest import HarvestSettings, harvest
from ballast.rebalance.inputs import BoolArray, ModelTargets, RebalanceInput
from ballast.rebalance.location import (
    LocatedTargets,
    Location,
    SleeveTax,
    account_locations,
    locate,
    located_targets,
)
from ballast.rebalance.proposals import Proposals, Skip, TradeReason, TradeRow, Trigger
from ballast.rebalance.rationale import rationale
from ballast.rebalance.tax import tax_pass
from ballast.rebalance.tax_types import Change, TaxChange, TaxedProposals, TaxInput

__all__ = [
    "BoolArray", "Change", "CurrencyInput", "CurrencyPlan", "HarvestSettings", "LocatedTargets",
    "Location", "ModelTargets", "Proposals", "RebalanceInput", "Skip", "SleeveTax", "TaxChange",
    "TaxInput", "TaxedProposals", "TradeReason", "TradeRow", "Trigger", "account_locations",
    "harvest", "locate", "located_targets", "missing_rates", "plan_currency", "propose",
    "rationale", "tax_pass",
]
