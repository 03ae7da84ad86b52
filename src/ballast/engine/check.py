"""The check use case: a stored rebalance run against the compliance rules, decisions
stored with the run and the rule-set versions they were made under."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ballast.compliance import CheckOutcome, Decision, Fix, rules_of
from ballast.compliance import check as run_rules
from ballast.config.compliance import RuleSet, check_distinct, load_rule_sets, parse_rule_set
from ballast.domain import ConfigError, DataError
from ballast.engine.check_input import build_check_input
from ballast.engine.queries import snapshot
from ballast.store import Store
from ballast.store.compliance import StoredDecision, StoredViolation


@dataclass(frozen=True)
class CheckResult:
    """A stored check: the run, the rule sets (``name:version``), every decision in account
    order, and the proposals not checked because the rebalancer skipped them."""

    run_id: int
    check_id: int
    as_of: str
    rule_sets: tuple[str, ...]
    decisions: tuple[Decision, ...]
    skipped: tuple[str, ...]

    @property
    def denied(self) -> list[Decision]:
        return [d for d in self.decisions if not d.approved]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"run_id": self.run_id, "check_id": self.check_id, "as_of": self.as_of,
                "rule_sets": list(self.rule_sets), "skipped": list(self.skipped),
                "approved": len(self.decisions) - len(self.denied), "denied": len(self.denied),
                "decisions": [{"account": d.account, "approved": d.approved,
                               "violations": [asdict(v) for v in d.violations],
                               "fixes": [asdict(f) for f in d.fixes]} for d in self.decisions]}


def import_rules(store: Store, paths: Sequence[Path]) -> list[tuple[str, str, bool]]:
    """Validate rule files and store their versions: (name, version, new) per set."""
    loaded = load_rule_sets(paths)
    with store.transaction() as tx:
        return [(s.name, s.version, tx.add_rule_set_version(s.name, s.version, text))
                for s, text in loaded]


def check(store: Store, *, run_id: int | None = None,
          rules_paths: Sequence[Path] = ()) -> CheckResult:
    """Check a stored rebalance run (default: the latest) against the rules of
    ``rules_paths`` (stored as versions too), or else the latest stored rule sets."""
    if rules_paths:
        import_rules(store, rules_paths)
    with store.transaction() as tx:
        sets = rule_sets(tx.latest_rule_sets(), rules_paths)
        if not sets:
            raise ConfigError("no compliance rules in the book", hint="Load them with "
                              "`ballast rules import <file.yaml>` or pass --rules FILE.")
        runs = {r.id: r for r in tx.rebalance_runs()}
        if not runs:
            raise DataError("no rebalance run to check", hint="Run `ballast rebalance` first.")
        run_id = max(runs) if run_id is None else run_id
        if run_id not in runs:
            raise DataError(f"no rebalance run {run_id}", hint="`ballast rebalance --history` "
                            "lists the stored runs.", field="run")
        proposals = tx.proposals(run_id)
        trades = tx.proposed_trades(run_id)
    as_of = runs[run_id].as_of
    snap = snapshot(store, as_of=as_of, missing_fx_nan=True)
    checked = [p for p in proposals if p.status != "skipped"]
    with store.transaction() as tx:
        inp = build_check_input(tx, snap, as_of, checked, trades, sets)
        outcome = run_rules(inp, rules_of(sets))
        versions = tuple(f"{s.name}:{s.version}" for s in sets)
        ids = {p.account_id for p in checked}
        decisions, violations = _records(outcome, [t.account_id for t in trades
                                                   if t.account_id in ids])
        check_id = tx.add_check(run_id, versions, decisions, violations)
        tx.audit_check(run_id, check_id, versions, snap.id, decisions, violations, trades)
    return CheckResult(run_id, check_id, as_of.isoformat(), versions, outcome.decisions,
                       tuple(p.account_id for p in proposals if p.status == "skipped"))


def rule_sets(stored: dict[str, str], paths: Sequence[Path]) -> list[RuleSet]:
    """The sets of ``paths`` when given, else every stored set's latest version (``stored``:
    name → YAML text); empty when there are neither."""
    if paths:
        return [s for s, _ in load_rule_sets(paths)]
    sets = [parse_rule_set(text, f"stored rule set {name}") for name, text in stored.items()]
    check_distinct(sets)
    return sets


def _records(outcome: CheckOutcome, trade_accounts: list[str]
             ) -> tuple[list[StoredDecision], list[StoredViolation]]:
    """Storable decisions and violations; trade indices become each account's trade seq."""
    seq: list[int] = []
    count: dict[str, int] = {}
    for a in trade_accounts:
        count[a] = count.get(a, 0) + 1
        seq.append(count[a])

    def fix(f: Fix) -> dict[str, Any]:
        return {**asdict(f), "trade": seq[f.trade]}

    decisions = [StoredDecision(d.account, d.approved, json.dumps([fix(f) for f in d.fixes]))
                 for d in outcome.decisions]
    violations = [StoredViolation(v.account, v.rule_id, v.scope, v.kind, v.action.value,
                                  v.subject, v.measured, v.limit,
                                  tuple(seq[t] for t in v.trades), v.explanation)
                  for d in outcome.decisions for v in d.violations]
    return decisions, violations
