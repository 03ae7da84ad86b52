"""Compliance checks and rule-set versions round-trip on both backends; 0006 downgrades."""

from __future__ import annotations

import math
from datetime import date

from sqlalchemy import inspect

from ballast.store import Store
from ballast.store.compliance import StoredDecision, StoredViolation

from .migrate import alembic


def test_checks_round_trip(book: Store) -> None:
    with book.transaction() as tx:
        run = tx.add_rebalance_run(date(2021, 3, 31), "snap", "pol", [], [])
        assert tx.add_rule_set_version("firm", "aaaaaaaaaaaa", "name: firm\n")
        assert not tx.add_rule_set_version("firm", "aaaaaaaaaaaa", "name: firm\n")
        tx.add_rule_set_version("firm", "bbbbbbbbbbbb", "name: firm\nrules: []\n")
        v = StoredViolation("A1", "r1", "firm", "max_weight", "block", "AAPL", 0.124, 0.1,
                            (1, 3), "AAPL would be 12.4% of A1")
        u = StoredViolation("A1", "s", "firm", "suitability", "warn", "growth", math.nan,
                            math.nan, (), "unknown")
        check_id = tx.add_check(run, ["firm:bbbbbbbbbbbb"],
                                [StoredDecision("A1", False, "[]"),
                                 StoredDecision("B1", True, '[{"trade": 1}]')], [v, u])
    with book.transaction() as tx:
        assert tx.latest_rule_sets() == {"firm": "name: firm\nrules: []\n"}
        [c] = tx.checks(run)
        assert (c.id, c.rule_sets, c.approved, c.denied) == (check_id, ("firm:bbbbbbbbbbbb",),
                                                             1, 1)
        assert [d.approved for d in tx.check_decisions(check_id)] == [False, True]
        got = tx.check_violations(check_id)
        assert got[0] == v and math.isnan(got[1].measured) and got[1].trades == ()


def test_0006_downgrades(store: Store) -> None:
    alembic(store, "downgrade", "0005")
    tables = set(inspect(store.engine).get_table_names())
    assert not tables & {"compliance_checks", "check_violations", "rule_set_versions"}
    store.migrate()
    assert "check_violations" in inspect(store.engine).get_table_names()
