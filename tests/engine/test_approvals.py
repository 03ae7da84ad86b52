"""Approvals in the engine and on the command line: who may approve, what the policy approves
by itself, and the guard that keeps an unapproved run from being executed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.conftest import journal_kinds, load_book, maker_checker
from ballast.cli import app
from ballast.engine import approvals
from ballast.engine.approvals import ApprovalRequired, MakerCheckerViolation
from ballast.engine.users import PermissionDenied
from ballast.engine.workspace import open_store
from ballast.store import Store


@pytest.fixture
def book(store_url: str, tmp_path: Path) -> Iterator[tuple[Store, int]]:
    store = open_store(store_url)
    try:
        yield store, load_book(store, tmp_path)
    finally:
        store.close()


def test_without_a_policy_compliance_approval_is_enough(book: tuple[Store, int]) -> None:
    store, run = book
    assert approvals.ensure_approved(store, run) == {"H1-IRA", "H1-TAX"}
    states = {s.account_id: (s.decision, s.basis) for s in approvals.proposal_states(store, run)}
    assert states == {"H1-IRA": ("approved", "automatic"), "H1-TAX": ("approved", "automatic"),
                      "H2-TAX": ("", "")}


def test_maker_checker_roles_and_the_execution_guard(book: tuple[Store, int]) -> None:
    store, run = book
    maker_checker(store)
    with pytest.raises(ApprovalRequired, match="2 proposal"):
        approvals.ensure_approved(store, run)
    with pytest.raises(MakerCheckerViolation):
        approvals.decide(store, run, "approved", user="tom", reason="fine")
    with pytest.raises(PermissionDenied, match="needs the role trader"):
        approvals.decide(store, run, "approved", user="pam", reason="fine")
    done = approvals.decide(store, run, "approved", user="tina", reason="fine",
                            accounts=["H1-IRA"])
    assert [(r.account_id, r.user, r.basis) for r in done] == [("H1-IRA", "tina", "person")]
    with pytest.raises(ApprovalRequired, match=r"1 proposal\(s\) wait for approval \(H1-TAX\)"):
        approvals.ensure_approved(store, run)
    approvals.decide(store, run, "approved", user="tina", reason="fine")
    assert approvals.ensure_approved(store, run) == {"H1-IRA", "H1-TAX"}
    assert [k for k in journal_kinds(store) if k[0] == "approval.approved"] == [
        ("approval.approved", "tina", "fine")] * 2


def test_an_unchecked_run_cannot_be_approved_for_execution(book: tuple[Store, int]) -> None:
    store, _ = book
    with store.transaction() as tx:
        fresh = tx.add_rebalance_run(tx.rebalance_runs()[0].as_of, "s", "p", [], [])
    with pytest.raises(ApprovalRequired, match="has not been checked"):
        approvals.ensure_approved(store, fresh)


def test_cli_approve_reject_and_execute_guard(book: tuple[Store, int]) -> None:
    store, run = book
    maker_checker(store)
    env = {"BALLAST_DATABASE_URL": store.url, "COLUMNS": "200"}
    cli = CliRunner()
    refused = cli.invoke(app, ["execute", "--run", str(run)], env=env)
    assert isinstance(refused.exception, ApprovalRequired)
    own = cli.invoke(app, ["approve", str(run), "--reason", "ok", "--user", "tom"], env=env)
    assert isinstance(own.exception, MakerCheckerViolation)
    out = cli.invoke(app, ["reject", str(run), "-a", "H1-TAX", "--reason", "client call",
                           "--user", "tina"], env=env)
    assert out.exit_code == 0 and "1 proposal(s) rejected by tina" in out.output
    ok = cli.invoke(app, ["approve", str(run), "--reason", "ok"],
                    env={**env, "BALLAST_USER": "tina"})
    assert ok.exit_code == 0 and "1 proposal(s) approved by tina" in ok.output
    status = cli.invoke(app, ["approvals", "status", str(run), "--json"], env=env)
    assert '"decision": "rejected"' in status.output and '"decision": "approved"' in status.output
    done = cli.invoke(app, ["execute", "--run", str(run), "--json"], env=env)
    assert done.exit_code == 0, done.output  # the rejected H1-TAX is left out
    with store.transaction() as tx:
        traded = {a for b in tx.blocks(run) for a, _ in b.plan}
    assert traded and "H1-TAX" not in traded
