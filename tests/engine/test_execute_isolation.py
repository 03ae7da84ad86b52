"""Booking is per account: when the ledger refuses one account's fills (a manual sale took
the lots a fill sells), the other accounts are booked, the refused account's allocations stay
unbooked with the reason journaled, and a later execution books them — nothing twice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from ballast.cli import app
from ballast.config.cycle import CycleConfig
from ballast.engine.audit import journal
from ballast.engine.cycle import run_cycle
from ballast.engine.cycle_stages import STAGES, CycleContext, StageOutcome
from ballast.engine.demo import load_demo
from ballast.engine.execute import execute
from ballast.engine.imports import ImportKind, import_file
from ballast.engine.simulation import simulated_broker
from ballast.engine.workspace import open_store
from ballast.store import Store

from .conftest import write
from .test_execute import AS_OF, INTENDED, positions, stored_run

HEADER = "id,account_id,date,kind,symbol,quantity,price,amount,fees\n"
RULES = "name: light\nrules:\n  - {id: no-shorts, kind: no_shorts}\n"
DAY, NEXT = date(2021, 3, 1), date(2021, 3, 2)


def manual(store: Store, folder: Path, name: str, row: str) -> None:
    """A transaction entered by hand (a custodian file)."""
    import_file(store, ImportKind.TRANSACTIONS, write(folder, name, HEADER + row + "\n"),
                today=date(2021, 3, 31))


def booked_ids(store: Store, run: int) -> dict[str, set[str]]:
    """The booked transaction ids of the run's allocations, by account."""
    with store.transaction() as tx:
        allocations = tx.allocations(run)
        found = tx.transaction_ids(a.transaction_id for a in allocations)
    out: dict[str, set[str]] = {}
    for a in allocations:
        if a.transaction_id in found:
            out.setdefault(a.account_id, set()).add(a.transaction_id)
    return out


def test_one_refused_account_does_not_stop_the_others_and_is_booked_later(
        store: Store, book_files: dict[str, Path], tmp_path: Path) -> None:
    run = stored_run(store, book_files)
    # H1-TAX's 100 XOM: 80 sold by hand, so the run's sale of 40 finds only 20.
    manual(store, tmp_path, "manual-sell.csv", "M1,H1-TAX,2021-01-05,sell,XOM,80,43.50,,")
    with store.transaction() as tx:
        count = tx.transaction_count()
    broker, clock = simulated_broker(store, AS_OF)
    report = execute(store, run, broker, as_of=AS_OF, clock=clock)

    assert list(report.unbooked) == ["H1-TAX"] and "XOM" in report.unbooked["H1-TAX"]
    assert report.unallocated == 0 and report.booked == 3  # H1-IRA's 2, H2-TAX's 1
    assert set(booked_ids(store, run)) == {"H1-IRA", "H2-TAX"}
    held = positions(store)
    assert {k: v for k, v in held.items() if k[0] != "H1-TAX"} == \
        {k: v for k, v in INTENDED.items() if k[0] != "H1-TAX"}
    assert held[("H1-TAX", "XOM")] == 20 and ("H1-TAX", "VTI") not in held  # nothing of it
    entries = journal(store, subject="account:H1-TAX")
    refusal = [e for e in entries if e.kind == "fill.unbooked"]
    assert len(refusal) == 1 and f"run:{run}" in refusal[0].subject
    assert "ballast execute --run" in refusal[0].rationale
    assert len(refusal[0].payload["transactions"]) == 3  # type: ignore[arg-type]

    again, clock = simulated_broker(store, AS_OF)  # still refused: nothing new, nothing twice
    second = execute(store, run, again, as_of=AS_OF, clock=clock)
    assert second.booked == 0 and list(second.unbooked) == ["H1-TAX"] and again.submitted == 0
    with store.transaction() as tx:
        assert tx.transaction_count() == count + 3

    manual(store, tmp_path, "manual-buy.csv", "M2,H1-TAX,2021-01-05,buy,XOM,80,43.50,,")
    db = ["--db", store.url]
    result = CliRunner().invoke(app, ["execute", "--run", str(run), *db])
    assert result.exit_code == 0, result.output
    assert "3 transactions booked" in result.output
    assert set(booked_ids(store, run)) == {"H1-IRA", "H1-TAX", "H2-TAX"}
    assert positions(store) == INTENDED
    result = CliRunner().invoke(app, ["execute", "--run", str(run), *db])
    assert "0 transactions booked" in result.output
    with store.transaction() as tx:
        assert tx.transaction_count() == count + 1 + 6  # the manual buy and the run's six
    booked = [e for e in journal(store, subject=f"run:{run}") if e.kind == "fill.booked"]
    assert len(booked) == 6


def test_the_cli_names_the_refused_account_and_fails(
        store: Store, book_files: dict[str, Path], tmp_path: Path) -> None:
    run = stored_run(store, book_files)
    manual(store, tmp_path, "manual-sell.csv", "M1,H1-TAX,2021-01-05,sell,XOM,80,43.50,,")
    result = CliRunner().invoke(app, ["execute", "--run", str(run), "--db", store.url],
                                terminal_width=200)
    assert result.exit_code == 1
    assert "3 transactions booked" in result.output
    assert "H1-TAX: fills left unbooked" in result.output and "XOM" in result.output
    with store.transaction() as tx:
        cash = tx.cash()
    assert cash[("H1-TAX", "USD")] > Decimal(0)


def test_the_cycle_names_the_unbooked_account_and_the_next_cycle_books_it(
        tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'demo.db'}")
    load_demo(store, households=3)
    cfg = CycleConfig(rules=(write(tmp_path, "rules.yaml", RULES),))
    sold: list[tuple[str, str, Decimal]] = []

    def sell_by_hand(ctx: CycleContext) -> StageOutcome:
        """Between approval and execution, someone sells by hand all of a holding the run
        sells part of."""
        with ctx.store.transaction() as tx:
            run = int(ctx.done["propose"]["run_id"])
            sell = next(t for t in tx.proposed_trades(run) if t.side == "sell")
            held = sum(lot.quantity for lot in tx.lots([sell.account_id])
                       if lot.instrument_id == sell.instrument_id)
        sold.append((sell.account_id, sell.instrument_id, held))
        manual(store, tmp_path, "hand.csv", f"HAND-1,{sell.account_id},{ctx.session},sell,"
               f"{sell.instrument_id},{held},100.00,,")
        return StageOutcome("done", "sold by hand")

    at = [name for name, _ in STAGES].index("execute")
    stages = (*STAGES[:at], ("hand", sell_by_hand), *STAGES[at:])
    first = run_cycle(store, cfg, DAY, stages=stages)
    executed = {s.stage: s for s in first.cycle.stages}["execute"]
    (account, instrument, held), = sold
    assert first.status == "completed" and executed.outcome["booked"] > 0
    [(run, refused)] = executed.outcome["unbooked"].items()
    assert list(refused) == [account] and instrument in refused[account]
    assert f"{account} in run {run}" in executed.summary and "left unbooked" in executed.summary
    unbooked = set(booked_ids(store, int(run)))
    assert account not in unbooked and unbooked  # the other accounts are booked

    manual(store, tmp_path, "back.csv", f"HAND-2,{account},{DAY},buy,{instrument},{held},"
           "100.00,,")
    second = run_cycle(store, cfg, NEXT)
    proposed = {s.stage: s for s in second.cycle.stages}["propose"]
    assert proposed.outcome["earlier_booked"] > 0 and proposed.outcome["earlier_unbooked"] == {}
    assert account in booked_ids(store, int(run))
    with store.transaction() as tx:
        ids = [a.transaction_id for a in tx.allocations(int(run))]
        assert len(tx.transaction_ids(ids)) == len(ids)  # each allocation booked, once
    store.close()
