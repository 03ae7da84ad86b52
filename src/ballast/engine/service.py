"""The use cases the API calls that the CLI reaches otherwise: reads of runs, orders, fills and
breaches, and the mutating requests (rebalance, check, execute) made by a named user with a
reason — each audited with both, and each checked against the user's roles here, on the
server side, whatever interface calls it."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError

from ballast.audit import Draft
from ballast.compliance.kill_switch import scope_of as switch_scope
from ballast.config.models import check_instruments, dump_model, parse_models, resolve_all
from ballast.domain import DataError, UnknownReference
from ballast.engine import approvals, check, simulation
from ballast.engine.execute import ExecutionReport
from ballast.engine.nav import Scope, ScopeKind
from ballast.engine.performance import PerformanceReport, measure, today_or_last_price
from ballast.engine.period import PeriodError, parse_period
from ballast.engine.rebalance import rebalance
from ballast.engine.risk import RiskReport, risk_report
from ballast.engine.users import Principal
from ballast.security import Permission
from ballast.store import ModelVersion, RebalanceRun, Store
from ballast.store.compliance import StoredViolation
from ballast.store.db import MIGRATIONS
from ballast.store.orders import FillRecord, OrderRecord
from ballast.store.read_only import read_only

__all__ = ["HouseholdRow", "ModelDiff", "PerformanceReport", "RiskReport", "Store",
           "diff_models", "execute_run", "fills", "households", "model_versions", "orders",
           "performance", "reader", "readiness", "request_check", "request_rebalance", "risk",
           "rollback_model", "runs", "scope_of", "upload_models", "violations"]


@dataclass(frozen=True, slots=True)
class HouseholdRow:
    id: str
    name: str
    accounts: int


@dataclass(frozen=True, slots=True)
class ModelDiff:
    name: str
    from_version: str
    to_version: str
    diff: str


def _journal(store: Store, kind: str, subject: tuple[str, ...], user: str, reason: str,
             payload: dict[str, object]) -> None:
    with store.transaction() as tx:
        tx.append_audit([Draft(kind, subject, reason, payload, actor=user)])


def reader(store: Store) -> Store:
    """A store for reads beside ``store``'s writers (on SQLite: deferred, read-only
    transactions that never wait for the write lock)."""
    return read_only(store)


def readiness(store: Store) -> dict[str, str]:
    """``store``: ok when a query answers; ``migrations``: ok when the schema is at the
    newest revision (else where it is and where it should be)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = set(ScriptDirectory.from_config(config).get_heads())
    try:
        current = store.revision()
    except SQLAlchemyError as exc:
        return {"store": f"unreachable: {type(exc).__name__}", "migrations": "unknown"}
    at_head = current in heads
    return {"store": "ok", "migrations": "ok" if at_head else
            f"at {current or 'nothing'}, newest is {', '.join(sorted(heads))}"}


def households(store: Store) -> list[HouseholdRow]:
    """Every household with how many accounts it has."""
    with store.transaction() as tx:
        counts: dict[str, int] = {}
        for a in tx.accounts().values():
            counts[a.household_id] = counts.get(a.household_id, 0) + 1
        return [HouseholdRow(h.id, h.name, counts.get(h.id, 0)) for h in tx.households()]


def runs(store: Store) -> list[tuple[RebalanceRun, str | None]]:
    """Every rebalance run, newest first, with who proposed it (None: the system)."""
    with store.transaction() as tx:
        return [(r, tx.run_proposer(r.id)) for r in tx.rebalance_runs()]


def _run(store: Store, run_id: int) -> RebalanceRun:
    with store.transaction() as tx:
        found = next((r for r in tx.rebalance_runs() if r.id == run_id), None)
    if found is None:
        raise UnknownReference(f"no rebalance run {run_id}", field="run_id",
                               hint="/api/runs lists the runs.")
    return found


def orders(store: Store, run_id: int) -> list[OrderRecord]:
    """The orders of run ``run_id``."""
    _run(store, run_id)
    with store.transaction() as tx:
        return tx.orders(run_id)


def fills(store: Store, run_id: int) -> list[FillRecord]:
    """The fills of run ``run_id``'s orders."""
    _run(store, run_id)
    with store.transaction() as tx:
        return tx.fills(run_id)


def violations(store: Store, run_id: int, account: str | None = None) -> list[StoredViolation]:
    """The violations found by the latest compliance check of run ``run_id`` (of one
    account); empty when it was not checked."""
    _run(store, run_id)
    with store.transaction() as tx:
        checks = tx.checks(run_id)
        if not checks:
            return []
        found = tx.check_violations(max(c.id for c in checks))
    return [v for v in found if account in (None, v.account_id)]


def request_rebalance(store: Store, principal: Principal, reason: str, *,
                      account: str | None = None, as_of: date | None = None) -> int:
    """A rebalance run proposed by ``principal`` (portfolio manager), who becomes its maker
    and may not approve it; returns the run id."""
    principal.require(Permission.PROPOSE)
    result = rebalance(store, account=account, as_of=as_of)
    if result.run_id is None:
        raise DataError("the rebalance stored no run")
    approvals.record_proposer(store, result.run_id, principal.name)
    _journal(store, "rebalance.requested", (f"run:{result.run_id}",), principal.name, reason,
             {"account": account, "as_of": result.as_of.isoformat()})
    return result.run_id


def request_check(store: Store, principal: Principal, run_id: int, reason: str
                  ) -> check.CheckResult:
    """Check run ``run_id`` against the stored rules, at ``principal``'s request."""
    if not principal.can(Permission.RULES):
        principal.require(Permission.PROPOSE)
    _run(store, run_id)
    result = check.check(store, run_id=run_id)
    _journal(store, "compliance.requested", (f"run:{run_id}", f"check:{result.check_id}"),
             principal.name, reason, {"denied": len(result.denied)})
    return result


def execute_run(store: Store, principal: Principal, run_id: int, reason: str
                ) -> ExecutionReport:
    """Execute run ``run_id`` through the simulated broker once every proposal it would send
    is approved (:func:`approvals.ensure_approved`); the kill switch still guards each
    order."""
    principal.require(Permission.EXECUTE)
    _run(store, run_id)
    approvals.ensure_approved(store, run_id)
    _journal(store, "execution.requested", (f"run:{run_id}",), principal.name, reason, {})
    return simulation.execute_run(store, run_id)


def scope_of(account: str | None, broker: str | None) -> str:
    """The kill-switch scope of ``account`` or ``broker`` (``global`` for neither)."""
    if account is not None and broker is not None:
        raise DataError("a kill switch is global, per broker or per account, not both",
                        field="broker")
    return switch_scope(account, broker)


def risk(store: Store, *, account: str | None = None, household: str | None = None,
         model: str | None = None, as_of: date | None = None,
         lookback_days: int = 756) -> RiskReport:
    """The risk report of one account, household or model."""
    return risk_report(store, account=account, household=household, model=model,
                       as_of=as_of, lookback_days=lookback_days)


def performance(store: Store, scope: str, ident: str, period: str,
                benchmark: str | None = None) -> PerformanceReport:
    """The performance of a scope (account, household, model, firm) over ``period``."""
    kind = ScopeKind(scope)
    if kind is not ScopeKind.FIRM and not ident.strip():
        raise DataError(f"name the {scope} to measure with ident", field="ident")
    try:
        span = parse_period(period, today=today_or_last_price(store))
    except ValueError as exc:  # year 0 reads as a year, yet no date has it
        raise PeriodError(f"period: {period!r} is not on the calendar ({exc})",
                          field="period") from None
    if span.start == date.min:  # the opening valuation is the day before the start
        raise PeriodError(f"period: {period!r} starts on the calendar's first day, which has "
                          "no day before it to open from", field="period")
    return measure(store, Scope(kind, ident.strip()), span, benchmark=benchmark)


def model_versions(store: Store, name: str | None = None) -> list[tuple[ModelVersion, bool]]:
    """Stored model versions (of one model), newest first, with whether each is current."""
    with store.transaction() as tx:
        found = tx.model_versions(name)
    if name is not None and not found:
        raise UnknownReference(f"no model {name!r}", field="name")
    seen: set[str] = set()
    out = []
    for v in found:
        out.append((v, v.name not in seen))
        seen.add(v.name)
    return out


def upload_models(store: Store, principal: Principal, text: str, reason: str
                  ) -> list[tuple[str, str, bool]]:
    """Validate YAML ``text`` (one model or a list) and store each as a new current version;
    (name, version, new) per model."""
    principal.require(Permission.EDIT_MODELS)
    specs = {spec.name: spec for spec in parse_models(text, source="uploaded model")}
    with store.transaction() as tx:
        library = {spec.name: spec for stored, yaml_text in tx.latest_models().items()
                   for spec in parse_models(yaml_text, source=f"stored model {stored}")}
        resolved = resolve_all({**library, **specs})
        known = set(tx.instruments())
        for name in specs:
            check_instruments(resolved[name], known)
        rows = [(name, spec.version, tx.add_model_version(name, spec.version, dump_model(spec)))
                for name, spec in specs.items()]
    _journal(store, "model.uploaded", tuple(f"model:{n}" for n, _, _ in rows), principal.name,
             reason, {"versions": {n: v for n, v, _ in rows}})
    return rows


def _text(store: Store, name: str, version: str) -> str:
    found = [v for v, _ in model_versions(store, name) if v.version == version]
    if not found:
        raise UnknownReference(f"model {name!r} has no version {version!r}", field="version",
                               hint=f"/api/models/{name}/versions lists them.")
    return found[0].text


def diff_models(store: Store, name: str, old: str, new: str) -> ModelDiff:
    """A unified diff of two versions' YAML."""
    lines = difflib.unified_diff(_text(store, name, old).splitlines(keepends=True),
                                 _text(store, name, new).splitlines(keepends=True),
                                 fromfile=f"{name}@{old}", tofile=f"{name}@{new}")
    return ModelDiff(name, old, new, "".join(lines))


def rollback_model(store: Store, principal: Principal, name: str, version: str,
                   reason: str) -> None:
    """Make a stored version of model ``name`` current again."""
    principal.require(Permission.EDIT_MODELS)
    text = _text(store, name, version)
    with store.transaction() as tx:
        tx.add_model_version(name, version, text)
        tx.append_audit([Draft("model.rolled_back", (f"model:{name}",), reason,
                               {"version": version}, actor=principal.name)])
