"""The approval policy (pure): routing by mode and threshold, maker-checker, YAML validation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ballast.compliance.approvals import SYSTEM, Basis, checker_refusal, route
from ballast.config.approvals import ApprovalMode, ApprovalPolicy, parse_approval_policy
from ballast.domain import ConfigError


def test_automatic_approves_everything_compliance_approved() -> None:
    policy = ApprovalPolicy(mode=ApprovalMode.AUTOMATIC)
    assert route(Decimal("10000000"), policy) is Basis.AUTOMATIC


@pytest.mark.parametrize(("value", "expected"), [
    ("0", Basis.THRESHOLD), ("24999.99", Basis.THRESHOLD), ("25000", Basis.PERSON),
    ("-30000", Basis.PERSON), ("1E+6", Basis.PERSON)])
def test_threshold_is_strictly_below_on_the_absolute_value(value: str, expected: Basis) -> None:
    policy = parse_approval_policy("mode: maker_checker\nauto_approve_below: 25000\n")
    assert route(Decimal(value), policy) is expected


def test_maker_checker_without_threshold_always_needs_a_person() -> None:
    assert route(Decimal("0.01"), ApprovalPolicy()) is Basis.PERSON


def test_the_maker_may_not_check() -> None:
    assert checker_refusal("Tom", "tom") is not None
    assert checker_refusal("tina", "tom") is None
    assert checker_refusal("tina", None) is None
    assert checker_refusal(SYSTEM, SYSTEM) is None  # runs the system made: any approver


def test_policy_yaml_is_validated_and_versioned() -> None:
    a = parse_approval_policy("mode: maker_checker\nauto_approve_below: 1000\n")
    b = parse_approval_policy(a.to_yaml())
    assert a == b and a.version == b.version and len(a.version) == 12
    assert a.version != ApprovalPolicy().version
    with pytest.raises(ConfigError, match="auto_approve_below: Input should be greater"):
        parse_approval_policy("auto_approve_below: -5\n")
    with pytest.raises(ConfigError, match="mode"):
        parse_approval_policy("mode: sometimes\n")
    with pytest.raises(ConfigError, match="Extra inputs"):
        parse_approval_policy("mode: automatic\nthreshold: 5\n")
