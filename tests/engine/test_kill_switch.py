"""The kill switch on both backends: engage and disengage by scope with who, when and why,
the history, the guard the execution path calls, the CLI, and automatic engagement on stale
market data."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from ballast.cli import app
from ballast.config.compliance import KillSwitchPolicy
from ballast.domain import ConfigError, Instrument, InstrumentId, InstrumentKind
from ballast.domain.errors import BallastError, KillSwitchEngaged
from ballast.domain.market import PriceBar
from ballast.engine import kill_switch
from ballast.engine.kill_switch import data_age_minutes, ensure_orders_allowed
from ballast.engine.users import add_user
from ballast.security.errors import PermissionDenied
from ballast.store import Store

AT = datetime(2021, 3, 31, 14, 2, tzinfo=UTC)


def test_engage_guard_disengage_and_history(store: Store) -> None:
    ensure_orders_allowed(store, "A1", "sim")
    assert kill_switch.engage(store, reason="bad fills", user="ops", account="A1", now=AT)
    assert not kill_switch.engage(store, reason="again", user="ops", account="A1")
    assert kill_switch.engage(store, reason="broker down", user="ops", broker="fix", now=AT)
    ensure_orders_allowed(store, "A2", "sim")
    with pytest.raises(KillSwitchEngaged, match="account:A1 kill switch engaged by ops at "
                       "2021-03-31 14:02 UTC: bad fills") as caught:
        ensure_orders_allowed(store, "A1", "sim")
    assert isinstance(caught.value, BallastError) and "disengage" in caught.value.hint
    with pytest.raises(KillSwitchEngaged, match="broker fix"):
        ensure_orders_allowed(store, "A2", "fix")
    assert [s.scope for s in kill_switch.status(store)] == ["account:A1", "broker:fix"]
    with pytest.raises(ConfigError, match="reason is required"):
        kill_switch.disengage(store, reason=" ", user="lead", account="A1")
    assert kill_switch.disengage(store, reason="fixed", user="lead", account="A1", now=AT)
    assert not kill_switch.disengage(store, reason="fixed", user="lead", account="A1")
    ensure_orders_allowed(store, "A1", "sim")
    assert [(e.scope, e.action, e.user, e.at, e.reason) for e in kill_switch.history(store)] == [
        ("account:A1", "engage", "ops", AT, "bad fills"),
        ("broker:fix", "engage", "ops", AT, "broker down"),
        ("account:A1", "disengage", "lead", AT, "fixed")]
    assert kill_switch.engage(store, reason="halt", user="ops")
    with pytest.raises(KillSwitchEngaged, match="any account"):
        ensure_orders_allowed(store)


def test_cli(store: Store) -> None:
    runner, db = CliRunner(), ["--db", store.url]
    out = runner.invoke(app, ["kill", "engage", "--broker", "sim", "--reason", "drill",
                              "--user", "ops", *db])
    assert out.exit_code == 0 and "broker sim kill switch engaged" in out.output
    out = runner.invoke(app, ["kill", "status", "--json", *db])
    [row] = json.loads(out.output)
    assert (row["scope"], row["engaged_by"], row["reason"]) == ("broker:sim", "ops", "drill")
    out = runner.invoke(app, ["kill", "disengage", "--broker", "sim", "--reason", "done", *db])
    assert out.exit_code != 0  # --user is required
    out = runner.invoke(app, ["kill", "disengage", "--broker", "sim", "--reason", "done",
                              "--user", "lead", *db])
    assert out.exit_code == 0 and "disengaged" in out.output
    out = runner.invoke(app, ["kill", "status", *db])
    assert "no kill switch engaged" in out.output


def test_stale_market_data_engages_the_global_switch(store: Store) -> None:
    assert data_age_minutes(store, date(2021, 3, 31)) is None
    with store.transaction() as tx:
        tx.add_instruments([Instrument(InstrumentId("AAPL"), InstrumentKind.EQUITY, "USD")])
        tx.add_prices([PriceBar(InstrumentId("AAPL"), date(2021, 3, 30), Decimal("120"))])
    policy = KillSwitchPolicy(max_data_age_minutes=60)
    assert kill_switch.auto_engage(store, date(2021, 3, 30), policy) == []
    assert data_age_minutes(store, date(2021, 3, 31)) == pytest.approx(1440)
    [reason] = kill_switch.auto_engage(store, date(2021, 3, 31), policy, now=AT)
    assert reason == "market data is 1,440 minutes old, above the 60-minute limit"
    [s] = kill_switch.status(store)
    assert (s.scope, s.engaged_by, s.reason) == ("global", "ballast-auto", f"automatic: {reason}")
    with pytest.raises(KillSwitchEngaged):
        ensure_orders_allowed(store, "A1", "sim")


def test_once_the_book_has_users_only_compliance_disengages(store: Store) -> None:
    add_user(store, "carol", "correct horse battery staple", ["compliance"], actor="setup")
    add_user(store, "tom", "correct horse battery staple", ["trader"], actor="setup")
    kill_switch.engage(store, reason="bad prices", user="tom")  # a trader may engage
    with pytest.raises(PermissionDenied):
        kill_switch.disengage(store, reason="fixed", user="tom")
    with pytest.raises(BallastError, match="nobody"):
        kill_switch.disengage(store, reason="fixed", user="nobody")
    assert kill_switch.status(store)
    assert kill_switch.disengage(store, reason="vendor fixed the feed", user="carol")
    assert kill_switch.status(store) == []
