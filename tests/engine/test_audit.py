"""The audit journal written by the use cases, on both backends: a real rebalance run, its
check, its execution and the kill switch leave a verifiable chain; a row edited directly in
the database is reported by `ballast audit verify` with its sequence; `ballast explain`
prints a trade's rationale and run."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from typer.testing import CliRunner

from ballast.cli import app
from ballast.domain import DataError
from ballast.engine import kill_switch, rebalance
from ballast.engine.audit import journal, verify_journal
from ballast.engine.check import check
from ballast.engine.demo import load_demo
from ballast.engine.simulation import execute_run
from ballast.store import Store

from .conftest import write

RULES = ("name: fixing\nrules:\n  - {id: no-jnj, kind: restricted, action: auto_fix, "
         "instruments: [JNJ]}\n")


def cli(store: Store, *args: str) -> tuple[int, str]:
    out = CliRunner().invoke(app, list(args), env={"BALLAST_DATABASE_URL": store.url,
                                                   "COLUMNS": "200"})
    return out.exit_code, out.output


def test_the_cycle_is_journaled_verified_tampering_found_and_explained(
        store: Store, tmp_path: Path) -> None:
    load_demo(store, households=2)
    assert rebalance.rebalance(store, dry_run=True).run_id is None
    assert journal(store) == []
    result = rebalance.rebalance(store)
    checked = check(store, rules_paths=[write(tmp_path, "fix.yaml", RULES)])
    report = execute_run(store)
    at = datetime(2026, 11, 22, 2, 40, tzinfo=UTC)
    assert kill_switch.engage(store, reason="drill", user="ops", now=at)
    assert not kill_switch.engage(store, reason="again", user="ops", now=at)
    assert kill_switch.disengage(store, reason="over", user="lead", now=at)

    entries = journal(store)
    kinds = Counter(e.kind for e in entries)
    assert kinds["rebalance.run"] == 1 and kinds["rebalance.proposed"] == len(result.trades)
    assert kinds["compliance.approved"] + kinds["compliance.denied"] == len(checked.decisions)
    assert kinds["order.submitted"] == report.orders and kinds["fill.booked"] == report.booked
    assert kinds["kill_switch.engaged"] == kinds["kill_switch.disengaged"] == 1
    proposed = [e for e in entries if e.kind == "rebalance.proposed"]
    assert all(e.policy_version == result.policy_version and e.snapshot_id == result.snapshot_id
               for e in proposed)
    assert [e.rationale for e in proposed] == [t.rationale for t in result.trades]
    assert entries[-1].actor == "lead" and entries[-1].rationale == "over"

    code, out = cli(store, "audit", "verify")
    head = verify_journal(store).head
    assert code == 0 and out.strip() == f"journal intact: {len(entries)} entries, head {head}"

    trade, run = proposed[0], f"run:{result.run_id}"
    token = next(s for s in trade.subject if s.startswith("trade:"))
    code, out = cli(store, "explain", token)
    assert code == 0, out
    assert trade.rationale in out and "rebalance.run" in out and run in out
    assert f"trigger: {trade.payload['trigger']}" in out
    assert "compliance." in out
    order = next(e for e in entries if e.kind == "order.submitted")
    code, out = cli(store, "explain", order.subject[0])
    assert code == 0 and "rebalance.proposed" in out and "fill.booked" in out
    code, out = cli(store, "audit", "log", "--subject", run, "--limit", "3")
    assert code == 0 and out.count("\n#") + out.startswith("#") == 3

    victim = proposed[1].seq
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_journal SET payload = :p WHERE seq = :s"),
                     {"p": '{"quantity":"1000000"}', "s": victim})
    code, out = cli(store, "audit", "verify")
    assert code == 1 and f"seq {victim}: content altered" in out
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_journal WHERE seq = :s"), {"s": victim + 1})
    code, out = cli(store, "audit", "verify")
    assert code == 1 and f"seq {victim}: content altered" in out
    assert f"seq {victim + 2}: sequence {victim + 2} where {victim + 1} was expected" in out


def test_explain_refuses_an_unknown_target(store: Store) -> None:
    out = CliRunner().invoke(app, ["explain", "nothing", "--db", store.url])
    assert isinstance(out.exception, DataError) and "cannot explain" in str(out.exception)
    code, out = cli(store, "explain", "run:99")
    assert code == 1 and "records nothing about run:99" in out
