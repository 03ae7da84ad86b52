"""The stages of the daily cycle (docs/cycle.md), each a function of the cycle's context that
returns what it did in words and the values later stages (or a resumed cycle) read back.

A stage whose capability is not part of this installation is not listed here: it is absent
from the cycle, never faked."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from ballast.compliance.drawdown import AdjustedTargets
from ballast.compliance.kill_switch import TriggerInputs
from ballast.config.compliance import RuleSet
from ballast.config.cycle import CycleConfig
from ballast.config.settings import ValidationPolicy
from ballast.domain import ConfigError, DataError
from ballast.domain.errors import KillSwitchEngaged
from ballast.engine import kill_switch
from ballast.engine.approvals import PENDING, REJECTED, apply_policy, proposal_states
from ballast.engine.check import check, rule_sets
from ballast.engine.deliver import send_alerts
from ballast.engine.drawdown import drawdown_targets
from ballast.engine.execute import book_pending, execute
from ballast.engine.execute_plan import ExecutionSettings
from ballast.engine.imports import ImportKind, import_file
from ballast.engine.kernel import Kernel
from ballast.engine.monitor import monitor
from ballast.engine.nav import Scope, ScopeKind
from ballast.engine.performance import measure
from ballast.engine.period import NoPerformanceData, period_between
from ballast.engine.queries import book_summary
from ballast.engine.rebalance import rebalance
from ballast.engine.rebalance_overrides import RunOverrides
from ballast.engine.reconcile_reports import save_report
from ballast.engine.report_schedule import Frequency, run_due
from ballast.store import Store


@dataclass(frozen=True, slots=True)
class StageOutcome:
    """What a stage did: ``done``, ``skipped`` (nothing to do, with why) or ``stopped`` (the
    cycle must not go on, e.g. a kill switch), a sentence, and values for later stages."""

    status: str
    summary: str
    outcome: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CycleContext:
    """A cycle's inputs and what its finished stages produced, by stage name."""

    store: Store
    config: CycleConfig
    session: date
    kernel: Kernel
    done: dict[str, dict[str, Any]]

    def run_ids(self) -> list[int]:
        """The runs this cycle stored with trades: the limit adjustment, then the rebalance."""
        return [int(self.done[s]["run_id"]) for s in ("monitor", "propose")
                if self.done.get(s, {}).get("run_id") is not None
                and self.done[s].get("trades")]


WEBHOOK_SECRET = "BALLAST_WEBHOOK_SECRET"
# Inbox files by name prefix, in the order they are imported.
_INBOX = (("instruments", ImportKind.INSTRUMENTS), ("prices", ImportKind.PRICES),
          ("fx", ImportKind.FX), ("corporate_actions", ImportKind.CORPORATE_ACTIONS),
          ("transactions", ImportKind.TRANSACTIONS))


def ingest(ctx: CycleContext) -> StageOutcome:
    """Import the inbox's new files; a file already imported is recognized by its content.
    A rejected file fails the stage (nothing of it is written) and so the cycle."""
    inbox = ctx.config.inbox
    if inbox is None:
        return StageOutcome("skipped", "no inbox configured: the book is fed by `ballast import`")
    if not inbox.is_dir():
        raise DataError(f"the inbox {inbox} is not a folder",
                        hint="Create it or correct `inbox:` in the cycle configuration.")
    files = [(kind, p) for prefix, kind in _INBOX
             for p in sorted(inbox.glob(f"{prefix}*.csv"))]
    new = rows = 0
    for kind, path in files:
        report = import_file(ctx.store, kind, path, today=ctx.session,
                             policy=ValidationPolicy(max_stale_sessions=ctx.config.max_stale_sessions),
                             derive_actions=kind is ImportKind.PRICES)
        if not report.already_imported:
            new, rows = new + 1, rows + report.written
    return StageOutcome("done", f"{new} new file(s) of {len(files)} imported ({rows:,} rows)",
                        {"files": len(files), "new": new, "rows": rows})


def validate(ctx: CycleContext) -> StageOutcome:
    """The day's market data must exist and be fresh: no close on the session fails the cycle
    before anything is proposed; the kill-switch policy's automatic triggers are checked."""
    with ctx.store.transaction() as tx:
        last = tx.last_price_date()
    if last is None or last < ctx.session:
        raise DataError(f"no prices for {ctx.session}: the latest close in the book is "
                        f"{last or 'none'}", field="prices",
                        hint="Import the session's prices (the inbox), then run the cycle again.")
    reasons = kill_switch.auto_engage(ctx.store, ctx.session, ctx.config.kill_switch,
                                      now=ctx.kernel.clock.now())
    if reasons:
        return StageOutcome("stopped", "kill switch engaged automatically: " + "; ".join(reasons),
                            {"kill_switch": reasons})
    return StageOutcome("done", f"closes of {ctx.session} present", {"last_price": str(last)})


def corporate_actions(ctx: CycleContext) -> StageOutcome:
    """The corporate actions effective on the session (the ledger applies them to every lot
    as of their ex-date; this stage names them)."""
    with ctx.store.transaction() as tx:
        today = [a for a in tx.corporate_actions() if a.ex_date == ctx.session]
    if not today:
        return StageOutcome("done", "no corporate action effective today", {"actions": []})
    names = [f"{a.instrument_id} {a.kind.value}" for a in today]
    return StageOutcome("done", f"{len(today)} effective today: " + ", ".join(names[:10]),
                        {"actions": [a.id for a in today]})


def value(ctx: CycleContext) -> StageOutcome:
    """Value every account at the session's closes; the book's loss on the day engages the
    kill switch when the policy sets a limit."""
    s = book_summary(ctx.store, ctx.session, max_stale_sessions=ctx.config.max_stale_sessions)
    day = kill_switch.book_day_return(ctx.store, ctx.session)
    stale = f"; stale prices: {', '.join(s.unpriced[:5])}" if s.unpriced else ""
    moved = "" if day is None else f", {day:+.2%} on the day"
    outcome = {"accounts": s.accounts, "aum": round(s.aum, 2), "stale": s.unpriced,
               "day_return": day}
    summary = f"{s.accounts} accounts worth {s.aum:,.2f} {s.currency}{moved}{stale}"
    reasons = kill_switch.auto_engage(ctx.store, ctx.session, ctx.config.kill_switch,
                                      TriggerInputs(intraday_return=day),
                                      now=ctx.kernel.clock.now())
    if reasons:
        return StageOutcome("stopped", f"{summary}; kill switch engaged: " + "; ".join(reasons),
                            outcome)
    return StageOutcome("done", summary, outcome)


def targets(ctx: CycleContext) -> StageOutcome:
    """Drawdown ladders of the rule sets: the accounts to de-risk (or re-risk) and why."""
    sets = _rule_sets(ctx)
    if not any(s.drawdown for s in sets):
        return StageOutcome("skipped", "no drawdown ladder in the rule sets", {"adjusted": {}})
    found = drawdown_targets(ctx.store, sets, ctx.session)
    derisked = [d for d in found if d.adjusted.scale != 1.0]
    return StageOutcome("done", f"{len(found)} accounts under a ladder, {len(derisked)} "
                        "de-risked", {"adjusted": {d.account: d.adjusted.scale for d in derisked},
                                      "targets": {d.account: asdict(d.adjusted)
                                                  for d in derisked}})


def monitor_stage(ctx: CycleContext) -> StageOutcome:
    """Every account's holdings against the rules: an alert per breach, a limit adjustment
    (its own run) for what selling cures, and the accounts the rebalancer must cure."""
    if not _rule_sets(ctx):
        return StageOutcome("skipped", "no rules to monitor")
    found = monitor(ctx.store, as_of=ctx.session, rules_paths=ctx.config.rules,
                    costs=ctx.config.rebalance.costs)
    blocking = [b for b in found.breaches if b.blocks]
    adjusted = sorted({t.account_id for t in found.trades})
    summary = (f"{len(blocking)} limit breaches in {len({b.account for b in blocking})} "
               f"accounts ({len(found.breaches) - len(blocking)} warnings)")
    if found.run_id is not None:
        summary += f"; run {found.run_id} adjusts {len(adjusted)} accounts"
    if found.rebalance:
        summary += f"; {len(found.rebalance)} accounts to rebalance"
    return StageOutcome("done", summary, {
        "breaches": len(blocking), "warnings": len(found.breaches) - len(blocking),
        "run_id": found.run_id, "trades": len(found.trades), "adjusted": adjusted,
        "rebalance": found.rebalance})


def propose(ctx: CycleContext) -> StageOutcome:
    """Triggers and trades for every account (vectorized), stored as a rebalance run: on the
    drawdown-adjusted targets, forcing the accounts the monitor found off their limits and
    holding back those a limit adjustment trades today."""
    adjusted = {account: AdjustedTargets(**t)  # as the targets stage found them
                for account, t in ctx.done.get("targets", {}).get("targets", {}).items()}
    watched = ctx.done.get("monitor", {})
    hold = {a: f"held: limit adjustment in run {watched['run_id']}"
            for a in watched.get("adjusted", [])}
    booked, still = _book_earlier(ctx)
    result = rebalance(ctx.store, as_of=ctx.session, policy=ctx.config.rebalance,
                       max_stale_sessions=ctx.config.max_stale_sessions,
                       overrides=RunOverrides(adjusted, watched.get("rebalance", {}), hold),
                       workers=ctx.config.workers or os.cpu_count() or 1)
    trading = sum(1 for p in result.accounts if p.status == "trade")
    skipped = sum(1 for p in result.accounts if p.status == "skipped")
    first = ""
    if booked or still:
        first = (f" (first, {booked} fills earlier runs left unbooked were booked"
                 + (f"; still refused: {', '.join(f'run {r}' for r in still)}" if still else "")
                 + ")")
    return StageOutcome("done", f"run {result.run_id}: {trading} accounts to trade, "
                        f"{len(result.trades)} trades, {skipped} skipped{first}",
                        {"run_id": result.run_id, "trading": trading,
                         "trades": len(result.trades), "skipped": skipped,
                         "earlier_booked": booked, "earlier_unbooked": still})


def _book_earlier(ctx: CycleContext) -> tuple[int, dict[str, dict[str, str]]]:
    """Book the fills earlier runs of this environment left unbooked (a ledger refusal, as the
    newest earlier cycle that got to propose recorded them), before anything is proposed on
    a book that lacks them. Returns (transactions booked, runs still refused → accounts →
    why)."""
    env = ctx.kernel.environment.value
    with ctx.store.transaction() as tx:
        latest = next((c for c in tx.cycles(30) if c.environment == env
                       and c.as_of < ctx.session and any(s.stage == "propose"
                                                         for s in c.stages)), None)
        days = {r.id: r.as_of for r in tx.rebalance_runs()}
    if latest is None:
        return 0, {}
    runs: set[str] = set()
    for s in latest.stages:
        if s.stage == "propose":
            runs.update(s.outcome.get("earlier_unbooked") or {})
        elif s.stage == "execute":
            runs.update(s.outcome.get("unbooked") or {})
    booked, still = 0, {}
    for run in sorted(runs, key=int):
        done, refused = book_pending(ctx.store, int(run), days[int(run)])
        booked += done
        if refused:
            still[run] = refused
    return booked, still


def check_stage(ctx: CycleContext) -> StageOutcome:
    """Every rule on every proposal of the cycle's runs; denied accounts do not trade."""
    runs = ctx.run_ids()
    if not runs:
        return StageOutcome("skipped", "no trades proposed")
    results = [check(ctx.store, run_id=r, rules_paths=ctx.config.rules) for r in runs]
    denied = sum(len(r.denied) for r in results)
    approved = sum(len(r.decisions) for r in results) - denied
    return StageOutcome("done", f"{approved} accounts approved, {denied} denied "
                        f"(runs {', '.join(map(str, runs))})",
                        {"checks": [r.check_id for r in results], "denied": denied})


def approve(ctx: CycleContext) -> StageOutcome:
    """The approval policy (docs/api.md): what it approves without a person is recorded; a
    proposal waiting for a person stops the cycle until it is decided — run the cycle again
    then, and it resumes here."""
    runs = ctx.run_ids()
    if not runs or not ctx.done.get("check", {}).get("checks"):
        return StageOutcome("skipped", "nothing checked to approve")
    granted = 0
    waiting: list[str] = []
    rejected: list[str] = []
    for r in runs:
        granted += len(apply_policy(ctx.store, r))
        for s in proposal_states(ctx.store, r):
            if s.compliance != "approved":
                continue
            if s.decision == PENDING:
                waiting.append(f"{s.account_id} (run {r})")
            elif s.decision == REJECTED:
                rejected.append(f"{s.account_id} (run {r})")
    outcome = {"approved_by_policy": granted, "waiting": len(waiting),
               "rejected": len(rejected)}
    if waiting:
        return StageOutcome("stopped", f"{len(waiting)} proposals wait for a person's approval "
                            f"({', '.join(waiting[:5])}{' …' if len(waiting) > 5 else ''}): "
                            "approve or reject them (`ballast approve`, or the dashboard), then "
                            "run the cycle again", outcome)
    left_out = (f"; {len(rejected)} rejected, left out ({', '.join(rejected[:5])})"
                if rejected else "")
    return StageOutcome("done", f"{granted} proposals approved by the policy{left_out}",
                        outcome)


def execute_stage(ctx: CycleContext) -> StageOutcome:
    """Send the approved trades through the kernel's broker, allocate and book the fills.
    An engaged kill switch stops the cycle here (and inside execution, order by order)."""
    if not ctx.config.execute:
        return StageOutcome("skipped", "execution is off in this configuration")
    if not ctx.done.get("check", {}).get("checks"):
        return StageOutcome("skipped", "nothing checked to execute")
    broker, clock = ctx.kernel.broker(ctx.store, ctx.session)
    try:
        settings = ExecutionSettings(max_orders_per_second=ctx.config.max_orders_per_second)
        reports = [execute(ctx.store, r, broker, as_of=ctx.session, clock=clock,
                           settings=settings) for r in ctx.run_ids()]
    except KillSwitchEngaged as exc:
        return StageOutcome("stopped", f"kill switch: {exc}", {"kill_switch": str(exc)})
    orders, blocks = sum(r.orders for r in reports), sum(r.blocks for r in reports)
    fills, booked = sum(r.fills for r in reports), sum(r.booked for r in reports)
    states: dict[str, int] = {}
    for r in reports:
        for state, count in r.states.items():
            states[state] = states.get(state, 0) + count
    unbooked = {**ctx.done.get("propose", {}).get("earlier_unbooked", {}),
                **{str(r.run_id): r.unbooked for r in reports if r.unbooked}}
    summary = (f"{orders} orders in {blocks} blocks, {fills} fills, {booked} transactions "
               "booked" + (f", {states['rejected']} rejected" if states.get("rejected") else ""))
    if unbooked:
        words = "; ".join(f"{a} in run {run}: {why}" for run, accounts in unbooked.items()
                          for a, why in accounts.items())
        summary += (f"; fills left unbooked, the ledger refused them ({words}) — correct the "
                    "holdings: `ballast execute --run N`, or the next cycle before it "
                    "proposes, books them")
    outcome = {"orders": orders, "fills": fills, "booked": booked, "states": states,
               "unbooked": unbooked}
    reasons = kill_switch.auto_engage(
        ctx.store, ctx.session, ctx.config.kill_switch,
        TriggerInputs(orders=orders, rejects=states.get("rejected", 0)),
        now=ctx.kernel.clock.now())
    if reasons:
        return StageOutcome("stopped", f"{summary}; kill switch engaged: " + "; ".join(reasons),
                            outcome)
    return StageOutcome("done", summary, outcome)


def reconcile_stage(ctx: CycleContext) -> StageOutcome:
    """The book against the broker after booking; a break engages the kill switch when the
    policy says so."""
    if not ctx.done.get("execute", {}).get("orders"):
        return StageOutcome("skipped", "no orders today")
    report = ctx.kernel.reconcile(ctx.store, ctx.session)
    report_id = save_report(ctx.store, report)
    if report.breaks:
        largest = max(abs(float(b.difference)) for b in report.breaks)
        reasons = kill_switch.auto_engage(
            ctx.store, ctx.session, ctx.config.kill_switch,
            TriggerInputs(reconciliation_break=largest),
            now=ctx.kernel.clock.now())
        if reasons:
            return StageOutcome("stopped", f"{len(report.breaks)} breaks (report {report_id}); "
                                "kill switch engaged: " + "; ".join(reasons),
                                {"breaks": len(report.breaks), "report_id": report_id})
    return StageOutcome("done", f"{len(report.breaks)} breaks against {report.broker} "
                        f"(report {report_id}, {report.book_fills} fills compared)",
                        {"breaks": len(report.breaks), "report_id": report_id})


def measure_stage(ctx: CycleContext) -> StageOutcome:
    """The firm's month to date: net time-weighted return from the book of record."""
    start = ctx.session.replace(day=1)
    try:
        found = measure(ctx.store, Scope(ScopeKind.FIRM),
                        period_between(start, ctx.session, f"{ctx.session:%Y-%m} to date"))
    except NoPerformanceData as exc:
        return StageOutcome("skipped", str(exc))
    r = found.returns
    bench = "" if r.benchmark is None else f" (benchmark {r.benchmark:+.2%})"
    return StageOutcome("done", f"firm {found.end_value:,.2f} {found.currency}, month to date "
                        f"{r.net:+.2%} net{bench}",
                        {"value": round(found.end_value, 2), "mtd_net": r.net,
                         "mtd_benchmark": r.benchmark})


def report(ctx: CycleContext) -> StageOutcome:
    """Statements of every account for each month and quarter that closed and was not
    reported yet (once each), and alerts posted to the configured webhook."""
    done: list[str] = []
    if ctx.config.reports is not None:
        for frequency in (Frequency.MONTHLY, Frequency.QUARTERLY):
            for run in run_due(ctx.store, frequency, ctx.config.reports, as_of=ctx.session):
                done.append(f"{run.period.label} ({len(run.written)} accounts)")
    sent = 0
    if ctx.config.alerts_webhook:
        secret = os.environ.get(WEBHOOK_SECRET, "")
        if not secret:
            raise ConfigError(f"alerts_webhook is set but {WEBHOOK_SECRET} is not",
                              hint="Export the shared secret the receiver verifies with.")
        delivered = send_alerts(ctx.store, ctx.config.alerts_webhook, secret)
        sent = sum(1 for d in delivered.deliveries if not d.error)
    if not done and not ctx.config.alerts_webhook:
        return StageOutcome("skipped", "no statement due and no alert channel configured"
                            if ctx.config.reports else "no reports folder configured")
    words = (f"statements for {', '.join(done)}" if done else "no statement due")
    if ctx.config.alerts_webhook:
        words += f"; {sent} alerts posted"
    return StageOutcome("done", words, {"statements": done, "alerts": sent})


def _rule_sets(ctx: CycleContext) -> list[RuleSet]:
    with ctx.store.transaction() as tx:
        return rule_sets(tx.latest_rule_sets(), ctx.config.rules)


Stage = Callable[[CycleContext], StageOutcome]

STAGES: tuple[tuple[str, Stage], ...] = (
    ("ingest", ingest), ("validate", validate), ("corporate_actions", corporate_actions),
    ("value", value), ("targets", targets), ("monitor", monitor_stage), ("propose", propose),
    ("check", check_stage), ("approve", approve),
    ("execute", execute_stage), ("reconcile", reconcile_stage), ("measure", measure_stage),
    ("report", report),
)

__all__ = ["STAGES", "CycleContext", "Stage", "StageOutcome"]
