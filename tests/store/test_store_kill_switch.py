"""Kill-switch state and history round-trip on both backends; 0008 downgrades."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect

from ballast.store import Store

from .migrate import alembic

AT = datetime(2021, 3, 31, 14, 2, tzinfo=UTC)


def test_switches_round_trip(store: Store) -> None:
    with store.transaction() as tx:
        assert tx.engage_switch("global", "ops", "drill", AT)
        assert not tx.engage_switch("global", "someone", "again", AT)
        assert tx.engage_switch("account:A1", "ops", "why", AT)
    with store.transaction() as tx:
        assert tx.disengage_switch("global", "lead", "over", AT)
        assert not tx.disengage_switch("broker:fix", "lead", "never engaged", AT)
        [now] = tx.engaged_switches()
        assert (now.scope, now.user, now.at, now.reason) == ("account:A1", "ops", AT, "why")
        assert [(e.scope, e.action, e.user) for e in tx.kill_switch_history()] == [
            ("global", "engage", "ops"), ("account:A1", "engage", "ops"),
            ("global", "disengage", "lead")]
        assert len(tx.kill_switch_history("global")) == 2


def test_0008_downgrades(store: Store) -> None:
    alembic(store, "downgrade", "0007")
    assert not set(inspect(store.engine).get_table_names()) & {"kill_switches",
                                                                 "kill_switch_history"}
    store.migrate()
    assert "kill_switch_history" in inspect(store.engine).get_table_names()
