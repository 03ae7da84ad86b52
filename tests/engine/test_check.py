"""`ballast check` on the demo book: the sample firm rules catch a restricted security, a
concentration breach and an unsuitable model, with clear explanations; results are stored on
SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ballast.cli import app
from ballast.domain import ConfigError, DataError
from ballast.engine import rebalance
from ballast.engine.check import check, import_rules
from ballast.engine.demo import load_demo
from ballast.engine.workspace import open_store
from ballast.sample import sample_models_path
from ballast.store import Store

FIRM = sample_models_path().parent / "rules" / "firm.yaml"


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A demo book of its own (the shared one must not gain runs) with one stored run."""
    s = open_store(f"sqlite:///{tmp_path_factory.mktemp('check') / 'demo.db'}")
    load_demo(s, households=3)
    rebalance.rebalance(s)
    try:
        yield s
    finally:
        s.close()


def test_demo_catches_the_three_breaches(checked: Store) -> None:
    result = check(checked, rules_paths=[FIRM])
    by = {d.account: d for d in result.decisions}
    texts = [v.explanation for d in result.decisions for v in d.violations]
    assert "HH001-TAX would buy 1 JNJ, which is on the firm's restricted list" in texts
    assert any(t.startswith("MSFT would be") or t.startswith("MSFT is") for t in texts)
    assert not by["HH003-TAX"].approved
    assert ("model growth has risk level 5, above the risk score 2 of HH003-TAX: the model "
            "is not suitable for the account") in texts
    assert by["HH002-TAX"].approved  # holds JNJ, buys none: a warning only
    with checked.transaction() as tx:
        [stored] = [c for c in tx.checks(result.run_id) if c.id == result.check_id]
        assert stored.denied == len(result.denied) and stored.rule_sets == result.rule_sets
        rows = tx.check_violations(result.check_id)
        trades = [t for t in tx.proposed_trades(result.run_id) if t.account_id == "HH001-TAX"]
    assert len(rows) == len(texts)
    jnj = next(r for r in rows if r.account_id == "HH001-TAX" and r.subject == "JNJ")
    assert [trades[s - 1].instrument_id for s in jnj.trades] == ["JNJ"]


def test_cli_import_then_check(checked: Store) -> None:
    env = {"BALLAST_DATABASE_URL": checked.url, "COLUMNS": "200"}
    out = CliRunner().invoke(app, ["rules", "import", str(FIRM)], env=env)
    assert out.exit_code == 0 and "firm" in out.output
    review = CliRunner().invoke(app, ["check"], env=env)
    assert review.exit_code == 0, review.output
    assert "approved" in review.output and "denied" in review.output
    assert "restricted list" in review.output
    data = json.loads(CliRunner().invoke(app, ["check", "--json", "--run", "1"],
                                         env=env).output)
    assert data["denied"] >= 3 and data["run_id"] == 1


def test_auto_fix_drops_the_restricted_buys(checked: Store, tmp_path: Path) -> None:
    rules = tmp_path / "fix.yaml"
    rules.write_text("name: fixing\nrules:\n  - {id: no-jnj, kind: restricted, action: "
                     "auto_fix, instruments: [JNJ]}\n")
    result = check(checked, rules_paths=[rules])
    fixes = [f for d in result.decisions for f in d.fixes]
    assert fixes and all(f.instrument == "JNJ" and f.new_quantity == 0 for f in fixes)
    assert all(d.approved for d in result.decisions)


def test_errors(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no compliance rules"):
        check(store)
    import_rules(store, [FIRM])
    with pytest.raises(DataError, match="no rebalance run"):
        check(store)


def test_both_backends(store: Store) -> None:
    load_demo(store, households=2)
    rebalance.rebalance(store)
    result = check(store, rules_paths=[FIRM])
    assert result.denied and result.rule_sets[0].startswith("firm:")
    with store.transaction() as tx:
        assert len(tx.check_decisions(result.check_id)) == len(result.decisions)
