"""Kill-switch logic: which switches stop an order, and the automatic triggers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ballast.compliance.kill_switch import (
    KillSwitch,
    TriggerInputs,
    auto_triggers,
    blocking,
    scope_of,
)
from ballast.config.compliance import KillSwitchPolicy

AT = datetime(2021, 3, 31, 14, 2, tzinfo=UTC)
POLICY = KillSwitchPolicy(max_data_age_minutes=30, max_reject_rate=0.2, max_intraday_loss=0.03,
                          max_reconciliation_break=1000)


def switch(scope: str) -> KillSwitch:
    return KillSwitch(scope, "ops", AT, "test")


def test_scopes() -> None:
    assert (scope_of(), scope_of(account="A1"), scope_of(broker="sim")) == (
        "global", "account:A1", "broker:sim")
    with pytest.raises(ValueError, match="not both"):
        scope_of("A1", "sim")


def test_blocking() -> None:
    engaged = [switch("account:A1"), switch("broker:fix")]
    assert blocking(engaged, "A2", "sim") == []
    assert [s.scope for s in blocking(engaged, "A1", "sim")] == ["account:A1"]
    assert [s.scope for s in blocking(engaged, "A2", "fix")] == ["broker:fix"]
    assert blocking([switch("global")], "A2", None) == [switch("global")]
    assert switch("global").describe() == ("global kill switch engaged by ops at "
                                           "2021-03-31 14:02 UTC: test")


def test_no_trigger_when_within_limits_or_unknown() -> None:
    assert auto_triggers(TriggerInputs(), POLICY) == []
    calm = TriggerInputs(data_age_minutes=30, orders=10, rejects=2, intraday_return=-0.03,
                         reconciliation_break=1000)
    assert auto_triggers(calm, POLICY) == []
    assert auto_triggers(TriggerInputs(data_age_minutes=10**6, orders=5, rejects=5),
                         KillSwitchPolicy()) == []


def test_each_trigger() -> None:
    state = TriggerInputs(data_age_minutes=1440, orders=20, rejects=5, intraday_return=-0.045,
                          reconciliation_break=2500.5)
    assert auto_triggers(state, POLICY) == [
        "market data is 1,440 minutes old, above the 30-minute limit",
        "5 of 20 orders rejected (25%), above the 20% limit",
        "intraday loss of 4.5%, beyond the 3% limit",
        "reconciliation break of 2,500.50, above the 1,000.00 limit"]


def test_reject_rate_needs_enough_orders() -> None:
    assert auto_triggers(TriggerInputs(orders=9, rejects=9), POLICY) == []
    assert len(auto_triggers(TriggerInputs(orders=10, rejects=3), POLICY)) == 1
