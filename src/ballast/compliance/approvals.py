"""The approval policy applied (pure): which proposals pass without a person, and who may
approve the rest. See ballast.config.approvals for the policy itself."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from ballast.config.approvals import ApprovalMode, ApprovalPolicy

SYSTEM = "system"  # the maker of runs nobody proposed by name (the scheduler, a script)


class Basis(StrEnum):
    """On what grounds a proposal is (to be) approved."""

    AUTOMATIC = "automatic"  # the policy approves everything compliance approved
    THRESHOLD = "threshold"  # below the auto-approval threshold
    PERSON = "person"  # a checker decided


def route(trade_value: Decimal, policy: ApprovalPolicy) -> Basis:
    """How a compliance-approved proposal trading ``trade_value`` (sum of absolute trade values,
    base currency) is approved: automatically, under the threshold, or by a person."""
    if policy.mode is ApprovalMode.AUTOMATIC:
        return Basis.AUTOMATIC
    below = policy.auto_approve_below
    if below is not None and abs(trade_value) < below:
        return Basis.THRESHOLD
    return Basis.PERSON


def checker_refusal(checker: str, maker: str | None) -> str | None:
    """Why ``checker`` may not approve a run ``maker`` proposed (maker-checker), or None."""
    if maker and maker != SYSTEM and checker.strip().casefold() == maker.strip().casefold():
        return (f"{checker} proposed this run and may not approve it (maker-checker): "
                "another approver must")
    return None
