"""A live cycle on the demo book through FIX: the kernel's broker is the FIX session of the
cycle's configuration, orders go to a QuickFIX acceptor on loopback playing the broker, and the
fills come back booked into lots and reconciled without a break."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

pytest.importorskip("quickfix")

from ballast.config.cycle import CycleConfig, Environment
from ballast.engine.cycle import run_cycle
from ballast.engine.demo import load_demo
from ballast.engine.workspace import open_store

from .fix_counterparty import Counterparty, Rules, adapter_settings

LAST = date(2021, 3, 31)


def test_a_live_cycle_trades_the_demo_book_through_fix(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'demo.db'}")
    load_demo(store, households=3)
    with store.transaction() as tx:
        closes = {str(b.instrument_id): b.close for b in tx.closes_as_of(LAST)}
        held_before = {(a, i): q for a, i, q, _ in tx.position_totals() if q}
    rules = tmp_path / "rules.yaml"
    rules.write_text("name: light\nrules:\n  - {id: no-shorts, kind: no_shorts}\n")
    rules_for_broker = Rules(prices=closes, trade_time=datetime(2021, 3, 31, 15, tzinfo=UTC))
    with Counterparty(tmp_path / "broker", rules_for_broker) as cp:
        settings = tmp_path / "fix.yaml"
        settings.write_text(yaml.safe_dump(
            adapter_settings(cp, tmp_path / "session").model_dump(mode="json")))
        cfg = CycleConfig(environment=Environment.LIVE, broker="fix", fix=settings,
                          rules=(rules,))
        report = run_cycle(store, cfg, LAST)
        stages = {s.stage: s.outcome for s in report.cycle.stages}
        assert report.status == "completed", report.cycle.stages[-1].summary
        executed = stages["execute"]
        assert executed["orders"] > 0 and executed["states"] == {"filled": executed["orders"]}
        assert stages["reconcile"]["breaks"] == 0
        with store.transaction() as tx:
            run = stages["propose"]["run_id"]
            orders = tx.orders(run)
            trades = tx.proposed_trades(run)
            held_after = {(a, i): q for a, i, q, _ in tx.position_totals() if q}
        assert {o.broker for o in orders} == {"fix"}
        assert cp.received == {o.client_order_id: 1 for o in orders}
    moved = {k: held_after.get(k, Decimal(0)) - held_before.get(k, Decimal(0))
             for k in held_before.keys() | held_after.keys()}
    proposed: dict[tuple[str, str], Decimal] = {}
    for t in trades:
        key = (t.account_id, t.instrument_id)
        proposed[key] = proposed.get(key, Decimal(0)) + (t.quantity if t.side == "buy"
                                                          else -t.quantity)
    assert {k: v for k, v in moved.items() if v} == {k: v for k, v in proposed.items() if v}
    store.close()
