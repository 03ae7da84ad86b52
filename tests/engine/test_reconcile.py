"""Reconciliation on SQLite and PostgreSQL: zero breaks after a clean simulated execution, and
exactly the injected breaks after a broker position, a fill and a cash amount are changed."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from ballast.cli import app
from ballast.engine.execute import execute
from ballast.engine.reconcile import (
    CustodianReport,
    reconcile,
    reconcile_with,
    replayed_simulated_broker,
)
from ballast.engine.simulation import simulated_broker
from ballast.execution import Fill, SimulatedBroker, SimulationConfig
from ballast.execution.reconcile import BreakKind
from ballast.store import Store

from .test_execute import AS_OF, stored_run

D = Decimal


class TamperedBroker(SimulatedBroker):
    """A simulated broker that loses one fill and reports extra cash."""

    def __init__(self, broker: SimulatedBroker, lost_fill: str, extra_cash: Decimal) -> None:
        self.__dict__.update(broker.__dict__)
        self.lost_fill, self.extra_cash = lost_fill, extra_cash

    def fills(self, since: datetime | None = None) -> list[Fill]:
        return [f for f in super().fills(since) if f.fill_id != self.lost_fill]

    def cash(self) -> dict[str, Decimal]:
        return {c: a + self.extra_cash for c, a in super().cash().items()}


def schwab(store: Store) -> CustodianReport:
    """Schwab's report of its accounts, as the book holds them."""
    with store.transaction() as tx:
        mine = {a for a, x in tx.accounts().items() if x.custodian == "Schwab"}
        positions = {(str(a), str(i)): q for a, i, q, _ in tx.position_totals(mine) if q}
        cash = {(str(a), c): v for (a, c), v in tx.cash(mine).items()}
    return CustodianReport("Schwab", positions, cash)


def test_a_clean_execution_reconciles_and_injected_breaks_are_exact(
        store: Store, book_files: dict[str, Path]) -> None:
    run = stored_run(store, book_files)
    broker, clock = simulated_broker(store, AS_OF, SimulationConfig(fill_slices=3))
    execute(store, run, broker, as_of=AS_OF, clock=clock)
    custodian = schwab(store)
    clean = reconcile(store, broker, as_of=AS_OF, custodian=custodian)
    assert clean.breaks == () and clean.book_fills == clean.broker_fills == 12
    assert clean.positions == 3 + len(custodian.positions)  # AAPL, VTI and XOM at the broker

    with store.transaction() as tx:
        lost = tx.fills(run)[0]
    tampered = TamperedBroker(broker, lost.fill_id, D("250.00"))
    positions = dict(custodian.positions)
    positions[("H1-TAX", "AAPL")] += 5
    report = reconcile(store, tampered, as_of=AS_OF,
                       custodian=CustodianReport("Schwab", positions, custodian.cash))
    got = {b.kind: b for b in report.breaks}
    assert len(report.breaks) == 3 and {(b.kind, b.account, b.item) for b in got.values()} == {
        (BreakKind.MISSING_AT_BROKER, "simulated", lost.instrument_id),
        (BreakKind.CASH_DIFFERS, "simulated", "USD"),
        (BreakKind.QUANTITY_DIFFERS, "H1-TAX", "AAPL")}
    assert got[BreakKind.MISSING_AT_BROKER].difference == -lost.quantity
    assert got[BreakKind.QUANTITY_DIFFERS].difference == 5
    # the injected 250.00 plus the allocations' rounding to the cent (within the tolerance)
    assert abs(got[BreakKind.CASH_DIFFERS].difference - D("250.00")) < D("0.05")
    words = {b.kind: b.words for b in report.breaks}
    assert words[BreakKind.QUANTITY_DIFFERS] == \
        "H1-TAX: AAPL 130 in the book, 135 at the custodian (+5)"
    assert "in the book but not reported by the broker" in words[BreakKind.MISSING_AT_BROKER]


def test_the_replayed_simulated_broker_reports_what_the_execution_received(
        store: Store, book_files: dict[str, Path]) -> None:
    run = stored_run(store, book_files)
    broker, clock = simulated_broker(store, AS_OF)
    execute(store, run, broker, as_of=AS_OF, clock=clock)
    replayed = replayed_simulated_broker(store, AS_OF)
    replayed.connect()
    broker.connect()
    assert replayed.fills() == broker.fills() and replayed.cash() == broker.cash()
    assert reconcile_with(store, "simulated").breaks == ()


def test_cli_reconcile(store: Store, book_files: dict[str, Path]) -> None:
    stored_run(store, book_files)
    env = {"BALLAST_DATABASE_URL": store.url, "COLUMNS": "200"}
    assert CliRunner().invoke(app, ["execute"], env=env).exit_code == 0
    out = CliRunner().invoke(app, ["reconcile", "--json"], env=env)
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    assert report["breaks"] == [] and report["book_fills"] == 4
    text = CliRunner().invoke(app, ["reconcile", "--as-of", AS_OF.isoformat()], env=env)
    assert text.exit_code == 0 and "0 breaks" in text.output
    with store.transaction() as tx:  # a fill the broker never reported
        f = tx.fills(1)[0]
        tx.add_fills([replace(f, fill_id="ghost", quantity=D(1))])
    broken = CliRunner().invoke(app, ["reconcile"], env=env)
    assert broken.exit_code == 1 and "1 break\n" in broken.output
    assert "missing_at_broker" in broken.output and "ghost" in broken.output
